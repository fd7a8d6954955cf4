"""6 resource policies that do nothing: the SDK still deserializes a request's inputs once per
policy, so this pack is the floor for a pack with the same number of policies."""

from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

POLICY_COUNT = 6


def _noop(args: object, report_violation: object) -> None:
    return None


PolicyPack(
    name="noop-6",
    policies=[
        ResourceValidationPolicy(name=f"noop-{i}", description="Does nothing.", validate=_noop)
        for i in range(POLICY_COUNT)
    ],
    enforcement_level=EnforcementLevel.MANDATORY,
)
