"""A Pulumi project on disk: ``Pulumi.yaml`` (name, runtime, main) and its stack config."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import UserError


@dataclass(frozen=True)
class Project:
    name: str
    root: Path  # the directory holding Pulumi.yaml
    program_dir: Path  # where the program runs: ``main`` if it is a directory, else root
    entry: Path  # the file to run
    defaults: Mapping[str, Any] = field(default_factory=dict)  # project-level config values


@dataclass(frozen=True)
class StackConfig:
    values: dict[str, str]  # "namespace:key" -> string, as the language host passes config
    secret_keys: frozenset[str] = frozenset()


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read: {exc.strerror or exc}", path) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise UserError(f"invalid YAML{where}: {getattr(exc, 'problem', exc)}", path) from exc


def load_project(directory: Path) -> Project:
    if not directory.exists():
        raise UserError("no such directory", directory)
    if not directory.is_dir():
        raise UserError("not a directory (expected a Pulumi project directory)", directory)
    manifest = next(
        (directory / n for n in ("Pulumi.yaml", "Pulumi.yml") if (directory / n).is_file()), None
    )
    if manifest is None:
        raise UserError("not a Pulumi project (no Pulumi.yaml)", directory)
    data = _read_yaml(manifest)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not data["name"]:
        raise UserError("Pulumi.yaml needs a 'name'", manifest)
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise UserError(
            f"runtime is {runtime_name!r}; only Python programs can be previewed", manifest
        )

    root = directory.resolve()
    main = data.get("main")
    target = (root / str(main)).resolve() if main else root
    if not target.exists():
        raise UserError(f"'main: {main}' does not exist", manifest)
    program_dir, entry = (
        (target, target / "__main__.py") if target.is_dir() else (target.parent, target)
    )
    if not entry.is_file():
        raise UserError(f"no __main__.py in {program_dir}", manifest)

    defaults: dict[str, Any] = {}
    for key, spec in (data.get("config") or {}).items():
        if isinstance(spec, dict):
            if "value" in spec or "default" in spec:
                defaults[_qualify(str(key), data["name"])] = spec.get("value", spec.get("default"))
        else:
            defaults[_qualify(str(key), data["name"])] = spec
    return Project(data["name"], root, program_dir, entry, defaults)


def _qualify(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return ("secure" in value and len(value) == 1) or any(
            _has_secure(v) for v in value.values()
        )
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def _plain(value: Any) -> Any:
    """Structured config with ``secure`` leaves replaced by their (still encrypted) text."""
    if isinstance(value, dict):
        if "secure" in value and len(value) == 1:
            return str(value["secure"])
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _to_string(value: Any) -> str:
    # The language host hands every config value to the program as a string; structured
    # values as JSON, booleans and numbers as their YAML/JSON spelling.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)


def load_stack_config(project: Project, stack: str, overrides: Sequence[str] = ()) -> StackConfig:
    """Project defaults, then ``Pulumi.<stack>.yaml``, then ``--config KEY=VALUE`` overrides.

    ``secure:`` values cannot be decrypted offline; the program gets the ciphertext, marked
    secret, so nothing downstream ever prints it.
    """
    values: dict[str, str] = {k: _to_string(v) for k, v in project.defaults.items()}
    secret: set[str] = set()
    path = next(
        (
            project.root / f"Pulumi.{stack}.{ext}"
            for ext in ("yaml", "yml")
            if (project.root / f"Pulumi.{stack}.{ext}").is_file()
        ),
        None,
    )
    if path is not None:
        data = _read_yaml(path) or {}
        config = data.get("config") if isinstance(data, dict) else None
        if config is not None and not isinstance(config, dict):
            raise UserError("'config' must be a mapping", path)
        for key, value in (config or {}).items():
            qualified = _qualify(str(key), project.name)
            if _has_secure(value):
                secret.add(qualified)
            values[qualified] = _to_string(_plain(value))
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"--config expects KEY=VALUE, got {item!r}")
        qualified = _qualify(key.strip(), project.name)
        values[qualified] = value
        secret.discard(qualified)
    return StackConfig(values, frozenset(secret))
