"""The component's inputs.

These TypedDicts are the public API in every language: Pulumi's component analyzer turns them, and
the docstring under each field, into the package schema. Keep them plain: no unions other than with
None, no ``from __future__ import annotations`` (the analyzer reads real annotations), and read them
with ``.get()`` because a plain dict arrives when the engine constructs the component.
"""

from typing import NotRequired, TypedDict

import pulumi


class PortMapping(TypedDict):
    """A port the container listens on. awsvpc tasks publish the same port on the task's ENI."""

    container_port: int
    """The port number, 1-65535."""
    protocol: NotRequired[str]
    """`tcp` (default) or `udp`."""
    name: NotRequired[str]
    """A name for the mapping (used by Service Connect)."""


class HealthCheck(TypedDict):
    """An ECS container health check. ECS ignores the image's own HEALTHCHECK."""

    command: list[str]
    """The command, starting with `CMD` or `CMD-SHELL`, e.g. `["CMD-SHELL", "curl -f http://localhost:8080/health"]`."""
    interval: NotRequired[int]
    """Seconds between checks, 5-300 (default 30)."""
    timeout: NotRequired[int]
    """Seconds before a check counts as failed, 2-60 (default 5)."""
    retries: NotRequired[int]
    """Consecutive failures before the container is unhealthy, 1-10 (default 3)."""
    start_period: NotRequired[int]
    """Grace period in seconds before failures count, 0-300 (default 0)."""


class AppContainer(TypedDict):
    """An application container. It always runs with a read-only root filesystem."""

    name: str
    """Container name: letters, digits, `-` and `_`; not `datadog-agent` or `datadog-init`."""
    image: str
    """Image reference, e.g. `ghcr.io/acme/checkout:1.4.2`. Pin a tag or a digest."""
    cpu: NotRequired[int]
    """CPU units reserved for the container (1024 = one vCPU)."""
    memory: NotRequired[int]
    """Hard memory limit in MiB."""
    memory_reservation: NotRequired[int]
    """Soft memory reservation in MiB."""
    essential: NotRequired[bool]
    """Whether the task stops when this container stops (default true)."""
    port_mappings: NotRequired[list[PortMapping]]
    """Ports the container listens on."""
    writable_paths: NotRequired[list[str]]
    """Absolute paths the container writes to; each gets its own volume on task storage, e.g. `["/tmp"]`. Fargate creates them owned by root, mode 0755."""
    environment: NotRequired[dict[str, str]]
    """Plain environment variables. Credentials belong in `secrets`, never here."""
    secrets: NotRequired[dict[str, pulumi.Input[str]]]
    """Environment variables read from Secrets Manager (ARN) or SSM Parameter Store (ARN or `/name`) at start-up."""
    command: NotRequired[list[str]]
    """Overrides the image's CMD."""
    entry_point: NotRequired[list[str]]
    """Overrides the image's ENTRYPOINT."""
    working_directory: NotRequired[str]
    """Working directory of the command."""
    user: NotRequired[str]
    """User (and group) the container runs as, e.g. `1000:1000`. A non-root user can write a `writable_paths` volume only if the image already has that directory owned by the user."""
    health_check: NotRequired[HealthCheck]
    """Container health check."""
    docker_labels: NotRequired[dict[str, str]]
    """Extra Docker labels; the unified service tagging labels are added for you."""
    depends_on_agent: NotRequired[bool]
    """Start only once the Datadog Agent is healthy (default true), so early traces and metrics are not lost."""


class LogsSettings(TypedDict):
    """Where the app containers' logs go."""

    mode: NotRequired[str]
    """`awslogs` (default): CloudWatch Logs. `firelens`: a read-only Fluent Bit `log-router` sends them to Datadog."""
    router_image: NotRequired[str]
    """aws-for-fluent-bit image for the log router, pinned (a tested 2.34.x release by default)."""
    source: NotRequired[str]
    """Datadog `source` of the logs (dd_source); defaults to each container's name."""
    tags: NotRequired[dict[str, str]]
    """Extra Datadog tags for the logs (dd_tags), e.g. `{"team": "payments"}`."""
    config_file: NotRequired[str]
    """Extra Fluent Bit config inside `router_image` (FireLens `config-file-type: file`), e.g. `/fluent-bit/etc/extra.conf`."""
    buffer_path: NotRequired[str]
    """Writable volume in the router for filesystem buffering; set `storage.path` to it in `config_file` (required with it)."""


