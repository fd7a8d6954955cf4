"""The floor for benchmarks/pack_cost.py: the same policies as ecs-readonly-datadog by kind
(6 resource policies, 1 stack policy), each doing nothing. The SDK still deserializes a
request's inputs once per resource policy on Analyze, and every resource's once per stack
policy on AnalyzeStack, so no pack with these policies can be cheaper."""

import gc
import os

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

RESOURCE_POLICIES = 6
STACK_POLICIES = 1


def _noop(args: object, report_violation: object) -> None:
    return None


# pack_cost.py's "floor with the pack's GC settings": the same collector thresholds as the
# measured pack, so a ratio against it counts only the pack's own work.
if os.environ.get("BENCH_NOOP_GC_THRESHOLD"):
    gc.set_threshold(*(int(v) for v in os.environ["BENCH_NOOP_GC_THRESHOLD"].split(",")))

PolicyPack(
    name="noop-7",
    policies=[
        *(
            ResourceValidationPolicy(name=f"noop-{i}", description="Does nothing.", validate=_noop)
            for i in range(RESOURCE_POLICIES)
        ),
        *(
            StackValidationPolicy(
                name=f"noop-stack-{i}", description="Does nothing.", validate=_noop
            )
            for i in range(STACK_POLICIES)
        ),
    ],
    enforcement_level=EnforcementLevel.MANDATORY,
)
