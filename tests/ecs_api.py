"""The ECS API as botocore models it: turn task definition inputs into a request and check it."""

import json
from functools import cache
from typing import Any

import botocore.session
from botocore.model import Shape
from botocore.validate import ParamValidator


def register_request(inputs: dict[str, Any]) -> dict[str, Any]:
    """A pulumi-aws TaskDefinition's inputs as the ECS RegisterTaskDefinition request."""
    request: dict[str, Any] = {
        "family": inputs["family"],
        "containerDefinitions": json.loads(inputs["containerDefinitions"]),
        "requiresCompatibilities": inputs["requiresCompatibilities"],
        "networkMode": inputs["networkMode"],
        "cpu": inputs["cpu"],
        "memory": inputs["memory"],
        "executionRoleArn": inputs["executionRoleArn"],
        "taskRoleArn": inputs["taskRoleArn"],
        "runtimePlatform": inputs["runtimePlatform"],
        "volumes": inputs["volumes"],
    }
    if "ephemeralStorage" in inputs:
        # Numbers cross the mock wire as floats (protobuf Struct); the API wants an int.
        request["ephemeralStorage"] = {"sizeInGiB": int(inputs["ephemeralStorage"]["sizeInGib"])}
    if inputs.get("tags"):
        request["tags"] = [{"key": k, "value": v} for k, v in inputs["tags"].items()]
    return request


@cache
def _register_shape() -> Shape:
    model = botocore.session.get_session().get_service_model("ecs")
    return model.operation_model("RegisterTaskDefinition").input_shape


def model_errors(request: dict[str, Any]) -> str:
    """botocore's report of what the ECS model rejects in `request` ("" when it is valid)."""
    report = ParamValidator().validate(request, _register_shape())
    return report.generate_report() if report.has_errors() else ""
