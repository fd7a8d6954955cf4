"""The task definition, as a RegisterTaskDefinition request, passes botocore's real ECS API model."""

import json
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator
from datadog_fargate import DatadogFargateService
from pulumi_harness import run


def register_request(task: dict[str, Any]) -> dict[str, Any]:
    """Map pulumi-aws TaskDefinition inputs onto the ECS API's request shape."""
    request: dict[str, Any] = {
        "family": task["family"],
        "containerDefinitions": json.loads(task["containerDefinitions"]),
        "requiresCompatibilities": task["requiresCompatibilities"],
        "networkMode": task["networkMode"],
        "cpu": task["cpu"],
        "memory": task["memory"],
        "executionRoleArn": task["executionRoleArn"],
        "taskRoleArn": task["taskRoleArn"],
        "runtimePlatform": task["runtimePlatform"],
        "volumes": task["volumes"],
    }
    if "ephemeralStorage" in task:
        # Numbers cross the mock wire as floats (protobuf Struct); the API wants an int.
        request["ephemeralStorage"] = {"sizeInGiB": int(task["ephemeralStorage"]["sizeInGib"])}
    if task.get("tags"):
        request["tags"] = [{"key": k, "value": v} for k, v in task["tags"].items()]
    return request


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
    model = botocore.session.get_session().get_service_model("ecs")
    shape = model.operation_model("RegisterTaskDefinition").input_shape
    report = ParamValidator().validate(register_request(task), shape)
    assert not report.has_errors(), report.generate_report()


def test_the_model_check_catches_a_misspelled_key() -> None:
    """Guards the test above: the validator really rejects what pulumi-aws would drop silently."""
    model = botocore.session.get_session().get_service_model("ecs")
    shape = model.operation_model("RegisterTaskDefinition").input_shape
    bad = {"family": "f", "containerDefinitions": [{"name": "a", "readOnlyRootFilesystem": True}]}
    report = ParamValidator().validate(bad, shape)
    assert "readOnlyRootFilesystem" in report.generate_report()
