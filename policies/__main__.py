"""The `ecs-readonly-datadog` CrossGuard policy pack.

The Pulumi CLI runs this as `python -m pulumi.policy <engine-address> .` in this directory; the
rules live in the `ecs_readonly_datadog` package beside this file. Nothing may print to stdout
before the SDK prints its port.
"""

import gc

from ecs_readonly_datadog.pack import PACK_NAME, build_policies
from pulumi_policy import EnforcementLevel, PolicyPack

# Each request parses thousands of short-lived objects (the container definitions); with the
# default threshold (700 allocations) the young generation was collected several times per
# request. This process only serves the pack, so trade a little memory for fewer collections.
gc.set_threshold(20000, 20, 20)

PolicyPack(
    name=PACK_NAME,
    policies=build_policies(),
    # Each policy sets its own level; this only covers a policy that would not.
    enforcement_level=EnforcementLevel.MANDATORY,
)
