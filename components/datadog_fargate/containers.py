"""Container definitions for the task: the init container, the agent and the app containers.

Pure functions of the spec. The result is ECS's own JSON shape (camelCase keys) and may hold
Outputs only where the user passed Outputs (secret ARNs) or for the region; every name here is
derived from the spec, so with known inputs the JSON is known at preview time.
"""

from typing import Any

import pulumi

from . import defaults
from .spec import ContainerSpec, DatadogSpec, MountSpec, ServiceSpec

ContainerDefinition = dict[str, Any]


def _env(pairs: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in sorted(pairs.items())]


def _mounts(mounts: tuple[MountSpec, ...], read_only: bool = False) -> list[dict[str, Any]]:
    return [
        {"sourceVolume": m.volume, "containerPath": m.path, "readOnly": read_only} for m in mounts
    ]


def _logging(spec: ServiceSpec, region: pulumi.Input[str], prefix: str) -> dict[str, Any]:
    return {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": spec.log_group_name,
            "awslogs-region": region,
            "awslogs-stream-prefix": prefix,
            # Never block the app on CloudWatch back-pressure; drop logs past the buffer instead.
            "mode": "non-blocking",
            "max-buffer-size": "25m",
        },
    }


def _mount_specs(pairs: tuple[tuple[str, str], ...]) -> tuple[MountSpec, ...]:
    return tuple(MountSpec(volume=v, path=p) for v, p in pairs)


AGENT_MOUNTS = _mount_specs(defaults.AGENT_VOLUMES)
AGENT_EXEC_MOUNTS = _mount_specs(defaults.AGENT_EXEC_VOLUMES)
SOCKETS_MOUNT = MountSpec(volume=defaults.SOCKETS_VOLUME, path=defaults.SOCKETS_DIR)


def agent_mounts(spec: ServiceSpec) -> tuple[MountSpec, ...]:
    if spec.enable_execute_command and spec.datadog.agent_execute_command:
        return AGENT_MOUNTS + AGENT_EXEC_MOUNTS
    return AGENT_MOUNTS


def router_mounts(spec: ServiceSpec) -> tuple[MountSpec, ...]:
    mounts = _mount_specs(defaults.ROUTER_VOLUMES)
    if spec.datadog.logs.buffer_path:
        mounts += (
            MountSpec(volume=defaults.ROUTER_BUFFER_VOLUME, path=spec.datadog.logs.buffer_path),
        )
    return mounts


def init_container(spec: ServiceSpec, region: pulumi.Input[str]) -> ContainerDefinition:
    """Copies the image's default config into the config volume before the agent starts."""
    return {
        "name": defaults.INIT_CONTAINER,
        "image": spec.datadog.agent_image,
        "essential": False,
        "readonlyRootFilesystem": True,
        # Run only the copy: the image's start-up script (s6 init) writes to the root filesystem.
        "entryPoint": ["/bin/sh", "-c"],
        "command": [defaults.SEED_COMMAND],
        "mountPoints": _mounts(
            (MountSpec(volume=defaults.CONFIG_VOLUME, path=defaults.CONFIG_STAGING_DIR),)
        ),
        "logConfiguration": _logging(spec, region, defaults.INIT_CONTAINER),
    }


def agent_environment(dd: DatadogSpec) -> dict[str, str]:
    env = dict(dd.agent_environment)
    env.update(
        {
            "ECS_FARGATE": "true",
            "DD_SITE": dd.site,
            "DD_APM_ENABLED": "true",
            "DD_ECS_TASK_COLLECTION_ENABLED": "true" if dd.task_collection else "false",
        }
    )
    if dd.transport == "unix":
        # Explicit: the default socket paths have moved between agent releases.
        env["DD_APM_RECEIVER_SOCKET"] = defaults.APM_SOCKET
        env["DD_DOGSTATSD_SOCKET"] = defaults.DOGSTATSD_SOCKET
    return env


def agent_container(spec: ServiceSpec, region: pulumi.Input[str]) -> ContainerDefinition:
    dd = spec.datadog
    definition: ContainerDefinition = {
        "name": defaults.AGENT_CONTAINER,
        "image": dd.agent_image,
        "essential": True,
        "readonlyRootFilesystem": True,
        "cpu": dd.agent_cpu,
        "memory": dd.agent_memory,
        "environment": _env(agent_environment(dd)),
        "secrets": [{"name": "DD_API_KEY", "valueFrom": dd.api_key}],
        "mountPoints": _mounts(agent_mounts(spec)),
        "dependsOn": [{"containerName": defaults.INIT_CONTAINER, "condition": "SUCCESS"}],
        "healthCheck": {
            "command": ["CMD-SHELL", "agent health"],
            "interval": 30,
            "timeout": 5,
            "retries": 3,
            "startPeriod": 60,
        },
        "logConfiguration": _logging(spec, region, defaults.AGENT_CONTAINER),
    }
    if dd.transport == "tcp":
        definition["portMappings"] = [
            {"containerPort": defaults.APM_PORT, "protocol": "tcp"},
            {"containerPort": defaults.DOGSTATSD_PORT, "protocol": "udp"},
        ]
    return definition


def router_options(spec: ServiceSpec) -> dict[str, str]:
    options = {"enable-ecs-log-metadata": "true"}
    if spec.datadog.logs.config_file:
        # Fargate reads FireLens config files only from the image (no S3).
        options |= {"config-file-type": "file", "config-file-value": spec.datadog.logs.config_file}
    return options


