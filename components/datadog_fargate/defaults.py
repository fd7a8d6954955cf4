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
RESERVED_CONTAINER_NAMES: Final = frozenset({AGENT_CONTAINER, INIT_CONTAINER})

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
