"""Plain typed views of policy metadata, configuration and diagnostics.

Shared by ``preview`` (filled from the analyzer gRPC protocol) and ``check`` (filled from the
rules package directly), so both render and gate on the same data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

EnforcementLevel = Literal["advisory", "mandatory", "remediate", "disabled"]
ENFORCEMENT_LEVELS: tuple[EnforcementLevel, ...] = (
    "advisory",
    "mandatory",
    "remediate",
    "disabled",
)


def parse_level(value: object) -> EnforcementLevel | None:
    for level in ENFORCEMENT_LEVELS:
        if value == level:
            return level
    return None


@dataclass(frozen=True)
class ConfigSchema:
    """A policy's config schema as the analyzer reports it: JSON schema per property."""

    properties: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    enforcement_level: EnforcementLevel
    config_schema: ConfigSchema | None = None
    display_name: str = ""
    policy_type: Literal["resource", "stack", "unknown"] = "unknown"


@dataclass(frozen=True)
class PolicyConfig:
    """One policy's effective configuration, as sent in ``Configure``."""

    enforcement_level: EnforcementLevel | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalyzerInfo:
    name: str
    version: str
    supports_config: bool
    policies: tuple[PolicyInfo, ...]
    initial_config: Mapping[str, PolicyConfig] = field(default_factory=dict)


@dataclass(frozen=True)
class Diagnostic:
    """One policy violation, whichever way it was produced."""

    policy_name: str
    policy_pack_name: str
    policy_pack_version: str
    enforcement_level: EnforcementLevel
    urn: str
    message: str
    description: str = ""

    @property
    def is_mandatory(self) -> bool:
        # The engine downgrades "remediate" to mandatory when a violation is still reported.
        return self.enforcement_level in ("mandatory", "remediate")
