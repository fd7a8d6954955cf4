"""A fast yes/no version of the ECS model validation, compiled once from botocore's shapes.

botocore's `ParamValidator` walks a shape tree generically (a method lookup, a decorator and a
report object per value) and was most of the pack's per-resource time. Almost every container
is valid, so the pack first asks this compiled check, one closure per shape, "would `_coerce`
plus botocore report anything here?". Only a "no" costs the slow path, which produces the
messages. The check must never say "valid" where the slow path would report an error (a test
compares both on generated containers); saying "look closer" too often only costs time.

Semantics mirrored from `ecs_model._coerce` + `botocore.validate.ParamValidator`: JSON null
members of a structure are "not set"; an integral float is the integer it stands for; a bool is
not an integer; errors about unknown values are dropped, so an `Unknown` passes everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .taskdef import Unknown

Check = Callable[[Any], bool]
_NONE: frozenset[type] = frozenset()
# Exact types that satisfy an unconstrained scalar shape, so checking them needs no call.
_PLAIN = {
    "string": frozenset({str, Unknown}),
    "boolean": frozenset({bool, Unknown}),
    "integer": frozenset({int, Unknown}),
    "long": frozenset({int, Unknown}),
}


def _look_closer(value: Any) -> bool:
    return isinstance(value, Unknown)


def _minimum(shape: Any) -> float | None:
    """botocore's `range_check` bound: `min`, or 1 for a host label."""
    if "min" in shape.metadata:
        return float(shape.metadata["min"])
    serialization = getattr(shape, "serialization", None)
    if serialization and serialization.get("hostLabel"):
        return 1.0
    return None


def _special(shape: Any) -> bool:
    from botocore.utils import is_json_value_header

    return bool(is_json_value_header(shape))


def plain_types(shape: Any) -> frozenset[type]:
    if _minimum(shape) is not None or _special(shape):
        return _NONE
    return _PLAIN.get(shape.type_name, _NONE)


_NULL: frozenset[type] = frozenset({type(None)})  # a JSON null member is "not set"


def _allowed(shape: Any) -> dict[str, frozenset[type]]:
    """Per member of a structure: the exact types that pass without a call (null included)."""
    return {key: plain_types(member) | _NULL for key, member in shape.members.items()}


def _flat_members(shape: Any) -> dict[str, frozenset[type]] | None:
    """`_allowed` for a plain structure whose every member is an unconstrained scalar."""
    if shape.type_name != "structure" or shape.is_document_type or shape.is_tagged_union:
        return None
    if _special(shape) or not all(plain_types(m) for m in shape.members.values()):
        return None
    return _allowed(shape)


def compile_shape(shape: Any, active: frozenset[str] = frozenset()) -> Check:
    """True only if the slow path would report no error for the value."""
    type_name = shape.type_name
    if shape.name in active or _special(shape):
        return _look_closer  # recursion or special validators: leave them to botocore
    if type_name == "structure":
        if shape.is_document_type or shape.is_tagged_union:
            return _look_closer
        inner = active | {shape.name}
        members = {key: compile_shape(member, inner) for key, member in shape.members.items()}
        allowed = _allowed(shape)
        required = tuple(shape.metadata.get("required", ()))
        get_allowed, get_member = allowed.get, members.get

        def structure(value: Any) -> bool:
            if type(value) is not dict:
                return isinstance(value, Unknown)
            for key, item in value.items():
                if type(item) in get_allowed(key, _NULL):
                    continue
                check = get_member(key)
                if check is None or not check(item):
                    return False
            for name in required:  # noqa: SIM110 (a loop: no generator per call)
                if value.get(name) is None:
                    return False
            return True

        return structure
    if type_name == "list":
        member = compile_shape(shape.member, active)
        member_plain = plain_types(shape.member)
        low = _minimum(shape)
        flat = _flat_members(shape.member)
        if flat is not None:
            # Lists of small all-scalar structures (environment, mountPoints, portMappings,
            # secrets, dependsOn...): checked inline, one call per list instead of per item.
            get_flat, flat_required = flat.get, tuple(shape.member.metadata.get("required", ()))

            def list_of_flat(value: Any) -> bool:
                if type(value) is not list:
                    return isinstance(value, Unknown)
                if low is not None and len(value) < low:
                    return False
                for item in value:
                    if type(item) is not dict:
                        if not member(item):
                            return False
                        continue
                    for key, field in item.items():
                        if type(field) not in get_flat(key, _NULL):
                            if not member(item):  # floats for integers, unknown keys...
                                return False
                            break
                    for name in flat_required:
                        if item.get(name) is None:
                            return False
                return True

            return list_of_flat

        def list_(value: Any) -> bool:
            if type(value) is not list:
                return isinstance(value, Unknown)
            if low is not None and len(value) < low:
                return False
            for item in value:  # noqa: SIM110
                if type(item) not in member_plain and not member(item):
                    return False
            return True

        return list_
    if type_name == "map":
        key_check, key_plain = compile_shape(shape.key, active), plain_types(shape.key)
        value_check, value_plain = compile_shape(shape.value, active), plain_types(shape.value)

        def map_(value: Any) -> bool:
            if type(value) is not dict:
                return isinstance(value, Unknown)
            for key, item in value.items():
                if type(key) not in key_plain and not key_check(key):
                    return False
                if type(item) not in value_plain and not value_check(item):
                    return False
            return True

        return map_
    return _scalar(type_name, _minimum(shape))


def _scalar(type_name: str, low: float | None) -> Check:
    if type_name == "string":

        def string(value: Any) -> bool:
            if isinstance(value, str):
                return low is None or len(value) >= low
            return isinstance(value, Unknown)

        return string
    if type_name in ("integer", "long"):

        def integer(value: Any) -> bool:
            kind = type(value)
            if kind is bool:
                return False  # _coerce reports it: botocore would take True for 1
            if kind is float:
                if not value.is_integer():
                    return False
            elif not isinstance(value, int):
                return isinstance(value, Unknown)
            return low is None or value >= low

        return integer
    if type_name == "boolean":
        return lambda value: isinstance(value, (bool, Unknown))
    if type_name in ("double", "float"):

        def number(value: Any) -> bool:
            if isinstance(value, (float, Decimal, int)):
                return low is None or value >= low
            return isinstance(value, Unknown)

        return number
    if type_name == "blob":
        return lambda value: (
            isinstance(value, (bytes, bytearray, str, Unknown)) or hasattr(value, "read")
        )
    return _look_closer  # timestamps and any newer type
