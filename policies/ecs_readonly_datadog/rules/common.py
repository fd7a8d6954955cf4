"""What the rules share: the Issue they return, and who in a task is the Datadog Agent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..images import is_agent_image
from ..taskdef import (
    TaskDefinition,
    Unknown,
    container_label,
    container_name,
    list_field,
    waits_for_exit,
)


@dataclass(frozen=True)
class Issue:
    """One rule outcome. `unknown` issues mean "can't decide during preview", not a failure."""

    message: str
    container: str | None = None
    """The container's name, when known: the key `exemptContainers` matches."""
    unknown: bool = False
    sentinel: str | None = None
    """For unknown issues, the sentinel seen (tells the SDK's message the value's type)."""


STRING_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def prefix(td: TaskDefinition) -> str:
    return f"task definition '{td.label}': "


def unknown_issue(td: TaskDefinition, text: str, value: Any, container: str | None) -> Issue:
    sentinel = value.sentinel if isinstance(value, Unknown) else STRING_SENTINEL
    return Issue(prefix(td) + text, container, unknown=True, sentinel=sentinel)


def whole_task_issue(td: TaskDefinition, subject: str) -> Issue | None:
    """The issue when containerDefinitions as a whole is unknown or unusable, else None."""
    if td.containers_unknown is not None:
        return unknown_issue(
            td,
            f"containerDefinitions can't be known during preview, so {subject} can't be checked "
            "until the update",
            td.containers_unknown,
            None,
        )
    if td.containers is None:
        problem = td.containers_problem or "containerDefinitions is unusable"
        return Issue(f"{prefix(td)}{problem}, so {subject} can't be checked")
    return None


@dataclass(frozen=True)
class AgentContainer:
    index: int
    container: dict[str, Any]
    label: str
    name: str | None
    image: str


@dataclass(frozen=True)
class Classification:
    agents: tuple[AgentContainer, ...]
    """Agent-image containers that no other container waits on with SUCCESS/COMPLETE."""
    inits: tuple[AgentContainer, ...]
    """Agent-image containers that another container waits on: init containers."""
    uncertain: tuple[tuple[Any, int, str], ...]
    """(value that is unknown, container index, why) for containers whose role is unknown."""


def classify(td: TaskDefinition, patterns: Sequence[str]) -> Classification:
    """Split the task's Agent-image containers into the Agent(s) and init containers."""
    key = f"classify:{tuple(patterns)!r}"
    cached = td.memo.get(key)
    if isinstance(cached, Classification):
        return cached
    containers = td.containers or ()

    # Who is waited on with SUCCESS/COMPLETE, definitely or possibly (unknown names/conditions).
    waited: set[str] = set()
    maybe_waited: set[str] = set()
    maybe_any: Any = None  # an Unknown that could make any container an init
    for depender in containers:
        if isinstance(depender, Unknown):
            # A container unknown as a whole may wait on any other one with SUCCESS.
            maybe_any = maybe_any or depender
            continue
        if not isinstance(depender, dict):
            continue
        deps = list_field(depender, "dependsOn")
        if isinstance(deps, Unknown):
            maybe_any = maybe_any or deps
            continue
        own = container_name(depender)
        for dep in deps:
            if isinstance(dep, Unknown):
                maybe_any = maybe_any or dep
                continue
            if not isinstance(dep, dict):
                continue
            target, condition = dep.get("containerName"), dep.get("condition")
            if isinstance(condition, Unknown) or waits_for_exit(condition):
                if isinstance(target, Unknown):
                    maybe_any = maybe_any or target
                elif isinstance(target, str) and target != own:
                    if isinstance(condition, Unknown):
                        maybe_waited.add(target)
                    else:
                        waited.add(target)

    agents: list[AgentContainer] = []
    inits: list[AgentContainer] = []
    uncertain: list[tuple[Any, int, str]] = []
    for index, container in enumerate(containers):
        if isinstance(container, Unknown):
            uncertain.append((container, index, "the whole container definition is unknown"))
            continue
        if not isinstance(container, dict):
            continue
        image = container.get("image")
        if isinstance(image, Unknown):
            uncertain.append((image, index, "its image is unknown"))
            continue
        if not is_agent_image(image, patterns):
            continue
        assert isinstance(image, str)
        name = container_name(container)
        label = container_label(container, index)  # only for Agent images: most aren't
        entry = AgentContainer(
            index, container, label, name if isinstance(name, str) else None, image
        )
        if isinstance(name, Unknown):
            if waited or maybe_waited or maybe_any is not None:
                uncertain.append((name, index, "its name is unknown"))
                continue
            agents.append(entry)
        elif name in waited:
            inits.append(entry)
        elif name in maybe_waited or maybe_any is not None:
            uncertain.append(
                (
                    maybe_any or Unknown(STRING_SENTINEL),
                    index,
                    "a dependsOn that may target it is unknown",
                )
            )
        else:
            agents.append(entry)
    result = Classification(tuple(agents), tuple(inits), tuple(uncertain))
    td.memo[key] = result
    return result


def init_hint(agent: AgentContainer) -> str:
    """An Agent-image container nobody waits on counts as the Agent; when it is non-essential
    it is probably an init container whose dependsOn was forgotten, so say how to mark it."""
    if agent.container.get("essential") is not False:
        return ""
    return (
        f" ({agent.label} is non-essential: if it is an init container, make the Agent dependsOn "
        "it with condition SUCCESS, then it is not checked as the Agent.)"
    )


def uncertain_issues(
    td: TaskDefinition, classification: Classification, subject: str
) -> list[Issue]:
    issues = []
    for value, index, why in classification.uncertain:
        container = td.containers[index] if td.containers else None
        name = container_name(container)
        issues.append(
            unknown_issue(
                td,
                f"container {container_label(container, index)}: {why} during preview, so it "
                f"can't be told whether it is the Datadog Agent ({subject} unchecked)",
                value,
                name if isinstance(name, str) else None,
            )
        )
    return issues
