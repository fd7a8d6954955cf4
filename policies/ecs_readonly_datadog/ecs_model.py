"""Container definitions checked against ECS's own API model, as shipped in botocore.

The model is loaded once per process (about 0.3 s); `preload()` lets the pack pay that at
start-up instead of on the first resource.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .lru import LRU
from .model_check import compile_shape
from .taskdef import Unknown, deeper_than, describe_value

_ENTRY = re.compile(r"^\.containerDefinitions\[(\d+)\]\.?(.*)$")

_TYPE_WORDS = {
    "<class 'int'>": "an integer",
    "<class 'bool'>": "a boolean (true/false)",
    "<class 'str'>": "a string",
    "<class 'dict'>": "an object",
    "<class 'list'>": "a list",
    "<class 'tuple'>": "a list",
    "<class 'float'>": "a number",
}


@dataclass(frozen=True)
class ModelError:
    index: int | None
    """Index into containerDefinitions, None for a task-level error."""
    path: str
    """Path inside the container, e.g. `mountPoints[0].readOnly` ('' for the container)."""
    message: str


class _Model:
    def __init__(self) -> None:
        import botocore.session
        from botocore.validate import ParamValidator

        service = botocore.session.get_session().get_service_model("ecs")
        self.request_shape = service.operation_model("RegisterTaskDefinition").input_shape
        self.container_shape = self.request_shape.members["containerDefinitions"].member
        self.member_names: tuple[str, ...] = tuple(self.container_shape.members)
        self.member_set = frozenset(self.member_names)
        condition = self.container_shape.members["dependsOn"].member.members["condition"]
        self.conditions: tuple[str, ...] = tuple(condition.enum)
        self.validator = ParamValidator()
        self.container_is_valid = compile_shape(self.container_shape)


@lru_cache(maxsize=1)
def _model() -> _Model:
    return _Model()


def preload() -> None:
    _model()


def container_member_names() -> tuple[str, ...]:
    """ContainerDefinition's member names, in the model's order."""
    return _model().member_names


def container_member_set() -> frozenset[str]:
    return _model().member_set


def dependency_conditions() -> tuple[str, ...]:
    """The model's ContainerCondition enum: START, COMPLETE, SUCCESS, HEALTHY."""
    return _model().conditions


def suggest_key(key: str, valid: Sequence[str]) -> str | None:
    """The member `key` was probably meant to be: a case-insensitive match, else the closest
    spelling (difflib), else None."""
    lowered = {name.lower(): name for name in valid}
    if key.lower() in lowered:
        return lowered[key.lower()]
    close = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.75)
    return close[0] if close else None


def _coerce(
    value: Any, shape: Any, name: str, errors: list[tuple[str, str, dict[str, Any]]]
) -> Any:
    """Adapt wire values to what the model means: protobuf Structs carry every number as a
    float, so an integral float is the integer it stands for (1.5 stays a float and fails);
    JSON null means "not set". A bool where an integer belongs is an error botocore would let
    through (bool is an int subclass in Python)."""
    type_name = shape.type_name
    if type_name == "structure" and type(value) is dict:
        members = shape.members
        out: dict[str, Any] = {}
        for key, item in value.items():
            if item is None:
                continue
            member = members.get(key)
            out[key] = item if member is None else _coerce(item, member, f"{name}.{key}", errors)
        return out
    if type_name == "list" and type(value) is list:
        member = shape.member
        return [_coerce(item, member, f"{name}[{i}]", errors) for i, item in enumerate(value)]
    if type_name == "map" and type(value) is dict:
        member = shape.value
        return {key: _coerce(item, member, f"{name}.{key}", errors) for key, item in value.items()}
    if type_name in ("integer", "long"):
        if type(value) is float and value.is_integer():
            return int(value)
        if type(value) is bool:
            errors.append(
                ("invalid type", name, {"param": value, "valid_types": ["<class 'int'>"]})
            )
    return value


# A container's repr -> its errors (index 0). Stacks repeat the same Agent and init containers
# in every service's task definition, so validating per container pays off across resources.
_CONTAINER_CACHE: LRU[tuple[ModelError, ...]] = LRU(1024)


def clear_cache() -> None:
    _CONTAINER_CACHE.clear()


def validate_container_definitions(containers: Sequence[Any]) -> list[ModelError]:
    """Validate each container as the `containerDefinitions` of a RegisterTaskDefinition
    request. Values that are unknown during preview are skipped, not reported."""
    is_valid = _model().container_is_valid
    errors: list[ModelError] = []
    for index, container in enumerate(containers):
        if isinstance(container, Unknown) or is_valid(container):
            continue  # the compiled check: no botocore walk, no cache key for valid containers
        if deeper_than(container, MAX_DEPTH):
            # repr, _coerce and botocore all recurse; the same answer at any stack depth.
            errors.append(ModelError(index, "", _TOO_DEEP))
            continue
        key = repr(container)
        found = _CONTAINER_CACHE.get(key)
        if found is None:
            found = _validate_one(container)
            _CONTAINER_CACHE.put(key, found)
        errors.extend(ModelError(index, e.path, e.message) for e in found)
    return errors


# ContainerDefinition is at most 6 levels deep (linuxParameters.devices[].permissions[]).
MAX_DEPTH = 32
_TOO_DEEP = (
    f"the container definition is nested more than {MAX_DEPTH} levels deep; an ECS container "
    "definition is a few levels deep, so it can't be validated"
)


def _validate_one(container: Any) -> tuple[ModelError, ...]:
    model = _model()
    raw_errors: list[tuple[str, str, dict[str, Any]]] = []
    request = {"family": "policy-check", "containerDefinitions": [container]}
    request = _coerce(request, model.request_shape, "", raw_errors)
    report = model.validator.validate(request, model.request_shape)
    raw_errors.extend(getattr(report, "_errors", []))

    errors: list[ModelError] = []
    for reason, name, extra in raw_errors:
        if isinstance(extra.get("param"), Unknown):
            continue
        match = _ENTRY.match(name)
        index, path = (int(match.group(1)), match.group(2)) if match else (None, name.lstrip("."))
        errors.append(ModelError(index, path, _message(reason, path, extra)))
    return tuple(errors)


def _message(reason: str, path: str, extra: dict[str, Any]) -> str:
    where = path or "the container definition"
    if reason == "unknown field":
        key = str(extra.get("unknown_param"))
        full = f"{path}.{key}" if path else key
        suggestion = suggest_key(key, extra.get("valid_names", ()))
        hint = f'; did you mean "{suggestion}"?' if suggestion else ""
        return (
            f'"{full}" is not an ECS container definition key{hint} '
            "(pulumi-aws drops unknown keys silently, so the setting is lost)"
        )
    if reason == "missing required field":
        return f'{where} is missing the required key "{extra.get("required_name")}"'
    if reason == "invalid type":
        valid = extra.get("valid_types", [])
        words = " or ".join(dict.fromkeys(_TYPE_WORDS.get(str(t), str(t)) for t in valid))
        if path == "":
            return f"the container definition is {describe_value(extra.get('param'))}, not {words}"
        return f"{path} is {describe_value(extra.get('param'))}; ECS expects {words}"
    if reason == "invalid length":
        # botocore passes the length, not the value, as `param` here.
        return (
            f"{where} has length {extra.get('param')}; it must be at least "
            f"{extra.get('min_allowed')}"
        )
    if reason == "invalid range":
        return (
            f"{where} is {describe_value(extra.get('param'))}; it must be at least "
            f"{extra.get('min_allowed')}"
        )
    return f"{where}: {reason}"
