"""CrossGuard rules for read-only ECS containers and a read-only Datadog Agent on Fargate.

The rules are pure functions usable without the Pulumi SDK (the offline checker and the
benchmarks call them directly); `ecs_readonly_datadog.pack` adapts them to pulumi_policy.

Public API:

- `check_task_definition(task_def, config=None, *, resource_name=None) -> list[Finding]`
- `Finding` (policy, enforcement_level, message, container, task_definition, exempt,
  exemption_reason, unknown; `reported_by`)
- `POLICIES` (`PolicyInfo`: name, description, enforcement_level, properties, config_schema),
  the per-task-definition policies; `STACK_POLICIES`, those the pack runs over a whole stack,
  `POLICY_NAMES`, `DEFAULT_ENFORCEMENT_LEVELS`, `CONFIG_SCHEMAS`
- `resolve_config(policy_config_json)`, `is_agent_image(ref, extra_patterns)`,
  `TASK_DEFINITION_TYPES`
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .check import Finding, check_task_definition
from .config import (
    CONFIG_INIT,
    DEFAULT_ENFORCEMENT_LEVELS,
    DEFINITIONS_VALID,
    EXEMPTIONS,
    PACK_NAME,
    PACK_POLICY_NAMES,
    POLICIES,
    POLICY_NAMES,
    READONLY_ROOT,
    RECOMMENDED_MOUNTS,
    STACK_POLICIES,
    WRITABLE_MOUNTS,
    PolicyInfo,
    ResolvedPolicy,
    resolve_config,
)
from .images import is_agent_image
from .normalize import CLASSIC_TYPE, NATIVE_TYPE, TASK_DEFINITION_TYPES

CONFIG_SCHEMAS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {p.name: p.config_schema for p in (*POLICIES, *STACK_POLICIES)}
)
"""Each policy's config as one JSON Schema object (what the Pulumi CLI validates)."""

__all__ = [
    "CLASSIC_TYPE",
    "CONFIG_INIT",
    "CONFIG_SCHEMAS",
    "DEFAULT_ENFORCEMENT_LEVELS",
    "DEFINITIONS_VALID",
    "EXEMPTIONS",
    "NATIVE_TYPE",
    "PACK_NAME",
    "PACK_POLICY_NAMES",
    "POLICIES",
    "POLICY_NAMES",
    "READONLY_ROOT",
    "RECOMMENDED_MOUNTS",
    "STACK_POLICIES",
    "TASK_DEFINITION_TYPES",
    "WRITABLE_MOUNTS",
    "Finding",
    "PolicyInfo",
    "ResolvedPolicy",
    "check_task_definition",
    "is_agent_image",
    "resolve_config",
]
