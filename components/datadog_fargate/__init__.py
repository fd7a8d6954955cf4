"""Run the Datadog Agent on ECS Fargate with every container on a read-only root filesystem."""

from .args import (
    ContainerArgs,
    DatadogArgs,
    DatadogFargateServiceArgs,
    HealthCheckArgs,
    LoadBalancerArgs,
    PortMappingArgs,
)
from .defaults import DEFAULT_AGENT_IMAGE
from .service import TYPE_TOKEN, DatadogFargateService
from .validation import InvalidArgsError

__all__ = [
    "DEFAULT_AGENT_IMAGE",
    "TYPE_TOKEN",
    "ContainerArgs",
    "DatadogArgs",
    "DatadogFargateService",
    "DatadogFargateServiceArgs",
    "HealthCheckArgs",
    "InvalidArgsError",
    "LoadBalancerArgs",
    "PortMappingArgs",
]
