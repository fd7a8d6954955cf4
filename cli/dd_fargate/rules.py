"""The one place ``check`` touches the rules package (``ecs_readonly_datadog``'s pure API).

``check`` runs the same rules as the pack, in-process, with the same config file validated the
same way as ``preview`` (schema defaults, unknown names rejected, JSON Schema per policy).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import metadata
from typing import Any, Literal

import ecs_readonly_datadog as rules_pkg
from ecs_readonly_datadog import Finding

from .policy_model import ConfigSchema, PolicyConfig, PolicyInfo, parse_level

PACK_NAME: str = rules_pkg.PACK_NAME


def pack_version() -> str:
    try:
        return metadata.version("datadog-fargate")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def policy_infos() -> tuple[PolicyInfo, ...]:
    # Stack policies are listed so a config naming them validates as it does for `preview`;
    # `check` sees task definitions without their services, so it never runs them.
    infos = []
    kinds: tuple[tuple[Literal["resource", "stack"], tuple[Any, ...]], ...] = (
        ("resource", rules_pkg.POLICIES),
        ("stack", rules_pkg.STACK_POLICIES),
    )
    for policy_type, policies in kinds:
        for policy in policies:
            level = parse_level(policy.enforcement_level) or "advisory"
            schema = ConfigSchema({k: dict(v) for k, v in policy.properties.items()})
            infos.append(
                PolicyInfo(policy.name, policy.description, level, schema, policy_type=policy_type)
            )
    return tuple(sorted(infos, key=lambda p: p.name))


def config_document(effective: Mapping[str, PolicyConfig]) -> dict[str, Any]:
    """The effective config as a policy-config.json document, fully spelled out."""
    return {
        name: {
            **({"enforcementLevel": cfg.enforcement_level} if cfg.enforcement_level else {}),
            **dict(cfg.properties),
        }
        for name, cfg in effective.items()
    }


def check(
    definition: Mapping[str, Any], config: Mapping[str, Any], name: str | None
) -> list[Finding]:
    findings: list[Finding] = rules_pkg.check_task_definition(
        definition, config, resource_name=name
    )
    return findings


__all__ = ["PACK_NAME", "Finding", "check", "config_document", "pack_version", "policy_infos"]
