"""ecs-readonly-root-filesystem: every container sets readonlyRootFilesystem to exactly true."""

from __future__ import annotations

from .. import ecs_model
from ..config import PolicyConfig
from ..taskdef import TaskDefinition, Unknown, container_label, container_name, describe_value
from .common import Issue, prefix, unknown_issue, whole_task_issue

KEY = "readonlyRootFilesystem"


def _misspelling(container: dict[str, object]) -> str | None:
    """A key that was meant to be readonlyRootFilesystem (e.g. `readOnlyRootFilesystem`): only
    keys the ECS model doesn't know are candidates, so valid definitions cost no difflib call."""
    known = ecs_model.container_member_set()
    for key in container:
        if isinstance(key, str) and key not in known and ecs_model.suggest_key(key, (KEY,)):
            return key
    return None


def check(td: TaskDefinition, cfg: PolicyConfig) -> list[Issue]:
    whole = whole_task_issue(td, KEY)
    if whole is not None:
        return [whole]
    issues: list[Issue] = []
    for index, container in enumerate(td.containers or ()):
        label = container_label(container, index)
        if isinstance(container, Unknown):
            issues.append(
                unknown_issue(
                    td, f"container {label} can't be known during preview", container, None
                )
            )
            continue
        if not isinstance(container, dict):
            issues.append(
                Issue(
                    f"{prefix(td)}containerDefinitions[{index}] is {describe_value(container)}, "
                    f"not a container definition object, so its {KEY} can't be checked"
                )
            )
            continue
        name = container_name(container)
        exempt_key = name if isinstance(name, str) else None
        value = container.get(KEY)
        if value is True:
            continue
        if isinstance(value, Unknown):
            issues.append(
                unknown_issue(
                    td, f"container {label}: {KEY} can't be known during preview", value, exempt_key
                )
            )
            continue
        if KEY not in container or value is None:
            state = "unset (ECS then defaults to false: a writable root filesystem)"
        elif value is False:
            state = "false"
        else:
            state = f"{describe_value(value)}, not the boolean true"
        typo = _misspelling(container)
        typo_note = (
            f' It has the key "{typo}" instead, which ECS does not know: pulumi-aws drops it '
            "silently and the container stays writable."
            if typo and KEY not in container
            else ""
        )
        issues.append(
            Issue(
                f"{prefix(td)}container {label} has {KEY} {state}.{typo_note} Fix: set "
                f'"{KEY}": true on container {label}; give any path it writes its own volume.',
                exempt_key,
            )
        )
    return issues
