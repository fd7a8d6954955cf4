"""Policy names, default enforcement levels, config schemas, and config parsing.

Schemas are plain JSON Schema dicts (what `pulumi_policy.PolicyConfigSchema` carries), so the
offline checker can use them without the SDK. Config arrives already validated and defaulted
by the Pulumi CLI, but it is parsed defensively anyway: a bad value becomes an error message
(reported as a violation) and its default is used, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .ecs_model import suggest_key
from .lru import LRU
from .taskdef import normalize_path

PACK_NAME = "ecs-readonly-datadog"

READONLY_ROOT = "ecs-readonly-root-filesystem"
WRITABLE_MOUNTS = "datadog-agent-writable-mounts"
RECOMMENDED_MOUNTS = "datadog-agent-recommended-mounts"
CONFIG_INIT = "datadog-agent-config-init"
DEFINITIONS_VALID = "ecs-container-definitions-valid"
EXEC_PATHS = "ecs-exec-readonly-paths"
EXEMPTIONS = "ecs-readonly-datadog-exemptions"

ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")

CONFIG_PATH = "/etc/datadog-agent"
DEFAULT_REQUIRED_PATHS = (CONFIG_PATH, "/opt/datadog-agent/run", "/var/run/datadog")
DEFAULT_RECOMMENDED_PATHS = ("/tmp", "/var/log/datadog")
DEFAULT_EXEC_PATHS = ("/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm")

_EXEMPT_CONTAINERS: dict[str, Any] = {
    "type": "array",
    "description": (
        "Containers this policy does not block, each with the reason. An exempted container's "
        f"finding is still reported, as an advisory, by the `{EXEMPTIONS}` policy."
    ),
    "items": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "description": "Container name."},
            "reason": {"type": "string", "minLength": 1, "description": "Why it is exempt."},
        },
        "required": ["name", "reason"],
        "additionalProperties": False,
    },
    "default": [],
}
_FAIL_CLOSED: dict[str, Any] = {
    "type": "boolean",
    "description": (
        "When true, a value this policy needs that is unknown during preview is a violation "
        "at this policy's level; when false (default) it is an advisory."
    ),
    "default": False,
}
_AGENT_PATTERNS: dict[str, Any] = {
    "type": "array",
    "description": (
        "Extra Datadog Agent image repositories, as globs (`*` matches across `/`), matched "
        "case-insensitively against the image without its tag and digest, e.g. "
        "`123456789012.dkr.ecr.*.amazonaws.com/mirror/datadog-agent`."
    ),
    "items": {"type": "string", "minLength": 1},
    "default": [],
}


def _paths_schema(description: str, default: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "array",
        "description": description,
        "items": {"type": "string", "pattern": "^/"},
        "default": list(default),
    }


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    enforcement_level: str
    """Default enforcement level."""
    properties: Mapping[str, Mapping[str, Any]]
    """JSON Schema of each config property (without `enforcementLevel`)."""
    remediation: str

    @property
    def config_schema(self) -> dict[str, Any]:
        """The whole config object's JSON Schema, as the Pulumi CLI validates it."""
        return {"type": "object", "properties": {k: dict(v) for k, v in self.properties.items()}}


_COMMON = {"exemptContainers": _EXEMPT_CONTAINERS, "failClosedOnUnknown": _FAIL_CLOSED}
_DATADOG = {"agentImagePatterns": _AGENT_PATTERNS, **_COMMON}

