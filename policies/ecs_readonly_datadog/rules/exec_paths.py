"""ecs-exec-readonly-paths: a service with ECS Exec enabled whose task definition has read-only
containers gives each of them writable volumes where the SSM agent writes.

AWS documents ECS Exec as unsupported with a read-only root filesystem; the SSM agent that ECS
injects needs /managed-agents, /var/lib/amazon/ssm and /var/log/amazon/ssm writable
(aws/containers-roadmap#1359). Without them the container runs, but `aws ecs execute-command`
into it fails. This is a stack rule: the flag lives on the service, the containers on the task
definition it references.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..config import PolicyConfig
from ..taskdef import TaskDefinition, Unknown, container_name, list_field
from .common import Issue, classify, prefix
from .mounts import OK, UNKNOWN, mount_status

SERVICE_TYPES = frozenset({"aws:ecs/service:Service", "aws-native:ecs:Service"})


@dataclass(frozen=True)
class ServiceView:
    """What the rule needs of a service: its name and whether it enables ECS Exec."""

    name: str
    execute_command: bool | Unknown


def service_view(props: Mapping[str, Any], name: str) -> ServiceView:
    flag = props.get("enableExecuteCommand")
    if isinstance(flag, str) and flag.startswith("04da6b54"):  # the wire's unknown sentinel
        flag = Unknown(flag)
    return ServiceView(name, flag if isinstance(flag, (bool, Unknown)) else False)


def _skipped(td: TaskDefinition, cfg: PolicyConfig) -> set[str]:
    """Containers not checked: Datadog init containers (they exit before anyone could exec in)
    and, unless `includeDatadogAgent`, the Agent (exec into it is rare and opt-in). FireLens
    routers are skipped in `check` too."""
    roles = classify(td, cfg.agent_image_patterns)
    skipped = {c.name for c in roles.inits if c.name}
    if not cfg.include_agent:
        skipped |= {c.name for c in roles.agents if c.name}
    return skipped


def check(service: ServiceView, td: TaskDefinition, cfg: PolicyConfig) -> list[Issue]:
    if service.execute_command is not True or td.containers is None:
        return []
    issues: list[Issue] = []
    skipped = _skipped(td, cfg)
    for container in td.containers:
        if not isinstance(container, dict) or container.get("readonlyRootFilesystem") is not True:
            continue  # writable roots need nothing; the read-only rule reports them
        name = container_name(container)
        if not isinstance(name, str) or name in skipped or "firelensConfiguration" in container:
            continue  # nor the FireLens router: a log shipper nobody execs into
        mounts = list_field(container, "mountPoints")
        if isinstance(mounts, Unknown):
            continue
        missing = [p for p in cfg.paths if mount_status(td, mounts, p)[0] not in (OK, UNKNOWN)]
        if missing:
            issues.append(
                Issue(
                    f"{prefix(td)}service '{service.name}' enables ECS Exec, but read-only "
                    f"container '{name}' has no writable volume at {', '.join(missing)}, where "
                    "the SSM agent writes, so `aws ecs execute-command` into it will fail. Add a "
                    "task volume per path and a mountPoint for each on the container (AWS "
                    "documents Exec with read-only roots as unsupported; these writable paths "
                    "are the proven workaround).",
                    container=name,
                )
            )
    return issues


def services_with_task_definitions(
    resources: Iterable[Any], task_definition_types: frozenset[str]
) -> list[tuple[Any, Any]]:
    """(service, task definition) pairs of a stack, matched through the service's
    `taskDefinition` property dependency (known even in a first preview, unlike the ARN)."""
    by_urn = {r.urn: r for r in resources}
    pairs = []
    for resource in by_urn.values():
        if resource.resource_type not in SERVICE_TYPES:
            continue
        deps = (getattr(resource, "property_dependencies", None) or {}).get("taskDefinition", [])
        for dep in deps:
            target = by_urn.get(getattr(dep, "urn", None))
            if target is not None and target.resource_type in task_definition_types:
                pairs.append((resource, target))
    return pairs
