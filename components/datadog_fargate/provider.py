"""The multi-language component package `datadog-fargate`: its provider and its schema.

Pulumi programs in any language reach `DatadogFargateService` through this provider: the engine
starts it (see the root `__main__.py` and `PulumiPlugin.yaml`), asks for the schema inferred from
the TypedDict args, and sends `Construct` with camelCase inputs.
"""

import json
from importlib import metadata

import pulumi
from pulumi.provider.experimental import component_provider_host
from pulumi.provider.experimental.component import ComponentProvider

from .service import DatadogFargateService

PACKAGE_NAME = "datadog-fargate"
COMPONENTS: list[type[pulumi.ComponentResource]] = [DatadogFargateService]


def version() -> str:
    try:
        return metadata.version(PACKAGE_NAME)
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"


def provider() -> ComponentProvider:
    return ComponentProvider(COMPONENTS, PACKAGE_NAME, version=version())


def schema_json() -> str:
    """The package schema exactly as the provider serves it, formatted for committing."""
    schema = provider().schema or "{}"
    return json.dumps(json.loads(schema), indent=2, sort_keys=True) + "\n"


def main() -> None:
    component_provider_host(COMPONENTS, PACKAGE_NAME, version=version())