POLICIES: tuple[PolicyInfo, ...] = (
    PolicyInfo(
        READONLY_ROOT,
        "Every ECS container definition sets readonlyRootFilesystem to the boolean true.",
        "mandatory",
        MappingProxyType(dict(_COMMON)),
        'Set "readonlyRootFilesystem": true on the container; give any path it writes its '
        "own task volume.",
    ),
    PolicyInfo(
        WRITABLE_MOUNTS,
        "The Datadog Agent container mounts a writable task volume at each path it writes at "
        "start-up (/etc/datadog-agent, /opt/datadog-agent/run, /var/run/datadog).",
        "mandatory",
        MappingProxyType(
            {
                "requiredPaths": _paths_schema(
                    "Paths the Agent must have on writable volumes.", DEFAULT_REQUIRED_PATHS
                ),
                **_DATADOG,
            }
        ),
        'Add a volume per path to "volumes" (no host configuration on Fargate) and a '
        '"mountPoints" entry for it on the Agent container without "readOnly": true.',
    ),
    PolicyInfo(
        RECOMMENDED_MOUNTS,
        "The Datadog Agent container mounts a writable task volume at /tmp (flares) and "
        "/var/log/datadog (its own logs).",
        "advisory",
        MappingProxyType(
            {
                "recommendedPaths": _paths_schema(
                    "Paths the Agent should have on writable volumes.", DEFAULT_RECOMMENDED_PATHS
                ),
                **_DATADOG,
            }
        ),
        "Add a volume and a writable mount point on the Agent container for each path.",
    ),
    PolicyInfo(
        CONFIG_INIT,
        "The Datadog Agent's /etc/datadog-agent volume is seeded with the image's defaults by a "
        "non-essential init container from an Agent image that the Agent depends on with "
        "condition SUCCESS.",
        "mandatory",
        MappingProxyType(dict(_DATADOG)),
        'Add an init container from the Agent image with "essential": false, the config volume '
        'mounted writable at /opt/datadog-agent-config and the command sh -c "cp -R '
        '/etc/datadog-agent/* /opt/datadog-agent-config/"; make the Agent dependsOn it with '
        "condition SUCCESS.",
    ),
    PolicyInfo(
        DEFINITIONS_VALID,
        "containerDefinitions is a non-empty list of container definitions whose keys and "
        "value types match the ECS API, with consistent volume and container references.",
        "mandatory",
        MappingProxyType(dict(_COMMON)),
        "Fix each reported key, type or reference; misspelled keys are silently dropped.",
    ),
    PolicyInfo(
        EXEMPTIONS,
        "Reports every finding of this pack that an exemptContainers entry turned off, with "
        "its reason, so exemptions stay visible.",
        "advisory",
        MappingProxyType({}),
        "Review the exemption; remove it once the container complies.",
    ),
)
# Policies over the whole stack (AnalyzeStack), not one task definition: the pure
# `check_task_definition` API and `dd-fargate check` have no services, so they skip these.
STACK_POLICIES: tuple[PolicyInfo, ...] = (
    PolicyInfo(
        EXEC_PATHS,
        "A service with ECS Exec enabled gives each read-only container of its task definition "
        "writable volumes where the SSM agent writes (/managed-agents, /var/lib/amazon/ssm, "
        "/var/log/amazon/ssm).",
        "advisory",
        MappingProxyType(
            {
                "execPaths": _paths_schema(
                    "Paths ECS Exec's SSM agent needs writable.", DEFAULT_EXEC_PATHS
                ),
                "includeDatadogAgent": {
                    "type": "boolean",
                    "description": (
                        "Also require the paths on the Datadog Agent container (by default only "
                        "app containers: exec into the agent is rare and opt-in)."
                    ),
                    "default": False,
                },
                "agentImagePatterns": _AGENT_PATTERNS,
            }
        ),
        "Add a task volume per path and a writable mountPoint for it on each read-only "
        "container you exec into (DatadogFargateService does this with enable_execute_command).",
    ),
)
POLICY_BY_NAME: Mapping[str, PolicyInfo] = MappingProxyType(
    {p.name: p for p in (*POLICIES, *STACK_POLICIES)}
)
POLICY_NAMES: tuple[str, ...] = tuple(p.name for p in POLICIES)
DEFAULT_ENFORCEMENT_LEVELS: Mapping[str, str] = MappingProxyType(
    {p.name: p.enforcement_level for p in POLICY_BY_NAME.values()}
)
# Every policy in the order the pack serves them (the exemptions policy must run last).
PACK_POLICY_NAMES: tuple[str, ...] = (
    *(n for n in POLICY_NAMES if n != EXEMPTIONS),
    *(p.name for p in STACK_POLICIES),
    EXEMPTIONS,
)


@dataclass(frozen=True)
class PolicyConfig:
    """One policy's parsed config; every field has its schema default."""

    exempt_containers: Mapping[str, str] = field(default_factory=dict)
    """Container name -> reason."""
    fail_closed_on_unknown: bool = False
    agent_image_patterns: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    """requiredPaths / recommendedPaths, normalized (empty for other policies)."""
    errors: tuple[str, ...] = ()
    """Problems found in the raw config; each is reported as a violation."""
    include_agent: bool = False
    """ecs-exec-readonly-paths: check the Datadog Agent container too."""


def _string_list(value: Any, key: str, errors: list[str]) -> list[str] | None:
    if not isinstance(value, (list, tuple)):
        errors.append(f"{key} must be a list of strings, got {type(value).__name__}; ignored")
        return None
    good = [v for v in value if isinstance(v, str) and v.strip()]
    if len(good) != len(value):
        errors.append(f"{key} must contain only non-empty strings; other entries ignored")
    return good


# (policy, repr of the raw config) -> parsed config: the SDK hands every call a fresh copy.
_PARSED: LRU[PolicyConfig] = LRU(64)
# policy -> (raw config, parsed): the SDK hands every call an equal copy of the same config,
# and comparing dicts is cheaper than building the repr key.
_LAST: dict[str, tuple[Mapping[str, Any] | None, PolicyConfig]] = {}


def parse_policy_config(policy: str, raw: Mapping[str, Any] | None) -> PolicyConfig:
    """Parse one policy's config properties (`args.get_config()` or a policy-config.json entry).
    `enforcementLevel`, if present, is ignored here: the SDK or `resolve_config` handles it."""
    last = _LAST.get(policy)
    if last is not None and type(raw) is dict and type(last[0]) is dict and last[0] == raw:
        return last[1]
    key = (policy, repr(raw))
    cached = _PARSED.get(key)
    if cached is None:
        cached = _parse_policy_config(policy, raw)
        _PARSED.put(key, cached)
    _LAST[policy] = (raw, cached)
    return cached


