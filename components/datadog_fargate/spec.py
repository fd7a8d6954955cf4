"""The validated, normalized description of one service: what the builders consume.

`validation.py` turns user args into a `ServiceSpec` or raises; everything downstream can trust it.
Fields typed `pulumi.Input[str]` may still be Outputs (resource ARNs from elsewhere in the program).
"""

from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class PortSpec:
    container_port: int
    protocol: str
    name: str | None


@dataclass(frozen=True)
class HealthCheckSpec:
    command: tuple[str, ...]
    interval: int
    timeout: int
    retries: int
    start_period: int


@dataclass(frozen=True)
class MountSpec:
    volume: str
    path: str


@dataclass(frozen=True)
class ContainerSpec:
    name: str
    image: str
    cpu: int | None
    memory: int | None
    memory_reservation: int | None
    essential: bool
    ports: tuple[PortSpec, ...]
    writable: tuple[MountSpec, ...]
    environment: tuple[tuple[str, str], ...]
    secrets: tuple[tuple[str, pulumi.Input[str]], ...]
    command: tuple[str, ...] | None
    entry_point: tuple[str, ...] | None
    working_directory: str | None
    user: str | None
    health_check: HealthCheckSpec | None
    docker_labels: tuple[tuple[str, str], ...]
    depends_on_agent: bool


@dataclass(frozen=True)
class LogsSpec:
    mode: str
    router_image: str
    source: str | None
    tags: tuple[tuple[str, str], ...]
    config_file: str | None
    buffer_path: str | None

    @property
    def firelens(self) -> bool:
        return self.mode == "firelens"


@dataclass(frozen=True)
class DatadogSpec:
    api_key: pulumi.Input[str]
    site: str
    env: str | None
    service: str
    version: str | None
    agent_image: str
    agent_cpu: int
    agent_memory: int
    transport: str
    task_collection: bool
    agent_environment: tuple[tuple[str, str], ...]
    agent_execute_command: bool
    logs: LogsSpec


@dataclass(frozen=True)
class LoadBalancerSpec:
    target_group_arn: pulumi.Input[str]
    container_name: str
    container_port: int


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    cluster_arn: pulumi.Input[str]
    subnet_ids: tuple[pulumi.Input[str], ...]
    security_group_ids: tuple[pulumi.Input[str], ...]
    vpc_id: pulumi.Input[str] | None
    assign_public_ip: bool
    cpu: int
    memory: int
    cpu_architecture: str
    ephemeral_storage_gib: int | None
    containers: tuple[ContainerSpec, ...]
    datadog: DatadogSpec
    desired_count: int
    load_balancers: tuple[LoadBalancerSpec, ...]
    health_check_grace_period_seconds: int | None
    log_retention_days: int
    log_kms_key_arn: pulumi.Input[str] | None
    secrets_kms_key_arns: tuple[pulumi.Input[str], ...]
    execution_role_arn: pulumi.Input[str] | None
    task_role_arn: pulumi.Input[str] | None
    tags: tuple[tuple[str, str], ...]
    enable_execute_command: bool

    @property
    def family(self) -> str:
        """Task definition family, deterministic so the container JSON never waits on a new resource."""
        return self.name

    @property
    def log_group_name(self) -> str:
        return f"/ecs/{self.name}"

    def secret_refs(self) -> list[pulumi.Input[str]]:
        """Every secret reference the task uses, the API key first."""
        refs: list[pulumi.Input[str]] = [self.datadog.api_key]
        refs.extend(ref for c in self.containers for _, ref in c.secrets)
        return refs
