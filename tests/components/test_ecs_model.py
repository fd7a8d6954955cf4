"""The task definition, as a RegisterTaskDefinition request, passes botocore's real ECS API model."""

from typing import Any

import pytest
from datadog_fargate import DatadogFargateService
from ecs_api import model_errors, register_request
from pulumi_harness import run

VARIANTS: dict[str, dict[str, Any]] = {
    "unix sockets": {},
    "tcp": {"transport": "tcp"},
    "exec into app and agent": {"agent_execute_command": True},
    "firelens": {
        "logs": {
            "mode": "firelens",
            "tags": {"team": "a"},
            "config_file": "/fluent-bit/etc/extra.conf",
            "buffer_path": "/buffer",
        }
    },
}


@pytest.mark.parametrize("datadog", VARIANTS.values(), ids=VARIANTS.keys())
def test_task_definition_passes_the_ecs_api_model(
    args: dict[str, Any], datadog: dict[str, Any]
) -> None:
    args["datadog"].update(datadog)
    args["enable_execute_command"] = bool(datadog.get("agent_execute_command"))
    args.update(ephemeral_storage_gib=30, tags={"team": "payments"})
    args["containers"][0]["health_check"] = {"command": ["CMD", "/bin/check"]}
    result = run(lambda: DatadogFargateService("checkout", args))  # type: ignore[arg-type]
    task = result.one("aws:ecs/taskDefinition:TaskDefinition").inputs
    assert model_errors(register_request(task)) == ""


def test_the_model_check_catches_a_misspelled_key() -> None:
    """Guards the test above: the validator really rejects what pulumi-aws would drop silently."""
    bad = {"family": "f", "containerDefinitions": [{"name": "a", "readOnlyRootFilesystem": True}]}
    assert "readOnlyRootFilesystem" in model_errors(bad)
