"""datadog-agent-config-init: the Agent's /etc/datadog-agent volume is seeded by an init
container. Without seeding the Agent starts, but its default checks (ecs_fargate...) are gone."""

from __future__ import annotations

import json
from typing import Any

from ..config import CONFIG_PATH, PolicyConfig
from ..images import is_agent_image
from ..taskdef import (
    TaskDefinition,
    Unknown,
    container_label,
    container_name,
    is_essential,
    list_field,
    normalize_path,
)
from .common import (
    AgentContainer,
    Issue,
    classify,
    init_hint,
    prefix,
    uncertain_issues,
    unknown_issue,
    whole_task_issue,
)
from .mounts import (
    MISSING,
    NO_VOLUME,
    OK,
    READ_ONLY,
    UNDEFINED,
    UNKNOWN,
    mount_status,
    suggest_volume_name,
)

STAGING_PATH = "/opt/datadog-agent-config"
SEED_COMMAND = f"cp -R /etc/datadog-agent/* {STAGING_PATH}/"


def _fix(td: TaskDefinition, agent: AgentContainer, volume: str, init_name: str) -> str:
    init = {
        "name": init_name,
        "image": agent.image,
        "essential": False,
        "readonlyRootFilesystem": True,
        "command": ["sh", "-c", SEED_COMMAND],
        "mountPoints": [{"sourceVolume": volume, "containerPath": STAGING_PATH}],
    }
    depends = [{"containerName": init_name, "condition": "SUCCESS"}]
    return (
        f"Fix: add the init container {json.dumps(init)} and on {agent.label} "
        f'"dependsOn": {json.dumps(depends)}.'
    )


def _candidate(
    agent: AgentContainer,
    container: dict[str, Any],
    index: int,
    volume: str,
    patterns: tuple[str, ...],
) -> tuple[list[str], bool] | None:
    """(problems, uncertain) for a possible seeding container, or None if it can't be one."""
    image = container.get("image")
    uncertain = isinstance(image, Unknown)
    if not uncertain and not is_agent_image(image, patterns):
        return None
    mounts = list_field(container, "mountPoints")
    if isinstance(mounts, Unknown):
        return [], True
    label = container_label(container, index)
    mounted = False
    read_only: Any = None
    target: Any = None
    for mount in mounts:
        if isinstance(mount, Unknown):
            uncertain = True
        elif isinstance(mount, dict):
            source = mount.get("sourceVolume")
            if isinstance(source, Unknown):
                uncertain = True
            elif source == volume:
                mounted, read_only = True, mount.get("readOnly")
                target = mount.get("containerPath")
                if read_only is not True:
                    break
    if not mounted:
        return ([], True) if uncertain else None

    problems: list[str] = []
    if isinstance(read_only, Unknown):
        uncertain = True
    elif read_only is True:
        problems.append(f"{label} mounts '{volume}' read-only, so it can't copy into it")
    if isinstance(target, Unknown):
        uncertain = True
    else:
        path = normalize_path(target)
        if path is not None and (CONFIG_PATH + "/").startswith(path.rstrip("/") + "/"):
            # The volume would hide the very defaults the init container is there to copy.
            problems.append(
                f"{label} mounts '{volume}' at {path}, which hides the image's "
                f"{CONFIG_PATH} defaults it should copy; mount it at a staging path such as "
                f"{STAGING_PATH}"
            )
    essential = is_essential(container)
    if isinstance(essential, Unknown):
        uncertain = True
    elif essential:
        problems.append(
            f'{label} is essential (essential defaults to true); set "essential": false so the '
            "task keeps running after it exits"
        )
    name = container_name(container)
    deps = list_field(agent.container, "dependsOn")
    if isinstance(name, Unknown) or isinstance(deps, Unknown):
        return problems, True
    conditions = []
    for dep in deps:
        if isinstance(dep, Unknown):
            uncertain = True
        elif isinstance(dep, dict) and dep.get("containerName") == name:
            conditions.append(dep.get("condition"))
    if "SUCCESS" not in conditions:
        if any(isinstance(c, Unknown) for c in conditions):
            uncertain = True
        elif conditions:
            shown = ", ".join(json.dumps(c) for c in conditions)
            problems.append(
                f"{agent.label} depends on {label} with condition {shown}, not SUCCESS (only "
                "SUCCESS waits for a successful copy)"
            )
        else:
            problems.append(f"{agent.label} does not dependsOn {label} with condition SUCCESS")
    return problems, uncertain


