"""1 resource policies that do nothing: the SDK still deserializes a request's inputs once per
policy, so this pack is the floor for a pack with the same number of policies."""

import gc
import os

from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

POLICY_COUNT = 1


def _noop(args: object, report_violation: object) -> None:
    return None


# pack_cost.py's "floor with the pack's GC settings": the same collector thresholds as the
# measured pack, so a ratio against it counts only the pack's own work.
if os.environ.get("BENCH_NOOP_GC_THRESHOLD"):
    gc.set_threshold(*(int(v) for v in os.environ["BENCH_NOOP_GC_THRESHOLD"].split(",")))

PolicyPack(
    name="noop-1",
    policies=[
        ResourceValidationPolicy(name=f"noop-{i}", description="Does nothing.", validate=_noop)
        for i in range(POLICY_COUNT)
    ],
    enforcement_level=EnforcementLevel.MANDATORY,
)
