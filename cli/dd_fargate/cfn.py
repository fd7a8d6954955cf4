"""CloudFormation ``AWS::ECS::TaskDefinition`` properties -> ECS API request shape.

CloudFormation spells members in PascalCase (``ContainerDefinitions``, ``ReadonlyRootFilesystem``,
``MountPoints``/``SourceVolume``...). Rather than a hand-kept rename table we walk botocore's
``RegisterTaskDefinition`` input shape and match member names case-insensitively, so every
member the API knows converts (``EFSVolumeConfiguration`` -> ``efsVolumeConfiguration`` too).
Map shapes (``dockerLabels``, ``logConfiguration.options``) keep their user-chosen keys.

CloudFormation coerces scalar strings to the member type ("true" -> true, "512" -> 512) when it
deploys, so we do the same; a value it could not coerce stays as written for the rules to
report. Intrinsic functions (``Ref``, ``Fn::*``, YAML short tags) cannot be resolved offline and
become Pulumi's unknown sentinel, which the rules treat like an unknown preview value.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import botocore.session
import yaml
from botocore.model import ListShape, MapShape, Shape, StructureShape

from .wire import UNKNOWN

TASK_DEFINITION = "AWS::ECS::TaskDefinition"

# CloudFormation names that differ from the API beyond letter case.
_RENAMES = {"proxyconfigurationproperties": "properties"}


@dataclass(frozen=True)
class Intrinsic:
    """A CloudFormation function call, e.g. ``!Sub`` or ``{"Fn::GetAtt": ...}``."""

    name: str
    value: Any


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that accepts CloudFormation short tags (``!Ref``, ``!Sub``, ``!GetAtt``...)."""


def _construct_intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Intrinsic:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return Intrinsic(suffix, value)


CfnLoader.add_multi_constructor("!", _construct_intrinsic)


def is_intrinsic(value: Any) -> bool:
    if isinstance(value, Intrinsic):
        return True
    if isinstance(value, dict) and len(value) == 1:
        (key,) = value
        return (
            key == "Ref" or key == "Condition" or (isinstance(key, str) and key.startswith("Fn::"))
        )
    return False


@functools.cache
def _request_shape() -> StructureShape:
    model = botocore.session.get_session().get_service_model("ecs")
    shape = model.operation_model("RegisterTaskDefinition").input_shape
    assert isinstance(shape, StructureShape)
    return shape


def _member(shape: StructureShape, key: str) -> tuple[str, Shape | None]:
    lowered = _RENAMES.get(key.lower(), key.lower())
    for name, member in shape.members.items():
        if name.lower() == lowered:
            return name, member
    return (key[:1].lower() + key[1:]), None  # unknown to the API: let the rules flag it


def _coerce_scalar(value: Any, shape: Shape) -> Any:
    if shape.type_name == "string" and isinstance(value, (bool, int, float)):
        return ("true" if value else "false") if isinstance(value, bool) else str(value)
    if not isinstance(value, str):
        return value
    if shape.type_name == "boolean" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if shape.type_name in ("integer", "long"):
        try:
            return int(value)
        except ValueError:
            return value
    return value


def convert(value: Any, shape: Shape | None) -> Any:
    if is_intrinsic(value):
        return UNKNOWN
    if shape is None:
        if isinstance(value, dict):
            return {k: convert(v, None) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v, None) for v in value]
        return value
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name, member = _member(shape, str(key))
            out[name] = convert(item, member)
        return out
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [convert(v, shape.member) for v in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {str(k): convert(v, shape.value) for k, v in value.items()}
    return _coerce_scalar(value, shape)


def task_definition_from_cfn(properties: Any) -> Any:
    """A ``RegisterTaskDefinition``-shaped dict (or UNKNOWN if the whole thing is a function)."""
    return convert(properties, _request_shape())
