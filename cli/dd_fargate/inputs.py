"""Find and read task definitions for ``dd-fargate check``.

Accepted per file (JSON or YAML): a ``RegisterTaskDefinition`` request, ``aws ecs
describe-task-definition`` output (``{"taskDefinition": {...}}``), a bare
``containerDefinitions`` list, or a CloudFormation template's ``AWS::ECS::TaskDefinition``
resources. Paths may be files, directories (searched recursively for *.json/*.yaml/*.yml) or
glob patterns.
"""

from __future__ import annotations

import glob
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .cfn import TASK_DEFINITION, CfnLoader, task_definition_from_cfn
from .errors import UserError

SUFFIXES = (".json", ".yaml", ".yml")
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class TaskDefinitionInput:
    path: Path
    fmt: str  # register-request | describe-output | container-list | cloudformation
    definition: Any  # RegisterTaskDefinition-shaped dict (CFN: converted)
    resource: str | None = None  # CloudFormation logical ID

    @property
    def label(self) -> str:
        return f"{self.path}#{self.resource}" if self.resource else str(self.path)


@dataclass(frozen=True)
class InputFile:
    path: Path
    explicit: bool  # named on the command line (vs found in a directory or by a glob)


def discover(paths: Sequence[str]) -> list[InputFile]:
    found: dict[Path, InputFile] = {}

    def add(path: Path, explicit: bool) -> None:
        if path not in found or explicit:
            found[path] = InputFile(path, explicit)

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUFFIXES:
                    add(child, False)
        elif path.exists():
            add(path, True)
        elif _GLOB_CHARS & set(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            files = [Path(m) for m in matches if Path(m).is_file()]
            if not files:
                raise UserError("no files match this pattern", raw)
            for match in files:
                add(match, False)
        else:
            raise UserError("no such file or directory", raw)
    return list(found.values())


def _parse(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError("not a text file (cannot decode as UTF-8)", path) from None
    except OSError as exc:
        raise UserError(f"cannot read: {exc.strerror or exc}", path) from exc
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(
                f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", path
            ) from None
    try:
        return yaml.load(text, Loader=CfnLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise UserError(
            f"invalid YAML{where}: {getattr(exc, 'problem', None) or exc}", path
        ) from None


def _is_container_list(data: Any) -> bool:
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(c, dict) and ("name" in c or "image" in c) for c in data)
    )


def _cloudformation(path: Path, data: dict[str, Any]) -> Iterator[TaskDefinitionInput]:
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        return
    for logical_id, resource in resources.items():
        if isinstance(resource, dict) and resource.get("Type") == TASK_DEFINITION:
            props = resource.get("Properties") or {}
            yield TaskDefinitionInput(
                path, "cloudformation", task_definition_from_cfn(props), str(logical_id)
            )


def task_definitions(data: Any, path: Path) -> list[TaskDefinitionInput]:
    """Every task definition in one parsed document (empty if the shape is not recognised)."""
    if isinstance(data, dict):
        if "Resources" in data and isinstance(data["Resources"], dict):
            return list(_cloudformation(path, data))
        if isinstance(data.get("taskDefinition"), dict):
            return [TaskDefinitionInput(path, "describe-output", data["taskDefinition"])]
        if "containerDefinitions" in data:
            return [TaskDefinitionInput(path, "register-request", data)]
    if _is_container_list(data):
        return [TaskDefinitionInput(path, "container-list", {"containerDefinitions": data})]
    return []


def load(file: InputFile) -> list[TaskDefinitionInput]:
    """Task definitions in a file. A file named explicitly must contain at least one."""
    found = task_definitions(_parse(file.path), file.path)
    if not found and file.explicit:
        raise UserError(
            "no task definition found (expected a RegisterTaskDefinition request, "
            "describe-task-definition output, a containerDefinitions list, or a "
            f"CloudFormation template with {TASK_DEFINITION})",
            file.path,
        )
    return found
