"""The SDK-free entry point: run one policy, or the whole pack, over a normalized task
definition and turn rule issues into findings (config errors, exemptions, unknowns, levels)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .config import EXEMPTIONS, PolicyConfig, parse_policy_config, resolve_config
from .normalize import task_definition_from_props
from .rules import RULES, Issue
from .taskdef import TaskDefinition


@dataclass(frozen=True)
class Finding:
    """One diagnostic, as the pack would report it."""

    policy: str
    """The policy whose rule produced it."""
    enforcement_level: str
    """Effective level: "mandatory" or "advisory" ("remediate" is reported as mandatory)."""
    message: str
    container: str | None = None
    task_definition: str | None = None
    exempt: bool = False
    """An exemptContainers entry covers it; the pack reports it via the exemptions policy."""
    exemption_reason: str | None = None
    unknown: bool = False
    """It says "can't check during preview", not that the definition is wrong."""

    @property
    def reported_by(self) -> str:
        """The pack policy whose diagnostic carries this finding."""
        return EXEMPTIONS if self.exempt else self.policy


@dataclass(frozen=True)
class Outcome:
    """One policy's findings, split the way the pack adapter reports them."""

    violations: tuple[Issue, ...]
    unknowns: tuple[Issue, ...]
    exempt: tuple[tuple[Issue, str], ...]
    """(issue, reason)"""


def evaluate(policy: str, td: TaskDefinition, cfg: PolicyConfig) -> Outcome:
    """Run one policy's rule and sort its issues. Unknowns stay unknowns here; the caller
    decides (failClosedOnUnknown) whether they are advisories or violations."""
    violations = [Issue(f"policy config: {error}") for error in cfg.errors]
    unknowns: list[Issue] = []
    exempt: list[tuple[Issue, str]] = []
    for issue in RULES[policy](td, cfg):
        reason = cfg.exempt_containers.get(issue.container) if issue.container else None
        if reason is not None:
            exempt.append((issue, reason))
        elif issue.unknown:
            unknowns.append(issue)
        else:
            violations.append(issue)
    return Outcome(tuple(violations), tuple(unknowns), tuple(exempt))


def exemption_message(policy: str, issue: Issue, reason: str) -> str:
    return f"[{policy}] container '{issue.container}' is exempt ({reason}): {issue.message}"


def unknown_violation_message(issue: Issue) -> str:
    return f"{issue.message} (failClosedOnUnknown is set, so this is a violation)"


def check_task_definition(
    task_def: Mapping[str, Any],
    config: Mapping[str, Any] | None = None,
    *,
    resource_name: str | None = None,
) -> list[Finding]:
    """Check one task definition with every policy of the pack.

    `task_def` is an ECS task definition (`containerDefinitions` a list, as in
    `aws ecs describe-task-definition`) or pulumi-aws / aws-native inputs (`containerDefinitions`
    a JSON string or a list); wire-format values (floats, secrets, unknown sentinels) are fine.
    `config` is a policy-config.json document (`{"<policy>": "advisory"}` or
    `{"<policy>": {"enforcementLevel": ..., <properties>}}`, `"all"` for every level), resolved
    the way the Pulumi CLI does. Disabled policies are skipped. Raises ValueError only for an
    invalid enforcement level in `config`.
    """
    resolved = resolve_config(config)
    td = task_definition_from_props(task_def, resource_name)
    exemptions_level = resolved[EXEMPTIONS].enforcement_level
    findings: list[Finding] = []
    for policy in RULES:
        level = resolved[policy].enforcement_level
        if level == "disabled":
            continue
        if level == "remediate":
            level = "mandatory"  # no remediations here; the SDK reports these as mandatory
        cfg = parse_policy_config(policy, resolved[policy].properties)
        outcome = evaluate(policy, td, cfg)
        for issue in outcome.violations:
            findings.append(Finding(policy, level, issue.message, issue.container, td.label))
        for issue in outcome.unknowns:
            if cfg.fail_closed_on_unknown:
                message, unknown_level = unknown_violation_message(issue), level
            else:
                message, unknown_level = issue.message, "advisory"
            findings.append(
                Finding(policy, unknown_level, message, issue.container, td.label, unknown=True)
            )
        if exemptions_level != "disabled":
            for issue, reason in outcome.exempt:
                findings.append(
                    Finding(
                        policy,
                        exemptions_level,
                        exemption_message(policy, issue, reason),
                        issue.container,
                        td.label,
                        exempt=True,
                        exemption_reason=reason,
                        unknown=issue.unknown,
                    )
                )
    return findings