def _parse_policy_config(policy: str, raw: Mapping[str, Any] | None) -> PolicyConfig:
    info = POLICY_BY_NAME[policy]
    errors: list[str] = []
    exempt: dict[str, str] = {}
    fail_closed = include_agent = False
    patterns: tuple[str, ...] = ()
    path_key = {
        WRITABLE_MOUNTS: "requiredPaths",
        RECOMMENDED_MOUNTS: "recommendedPaths",
        EXEC_PATHS: "execPaths",
    }.get(policy)
    paths = {
        WRITABLE_MOUNTS: DEFAULT_REQUIRED_PATHS,
        RECOMMENDED_MOUNTS: DEFAULT_RECOMMENDED_PATHS,
        EXEC_PATHS: DEFAULT_EXEC_PATHS,
    }
    chosen_paths: tuple[str, ...] = paths.get(policy, ())

    if raw is not None and not isinstance(raw, Mapping):
        errors.append(f"config must be an object, got {type(raw).__name__}; defaults used")
        raw = None
    for key, value in (raw or {}).items():
        if key == "enforcementLevel":
            continue
        if key not in info.properties:
            hint = suggest_key(str(key), list(info.properties))
            errors.append(
                f'unknown config key "{key}"'
                + (f'; did you mean "{hint}"?' if hint else "")
                + (f" (valid: {', '.join(info.properties)})" if info.properties else "")
            )
        elif key == "failClosedOnUnknown":
            if isinstance(value, bool):
                fail_closed = value
            else:
                errors.append(
                    f"failClosedOnUnknown must be true or false, got {value!r}; false used"
                )
        elif key == "includeDatadogAgent":
            if isinstance(value, bool):
                include_agent = value
            else:
                errors.append(f"includeDatadogAgent must be true or false, got {value!r}")
        elif key == "agentImagePatterns":
            patterns = tuple(_string_list(value, key, errors) or ())
        elif key == path_key:
            listed = _string_list(value, key, errors)
            if listed is not None:
                normalized = []
                for item in listed:
                    path = normalize_path(item)
                    if path is None:
                        errors.append(f"{key}: {item!r} is not an absolute path; ignored")
                    else:
                        normalized.append(path)
                chosen_paths = tuple(dict.fromkeys(normalized))
        elif key == "exemptContainers":
            exempt = _exemptions(value, errors)
    return PolicyConfig(
        exempt, fail_closed, patterns, chosen_paths, tuple(errors), include_agent=include_agent
    )


def _exemptions(value: Any, errors: list[str]) -> dict[str, str]:
    if not isinstance(value, (list, tuple)):
        errors.append(f"exemptContainers must be a list of {{name, reason}} objects, got {value!r}")
        return {}
    found: dict[str, str] = {}
    for index, entry in enumerate(value):
        name = entry.get("name") if isinstance(entry, Mapping) else None
        reason = entry.get("reason") if isinstance(entry, Mapping) else None
        if not isinstance(name, str) or not name:
            errors.append(f"exemptContainers[{index}] has no container name; ignored")
        elif not isinstance(reason, str) or not reason.strip():
            errors.append(
                f"exemptContainers[{index}] ({name}) has no reason; an exemption needs one, so "
                "it is not applied"
            )
        else:
            found[name] = reason.strip()
    return found


@dataclass(frozen=True)
class ResolvedPolicy:
    enforcement_level: str
    properties: Mapping[str, Any]


def resolve_config(config: Mapping[str, Any] | None) -> dict[str, ResolvedPolicy]:
    """Resolve a policy-config.json document the way the Pulumi CLI does: schema defaults,
    then `"all"` (enforcement level only), then each policy's own entry, property by property.
    Raises ValueError for what the CLI itself rejects (bad levels, non-object entries)."""
    resolved = {
        p.name: (
            p.enforcement_level,
            {k: v["default"] for k, v in p.properties.items() if "default" in v},
        )
        for p in POLICY_BY_NAME.values()
    }
    entries: dict[str, tuple[str | None, dict[str, Any]]] = {}
    for name, entry in (config or {}).items():
        if isinstance(entry, str):
            entries[name] = (_level(name, entry), {})
        elif isinstance(entry, Mapping):
            props = dict(entry)
            level = props.pop("enforcementLevel", None)
            entries[name] = (None if level is None else _level(name, level), props)
        else:
            raise ValueError(f"config for {name!r} must be an enforcement level or an object")
    all_level = entries.get("all", (None, {}))[0]
    if all_level is not None:
        resolved = {k: (all_level, v[1]) for k, v in resolved.items()}
    for name, (level, props) in entries.items():
        if name not in resolved:
            continue  # "all" or a policy this pack doesn't have; the CLI ignores both too
        old_level, old_props = resolved[name]
        resolved[name] = (level or old_level, {**old_props, **props})
    return {k: ResolvedPolicy(level, MappingProxyType(p)) for k, (level, p) in resolved.items()}


def _level(name: str, level: Any) -> str:
    if level not in ENFORCEMENT_LEVELS:
        raise ValueError(f"{level!r} is not a valid enforcement level for {name!r}")
    return str(level)
