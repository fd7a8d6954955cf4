"""datadog-agent-writable-mounts / datadog-agent-recommended-mounts: the Agent container mounts
a writable, defined task volume at each listed path."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from ..config import PolicyConfig
from ..taskdef import TaskDefinition, Unknown, list_field, normalize_path
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

# Volume names the fix suggests; the seed article's names, so its task definition reads the same.
SUGGESTED_VOLUMES = {
    "/etc/datadog-agent": "datadog-config",
    "/opt/datadog-agent/run": "datadog-run",
    "/var/run/datadog": "datadog-sockets",
    "/tmp": "datadog-tmp",
    "/var/log/datadog": "datadog-logs",
}
PURPOSES = {
    "/etc/datadog-agent": "config",
    "/opt/datadog-agent/run": "runtime state",
    "/var/run/datadog": "APM and DogStatsD sockets",
    "/tmp": "flares",
    "/var/log/datadog": "the Agent's own logs",
}

OK, UNKNOWN, MISSING, READ_ONLY, UNDEFINED, NO_VOLUME = (
    "ok",
    "unknown",
    "missing",
    "read-only",
    "undefined",
    "no-volume",
)


def mount_status(td: TaskDefinition, mounts: list[Any], path: str) -> tuple[str, str | None]:
    """How `path` is mounted: (OK, volume), (UNKNOWN, None), (MISSING, None), or a problem
    (READ_ONLY / UNDEFINED, volume) / (NO_VOLUME, None) for the first mount at the path."""
    uncertain = False
    problem: tuple[str, str | None] | None = None
    for mount in mounts:
        if isinstance(mount, Unknown):
            uncertain = True
            continue
        if not isinstance(mount, dict):
            continue
        target = mount.get("containerPath")
        if isinstance(target, Unknown):
            uncertain = True
            continue
        if normalize_path(target) != path:
            continue
        volume, read_only = mount.get("sourceVolume"), mount.get("readOnly")
        if isinstance(volume, Unknown) or isinstance(read_only, Unknown):
            uncertain = True
            continue
        if not isinstance(volume, str) or not volume:
            found: tuple[str, str | None] = (NO_VOLUME, None)
        elif volume not in td.volume_names:
            if td.volumes_uncertain:
                uncertain = True
                continue
            found = (UNDEFINED, volume)
        elif read_only is True:
            found = (READ_ONLY, volume)
        else:
            return OK, volume
        problem = problem or found
    if uncertain:
        return UNKNOWN, None
    return problem or (MISSING, None)


def suggest_volume_name(path: str, taken: set[str]) -> str:
    base = SUGGESTED_VOLUMES.get(path) or "datadog-" + (
        re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "root"
    )
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


def _describe(path: str) -> str:
    purpose = PURPOSES.get(path)
    return f"{path} ({purpose})" if purpose else path


def _js(value: Any) -> str:
    return json.dumps(value)


def _agent_issues(
    td: TaskDefinition, agent: AgentContainer, paths: Iterable[str], required: bool
) -> list[Issue]:
    mounts = list_field(agent.container, "mountPoints")
    if isinstance(mounts, Unknown):
        return [
            unknown_issue(
                td,
                f"Datadog Agent container {agent.label}: mountPoints can't be known during preview",
                mounts,
                agent.name,
            )
        ]
    bad: list[tuple[str, str, str | None]] = []
    unknown: list[str] = []
    for path in paths:
        status, volume = mount_status(td, mounts, path)
        if status == UNKNOWN:
            unknown.append(path)
        elif status != OK:
            bad.append((path, status, volume))

    issues: list[Issue] = []
    if bad:
        taken = set(td.volume_names)
        reasons, new_volumes, new_mounts, other_fixes = [], [], [], []
        for path, status, volume in bad:
            if status == READ_ONLY:
                reasons.append(f"{_describe(path)}: volume '{volume}' is mounted read-only")
                other_fixes.append(
                    f"set \"readOnly\": false (or drop it) on the mount of '{volume}' at {path}"
                )
            elif status == UNDEFINED:
                reasons.append(
                    f"{_describe(path)}: volume '{volume}' is mounted but not defined in the task "
                    "definition's volumes"
                )
                new_volumes.append(_js({"name": volume}))
            else:
                why = (
                    "no mount point" if status == MISSING else "its mount point has no sourceVolume"
                )
                reasons.append(f"{_describe(path)}: {why}")
                name = suggest_volume_name(path, taken)
                new_volumes.append(_js({"name": name}))
                new_mounts.append(
                    _js({"sourceVolume": name, "containerPath": path, "readOnly": False})
                )
        fixes = []
        if new_volumes:
            fixes.append('add to the task definition\'s "volumes": ' + ", ".join(new_volumes))
        if new_mounts:
            fixes.append(f'add to the "mountPoints" of {agent.label}: ' + ", ".join(new_mounts))
        fixes.extend(other_fixes)
        verb = "needs" if required else "should have"
        issues.append(
            Issue(
                f"{prefix(td)}Datadog Agent container {agent.label} ({agent.image}) {verb} a "
                f"writable task volume at each of {', '.join(paths)}. Not satisfied: "
                + "; ".join(reasons)
                + ". Fix: "
                + "; ".join(fixes)
                + ". On Fargate a volume with no host configuration is task ephemeral storage."
                + init_hint(agent),
                agent.name,
            )
        )
    if unknown:
        issues.append(
            unknown_issue(
                td,
                f"Datadog Agent container {agent.label}: the mounts at {', '.join(unknown)} "
                "can't be known during preview",
                None,
                agent.name,
            )
        )
    return issues


def check(td: TaskDefinition, cfg: PolicyConfig, *, required: bool) -> list[Issue]:
    subject = "the Datadog Agent's mounts"
    whole = whole_task_issue(td, subject)
    if whole is not None:
        return [whole]
    classification = classify(td, cfg.agent_image_patterns)
    issues = uncertain_issues(td, classification, subject)
    paths = list(cfg.paths)
    for agent in classification.agents:
        issues.extend(_agent_issues(td, agent, paths, required))
    return issues


def check_required(td: TaskDefinition, cfg: PolicyConfig) -> list[Issue]:
    return check(td, cfg, required=True)


def check_recommended(td: TaskDefinition, cfg: PolicyConfig) -> list[Issue]:
    return check(td, cfg, required=False)
