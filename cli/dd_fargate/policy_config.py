"""The ``--policy-pack-config`` file: parsing, defaults and validation, as the Pulumi CLI does.

Mirrors pulumi's ``pkg/resource/analyzer/config.go``: a policy's value is an enforcement level
string or an object whose ``enforcementLevel`` key is lifted out; ``"all"`` sets every policy's
level; schema defaults fill in first, then the pack's initial config, then the file; the result
is validated against each policy's schema. Unlike the CLI, an unknown policy name is an error:
a typo would otherwise silently leave the intended policy at its default.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema

from .errors import UserError
from .policy_model import ENFORCEMENT_LEVELS, PolicyConfig, PolicyInfo, parse_level

ALL = "all"


def _level(value: object, policy: str, source: str) -> PolicyConfig:
    level = parse_level(value)
    if level is None:
        raise UserError(
            f"policy {policy!r}: {value!r} is not a valid enforcement level "
            f"(use one of {', '.join(ENFORCEMENT_LEVELS)})",
            source,
        )
    return PolicyConfig(enforcement_level=level)


def parse_policy_config(data: object, source: str) -> dict[str, PolicyConfig]:
    if not isinstance(data, dict):
        raise UserError("policy pack config must be a JSON object keyed by policy name", source)
    result: dict[str, PolicyConfig] = {}
    for name, value in data.items():
        if isinstance(value, str):
            result[name] = _level(value, name, source)
        elif isinstance(value, dict):
            props = dict(value)
            level = None
            if "enforcementLevel" in props:
                level = _level(props.pop("enforcementLevel"), name, source).enforcement_level
            if level is None and not props:
                continue  # the CLI ignores empty entries
            result[name] = PolicyConfig(enforcement_level=level, properties=props)
        else:
            raise UserError(
                f"policy {name!r}: {value!r} is not a valid value; must be a string or object",
                source,
            )
    return result


def load_policy_config(path: Path | None) -> dict[str, PolicyConfig]:
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read policy pack config: {exc.strerror or exc}", path) from exc
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", path
        ) from None
    return parse_policy_config(data, str(path))


def _defaults(policies: Sequence[PolicyInfo]) -> dict[str, PolicyConfig]:
    result = {}
    for policy in policies:
        props: dict[str, Any] = {}
        if policy.config_schema is not None:
            for key, schema in policy.config_schema.properties.items():
                if "default" in schema:
                    props[key] = schema["default"]
        result[policy.name] = PolicyConfig(policy.enforcement_level, props)
    return result


def _apply(base: dict[str, PolicyConfig], given: Mapping[str, PolicyConfig]) -> None:
    everything = given.get(ALL)
    if everything is not None and everything.enforcement_level is not None:
        for name, cfg in base.items():
            base[name] = PolicyConfig(everything.enforcement_level, cfg.properties)
    for name, cfg in given.items():
        if name == ALL:
            continue
        current = base.get(name, PolicyConfig())
        base[name] = PolicyConfig(
            cfg.enforcement_level or current.enforcement_level,
            {**current.properties, **cfg.properties},
        )


def reconcile(
    policies: Sequence[PolicyInfo],
    initial: Mapping[str, PolicyConfig],
    given: Mapping[str, PolicyConfig],
    source: str = "policy pack config",
) -> dict[str, PolicyConfig]:
    """Effective config for every policy, or a UserError naming what is wrong."""
    known = {p.name for p in policies}
    unknown = sorted(set(given) - known - {ALL})
    if unknown:
        raise UserError(
            f"unknown policy name(s) {', '.join(map(repr, unknown))}; "
            f"the pack has {', '.join(sorted(known))}",
            source,
        )
    result = _defaults(policies)
    _apply(result, initial)
    _apply(result, given)

    errors: list[str] = []
    for policy in policies:
        schema = policy.config_schema
        if schema is None:
            continue
        document = {
            "type": "object",
            "properties": dict(schema.properties),
            **({"required": list(schema.required)} if schema.required else {}),
        }
        validator = jsonschema.Draft7Validator(document)
        for error in sorted(validator.iter_errors(dict(result[policy.name].properties)), key=str):
            where = "".join(
                f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path
            )
            errors.append(f"{policy.name}{where}: {error.message}")
    if errors:
        raise UserError("invalid policy config: " + "; ".join(errors), source)
    return result