def _agent_issue(td: TaskDefinition, agent: AgentContainer, cfg: PolicyConfig) -> Issue | None:
    mounts = list_field(agent.container, "mountPoints")
    if isinstance(mounts, Unknown):
        return unknown_issue(
            td,
            f"Datadog Agent container {agent.label}: mountPoints can't be known during preview",
            mounts,
            agent.name,
        )
    taken = set(td.volume_names)
    names = {container_name(c) for c in td.containers or ()}
    init_name = "datadog-init" if "datadog-init" not in names else "datadog-config-init"
    status, volume = mount_status(td, mounts, CONFIG_PATH)
    if status == UNKNOWN:
        return unknown_issue(
            td,
            f"Datadog Agent container {agent.label}: its mount at {CONFIG_PATH} can't be "
            "known during preview",
            None,
            agent.name,
        )
    if status in (MISSING, NO_VOLUME) or volume is None:
        new_volume = suggest_volume_name(CONFIG_PATH, taken)
        mount = {"sourceVolume": new_volume, "containerPath": CONFIG_PATH}
        return Issue(
            f"{prefix(td)}Datadog Agent container {agent.label} has no volume at {CONFIG_PATH}, "
            "so nothing seeds its config with the image's defaults. "
            f'Add {{"name": "{new_volume}"}} to "volumes" and {json.dumps(mount)} to its '
            '"mountPoints" (see datadog-agent-writable-mounts). '
            + _fix(td, agent, new_volume, init_name)
            + init_hint(agent),
            agent.name,
        )
    assert status in (OK, READ_ONLY, UNDEFINED)

    best: tuple[list[str], str] | None = None
    uncertain = False
    for index, container in enumerate(td.containers or ()):
        if index == agent.index:
            continue
        if isinstance(container, Unknown):
            uncertain = True
            continue
        if not isinstance(container, dict):
            continue
        found = _candidate(agent, container, index, volume, cfg.agent_image_patterns)
        if found is None:
            continue
        problems, maybe = found
        if not problems and not maybe:
            return None  # seeded properly
        uncertain = uncertain or (maybe and not problems)
        if problems and (best is None or len(problems) < len(best[0])):
            best = (problems, container_label(container, index))
    if uncertain:
        return unknown_issue(
            td,
            f"Datadog Agent container {agent.label}: whether an init container seeds volume "
            f"'{volume}' at {CONFIG_PATH} can't be known during preview",
            None,
            agent.name,
        )
    lead = (
        f"{prefix(td)}Datadog Agent container {agent.label} mounts volume '{volume}' at "
        f"{CONFIG_PATH}, but nothing seeds it with the image's default config (default checks "
        "such as ecs_fargate would silently go missing): "
    )
    if best is None:
        return Issue(
            lead
            + f"no other container from a Datadog Agent image mounts '{volume}'. "
            + _fix(td, agent, volume, init_name),
            agent.name,
        )
    problems, label = best
    init_label = label.strip("'") if label.startswith("'") else init_name
    return Issue(
        lead
        + f"init container {label}: "
        + "; ".join(problems)
        + ". "
        + _fix(td, agent, volume, init_label),
        agent.name,
    )


def check(td: TaskDefinition, cfg: PolicyConfig) -> list[Issue]:
    subject = "the Datadog Agent's config seeding"
    whole = whole_task_issue(td, subject)
    if whole is not None:
        return [whole]
    classification = classify(td, cfg.agent_image_patterns)
    issues = uncertain_issues(td, classification, subject)
    for agent in classification.agents:
        issue = _agent_issue(td, agent, cfg)
        if issue is not None:
            issues.append(issue)
    return issues