class DatadogSettings(TypedDict):
    """How the Datadog Agent sidecar runs and how the app containers reach it."""

    api_key_secret_arn: pulumi.Input[str]
    """Where the Datadog API key lives: a Secrets Manager secret ARN or an SSM parameter (ARN or `/name`). Never the key itself."""
    site: NotRequired[str]
    """Datadog site, e.g. `datadoghq.com` (default), `datadoghq.eu`, `us5.datadoghq.com`."""
    env: NotRequired[str]
    """Unified service tagging `env` (DD_ENV)."""
    service: NotRequired[str]
    """Unified service tagging `service` (DD_SERVICE); defaults to the component's name."""
    version: NotRequired[str]
    """Unified service tagging `version` (DD_VERSION)."""
    agent_image: NotRequired[str]
    """Datadog Agent image, pinned to a version or digest (never `latest`). Defaults to a tested 7.x release."""
    agent_cpu: NotRequired[int]
    """CPU units for the agent container (default 256)."""
    agent_memory: NotRequired[int]
    """Memory limit in MiB for the agent container (default 512)."""
    transport: NotRequired[str]
    """How apps send traces and DogStatsD metrics: `unix` sockets in /var/run/datadog (default) or `tcp` on localhost:8126/8125."""
    task_collection: NotRequired[bool]
    """Orchestrator Explorer task collection (DD_ECS_TASK_COLLECTION_ENABLED, default true); adds the read-only ECS permissions it needs."""
    agent_environment: NotRequired[dict[str, str]]
    """Extra plain environment variables for the agent, e.g. `{"DD_LOG_LEVEL": "warn"}`."""
    agent_execute_command: NotRequired[bool]
    """With `enable_execute_command`, also give the agent ECS Exec's writable paths so you can exec into it (default false)."""
    logs: NotRequired[LogsSettings]
    """Log routing: CloudWatch Logs (default) or FireLens to Datadog."""


class LoadBalancerTarget(TypedDict):
    """Registers a container port with an existing target group."""

    target_group_arn: pulumi.Input[str]
    """ARN of the target group (target type `ip`)."""
    container_name: str
    """The app container that receives the traffic."""
    container_port: int
    """One of that container's port mappings."""


class DatadogFargateServiceArgs(TypedDict):
    """A Fargate service with the Datadog Agent as a sidecar, every container on a read-only root filesystem."""

    cluster_arn: pulumi.Input[str]
    """ARN of the ECS cluster the service runs in."""
    subnet_ids: list[pulumi.Input[str]]
    """Subnets for the tasks' network interfaces (private subnets recommended)."""
    security_group_ids: NotRequired[list[pulumi.Input[str]]]
    """Security groups for the tasks. When omitted, an egress-only group is created in `vpc_id`."""
    vpc_id: NotRequired[pulumi.Input[str]]
    """VPC for the egress-only security group created when `security_group_ids` is omitted."""
    assign_public_ip: NotRequired[bool]
    """Give tasks a public IP (default false: tasks stay on private networking)."""
    cpu: NotRequired[int]
    """Task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384 (default 512)."""
    memory: NotRequired[int]
    """Task memory in MiB, valid for the chosen cpu on Fargate (default 1024)."""
    cpu_architecture: NotRequired[str]
    """`X86_64` (default) or `ARM64`."""
    ephemeral_storage_gib: NotRequired[int]
    """Task ephemeral storage in GiB, 21-200 (default: Fargate's 20). The writable volumes live here."""
    containers: list[AppContainer]
    """The application containers (at least one)."""
    datadog: DatadogSettings
    """Datadog Agent settings."""
    desired_count: NotRequired[int]
    """Number of tasks to keep running (default 1)."""
    load_balancers: NotRequired[list[LoadBalancerTarget]]
    """Target groups to register containers with."""
    health_check_grace_period_seconds: NotRequired[int]
    """Seconds to ignore load balancer health checks after a task starts (only with `load_balancers`)."""
    log_retention_days: NotRequired[int]
    """CloudWatch Logs retention for the task's log group (default 30)."""
    log_kms_key_arn: NotRequired[pulumi.Input[str]]
    """KMS key ARN to encrypt the log group with."""
    secrets_kms_key_arns: NotRequired[list[pulumi.Input[str]]]
    """Customer-managed KMS keys that encrypt the task's secrets; the execution role may decrypt with exactly these."""
    execution_role_arn: NotRequired[pulumi.Input[str]]
    """Use this execution role instead of creating one. It must be able to read the task's secrets."""
    task_role_arn: NotRequired[pulumi.Input[str]]
    """Use this task role instead of creating one."""
    tags: NotRequired[dict[str, str]]
    """Tags for every taggable resource; propagated to tasks."""
    enable_execute_command: NotRequired[bool]
    """Enable ECS Exec. Containers stay read-only: each gets writable volumes for the SSM agent (default false)."""
