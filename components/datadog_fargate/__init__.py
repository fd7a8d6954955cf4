"""Run the Datadog Agent on ECS Fargate with every container on a read-only root filesystem."""

from .args import (
    AppContainer,
    DatadogFargateServiceArgs,
    DatadogSettings,
    HealthCheck,
    LoadBalancerTarget,
    PortMapping,
)
from .defaults import DEFAULT_AGENT_IMAGE
from .service import TYPE_TOKEN, DatadogFargateService
from .validation import InvalidArgsError

__all__ = [
    "DEFAULT_AGENT_IMAGE",
    "TYPE_TOKEN",
    "AppContainer",
    "DatadogFargateService",
    "DatadogFargateServiceArgs",
    "DatadogSettings",
    "HealthCheck",
    "InvalidArgsError",
    "LoadBalancerTarget",
    "PortMapping",
]
