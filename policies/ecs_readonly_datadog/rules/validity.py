"""ecs-container-definitions-valid: the shape ECS's API model expects, plus the cross
references the model can't see (volumes, dependsOn targets and conditions, duplicate names)."""

from __future__ import annotations

from typing import Any

from .. import ecs_model
from ..config import PolicyConfig
from ..taskdef import (
    TaskDefinition,
    Unknown,
    container_label,
    container_name,
    is_essential,
    list_field,
    waits_for_exit,
)
from .common import STRING_SENTINEL, Issue, prefix, unknown_issue, whole_task_issue


def _model_errors(td: TaskDefinition) -> list[ecs_model.ModelError]:
    cached = td.memo.get("model-errors")
    if cached is None:
        cached = ecs_model.validate_container_definitions(td.containers or ())
        td.memo["model-errors"] = cached
    assert isinstance(cached, list)
    return cached


def _references(td: TaskDefinition) -> tuple[list[tuple[int, str]], list[str]]:
    """(container index, problem) for broken references, and what can't be known yet."""
    containers = td.containers or ()
    found: list[tuple[int, str]] = []
    deferred: list[str] = []
    by_name: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for index, container in enumerate(containers):
        name = container_name(container)
        if isinstance(name, str):
            if name in seen:
                found.append(
                    (
                        index,
                        f"duplicate container name '{name}' (also containerDefinitions[{seen[name]}])",
                    )
                )
            else:
                seen[name] = index
                by_name[name] = container
    names_uncertain = any(
        isinstance(c, Unknown) or isinstance(container_name(c), Unknown) for c in containers
    )
    conditions = ecs_model.dependency_conditions()

    for index, container in enumerate(containers):
        if not isinstance(container, dict):
            continue
        mounts = list_field(container, "mountPoints")
        for m_index, mount in enumerate(mounts if isinstance(mounts, list) else []):
            volume = mount.get("sourceVolume") if isinstance(mount, dict) else None
            if not isinstance(volume, str) or volume in td.volume_names:
                continue
            if td.volumes_uncertain:
                deferred.append(f"whether volume '{volume}' exists (a volume name is unknown)")
            else:
                found.append(
                    (
                        index,
                        f"mountPoints[{m_index}] uses volume '{volume}', which is not in the "
                        "task definition's volumes",
                    )
                )
        deps = list_field(container, "dependsOn")
        for d_index, dep in enumerate(deps if isinstance(deps, list) else []):
            if not isinstance(dep, dict):
                continue
            target, condition = dep.get("containerName"), dep.get("condition")
            where = f"dependsOn[{d_index}]"
            if isinstance(condition, str) and condition not in conditions:
                found.append(
                    (
                        index,
                        f'{where} has condition "{condition}"; ECS accepts {", ".join(conditions)}',
                    )
                )
            if not isinstance(target, str):
                continue
            if target not in by_name:
                if not names_uncertain:
                    found.append(
                        (index, f"{where} names container '{target}', which is not in this task")
                    )
                continue
            other = by_name[target]
            essential = is_essential(other)
            if waits_for_exit(condition) and essential is True:
                found.append(
                    (
                        index,
                        f"{where} waits for '{target}' to exit ({condition}), but '{target}' is "
                        'essential (the default), and ECS rejects that: set "essential": false '
                        "on it",
                    )
                )
            if condition == "HEALTHY" and other.get("healthCheck") is None:
                found.append(
                    (
                        index,
                        f"{where} waits for '{target}' to be HEALTHY, but '{target}' has no healthCheck",
                    )
                )
    return found, deferred


def check(td: TaskDefinition, cfg: PolicyConfig) -> list[Issue]:
    whole = whole_task_issue(td, "the container definitions")
    if whole is not None:
        return [whole]
    containers = td.containers or ()
    issues: list[Issue] = []
    if not containers:
        issues.append(
            Issue(f"{prefix(td)}containerDefinitions is empty; a task needs at least one container")
        )
    if td.volumes_problem:
        issues.append(Issue(prefix(td) + td.volumes_problem))

    def container_issue(index: int | None, text: str) -> Issue:
        if index is None or index >= len(containers):
            return Issue(prefix(td) + text)
        container = containers[index]
        name = container_name(container)
        return Issue(
            f"{prefix(td)}container {container_label(container, index)}: {text}",
            name if isinstance(name, str) else None,
        )

    for error in _model_errors(td):
        issues.append(container_issue(error.index, error.message))
    # The model marks nothing required, but ECS rejects a container without a name or image.
    for index, container in enumerate(containers):
        if isinstance(container, dict):
            for key in ("name", "image"):
                value = container.get(key)
                if value is None or value == "":
                    issues.append(container_issue(index, f'"{key}" is required'))
    broken, deferred = _references(td)
    for index, text in broken:
        issues.append(container_issue(index, text))

    if td.has_unknowns or deferred:
        paths = [*td.unknown_paths(), *dict.fromkeys(deferred)]
        shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        issues.append(
            unknown_issue(
                td,
                f"{shown} can't be known during preview, so they can't be validated "
                "until the update",
                Unknown(STRING_SENTINEL),
                None,
            )
        )
    return issues
