"""Names, paths and defaults that the component and its tests agree on."""

from typing import Final

# Pinned, never `latest`: a deploy must be reproducible. Bump deliberately.
DEFAULT_AGENT_IMAGE: Final = "public.ecr.aws/datadog/agent:7.84.6"
DEFAULT_SITE: Final = "datadoghq.com"
DEFAULT_AGENT_CPU: Final = 256
DEFAULT_AGENT_MEMORY: Final = 512
DEFAULT_TASK_CPU: Final = 512
DEFAULT_TASK_MEMORY: Final = 1024
DEFAULT_LOG_RETENTION_DAYS: Final = 30

AGENT_CONTAINER: Final = "datadog-agent"
INIT_CONTAINER: Final = "datadog-init"

SOCKETS_DIR: Final = "/var/run/datadog"
APM_SOCKET: Final = f"{SOCKETS_DIR}/apm.socket"
DOGSTATSD_SOCKET: Final = f"{SOCKETS_DIR}/dsd.socket"
APM_PORT: Final = 8126
DOGSTATSD_PORT: Final = 8125

CONFIG_DIR: Final = "/etc/datadog-agent"
# Where the init container sees the config volume while it copies the image's defaults into it.
CONFIG_STAGING_DIR: Final = "/opt/datadog-agent-config"
SEED_COMMAND: Final = f"cp -R {CONFIG_DIR}/* {CONFIG_STAGING_DIR}/"

# (volume name, path in the agent): each is a bind mount on task ephemeral storage.
AGENT_VOLUMES: Final = (
    ("datadog-config", CONFIG_DIR),
    ("datadog-run", "/opt/datadog-agent/run"),
    ("datadog-sockets", SOCKETS_DIR),
    ("datadog-tmp", "/tmp"),
    ("datadog-logs", "/var/log/datadog"),
)
CONFIG_VOLUME: Final = "datadog-config"
SOCKETS_VOLUME: Final = "datadog-sockets"

# ECS Exec's SSM agent writes here; a read-only root needs each as its own volume (containers-roadmap#1359).
EXEC_PATHS: Final = ("/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm")

# (volume name, path) for the agent when it is exec-able too.
AGENT_EXEC_VOLUMES: Final = tuple(
    (f"datadog-exec-{p.strip('/').replace('/', '-')}", p) for p in EXEC_PATHS
)

LOG_ROUTER_CONTAINER: Final = "log-router"
DEFAULT_ROUTER_IMAGE: Final = "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.34.3.20260818"
# Fluent Bit's init falls back to /tmp when its own directories are read-only.
ROUTER_VOLUMES: Final = (("log-router-tmp", "/tmp"),)
ROUTER_BUFFER_VOLUME: Final = "log-router-buffer"
ROUTER_MEMORY_RESERVATION: Final = 50  # MiB, AWS's recommendation for a FireLens router
LOG_MODES: Final = ("awslogs", "firelens")
RESERVED_CONTAINER_NAMES: Final = frozenset({AGENT_CONTAINER, INIT_CONTAINER, LOG_ROUTER_CONTAINER})

SITES: Final = (
    "datadoghq.com",
    "us3.datadoghq.com",
    "us5.datadoghq.com",
    "datadoghq.eu",
    "ap1.datadoghq.com",
    "ap2.datadoghq.com",
    "ddog-gov.com",
)
TRANSPORTS: Final = ("unix", "tcp")
CPU_ARCHITECTURES: Final = ("X86_64", "ARM64")
# CloudWatch Logs accepts only these retention periods.
LOG_RETENTION_DAYS: Final = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