def log_router_container(spec: ServiceSpec, region: pulumi.Input[str]) -> ContainerDefinition:
    """FireLens's Fluent Bit, read-only: it writes only to its /tmp (and buffer) volumes."""
    return {
        "name": defaults.LOG_ROUTER_CONTAINER,
        "image": spec.datadog.logs.router_image,
        "essential": True,
        "readonlyRootFilesystem": True,
        "memoryReservation": defaults.ROUTER_MEMORY_RESERVATION,
        "firelensConfiguration": {"type": "fluentbit", "options": router_options(spec)},
        "mountPoints": _mounts(router_mounts(spec)),
        # The router's own logs stay in CloudWatch: if it cannot ship, you can still see why.
        "logConfiguration": _logging(spec, region, defaults.LOG_ROUTER_CONTAINER),
    }


def firelens_logging(spec: ServiceSpec, container: ContainerSpec) -> dict[str, Any]:
    """Ship a container's logs to Datadog's intake for the site, the API key from its secret."""
    dd = spec.datadog
    tags = {k[3:].lower(): v for k, v in unified_service_tags(dd).items() if k != "DD_SERVICE"}
    tags.update(dd.logs.tags)
    return {
        "logDriver": "awsfirelens",
        "options": {
            "Name": "datadog",
            "Host": f"http-intake.logs.{dd.site}",
            "TLS": "on",
            "compress": "gzip",
            "provider": "ecs",
            "dd_service": dd.service,
            "dd_source": dd.logs.source or container.name,
            "dd_message_key": "log",
            "dd_tags": ",".join(f"{k}:{v}" for k, v in sorted(tags.items())),
        },
        "secretOptions": [{"name": "apikey", "valueFrom": dd.api_key}],
    }


def unified_service_tags(dd: DatadogSpec) -> dict[str, str]:
    """DD_ENV / DD_SERVICE / DD_VERSION for the values that are set."""
    values = {"env": dd.env, "service": dd.service, "version": dd.version}
    return {f"DD_{k.upper()}": v for k, v in values.items() if v}


def app_container(
    spec: ServiceSpec, container: ContainerSpec, region: pulumi.Input[str]
) -> ContainerDefinition:
    dd = spec.datadog
    env = dict(container.environment)
    env.update(unified_service_tags(dd))
    mounts = _mounts(container.writable)
    if dd.transport == "unix":
        env["DD_TRACE_AGENT_URL"] = f"unix://{defaults.APM_SOCKET}"
        env["DD_DOGSTATSD_URL"] = f"unix://{defaults.DOGSTATSD_SOCKET}"
        # Connecting to a socket needs no write access to its directory.
        mounts += _mounts((SOCKETS_MOUNT,), read_only=True)
    else:
        env["DD_AGENT_HOST"] = "localhost"  # awsvpc: the task shares one network namespace
    labels = dict(container.docker_labels)
    labels.update(
        {f"com.datadoghq.tags.{k[3:].lower()}": v for k, v in unified_service_tags(dd).items()}
    )

    definition: ContainerDefinition = {
        "name": container.name,
        "image": container.image,
        "essential": container.essential,
        "readonlyRootFilesystem": True,
        "environment": _env(env),
        "mountPoints": mounts,
        "dockerLabels": labels,
        "logConfiguration": (
            firelens_logging(spec, container)
            if dd.logs.firelens
            else _logging(spec, region, container.name)
        ),
    }
    optional: dict[str, Any] = {
        "cpu": container.cpu,
        "memory": container.memory,
        "memoryReservation": container.memory_reservation,
        "command": list(container.command) if container.command is not None else None,
        "entryPoint": list(container.entry_point) if container.entry_point is not None else None,
        "workingDirectory": container.working_directory,
        "user": container.user,
    }
    definition.update({k: v for k, v in optional.items() if v is not None})
    if container.ports:
        definition["portMappings"] = [
            {"containerPort": p.container_port, "protocol": p.protocol}
            | ({"name": p.name} if p.name else {})
            for p in container.ports
        ]
    if container.secrets:
        definition["secrets"] = [{"name": k, "valueFrom": v} for k, v in container.secrets]
    if container.health_check:
        hc = container.health_check
        definition["healthCheck"] = {
            "command": list(hc.command),
            "interval": hc.interval,
            "timeout": hc.timeout,
            "retries": hc.retries,
            "startPeriod": hc.start_period,
        }
    depends_on = []
    if dd.logs.firelens:  # the router must be up before the first log line
        depends_on.append({"containerName": defaults.LOG_ROUTER_CONTAINER, "condition": "START"})
    if container.depends_on_agent:
        depends_on.append({"containerName": defaults.AGENT_CONTAINER, "condition": "HEALTHY"})
    if depends_on:
        definition["dependsOn"] = depends_on
    return definition


def container_definitions(
    spec: ServiceSpec, region: pulumi.Input[str]
) -> list[ContainerDefinition]:
    sidecars = [init_container(spec, region), agent_container(spec, region)]
    if spec.datadog.logs.firelens:
        sidecars.append(log_router_container(spec, region))
    return [*sidecars, *(app_container(spec, c, region) for c in spec.containers)]


def volume_names(spec: ServiceSpec) -> list[str]:
    """Every task volume: the sidecars', then each app container's writable paths."""
    mounts = list(agent_mounts(spec))
    if spec.datadog.logs.firelens:
        mounts.extend(router_mounts(spec))
    mounts.extend(m for c in spec.containers for m in c.writable)
    return [m.volume for m in mounts]
