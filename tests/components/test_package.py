"""The multi-language component package: committed schema, the provider process, Construct, YAML."""

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from datadog_fargate import TYPE_TOKEN, DatadogFargateService
from datadog_fargate.provider import PACKAGE_NAME, provider, schema_json
from google.protobuf import empty_pb2
from pulumi.errors import InputPropertyError
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc
from pulumi_harness import run

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "python -m datadog_fargate.schema > schema.json"


def committed_schema() -> dict[str, Any]:
    return json.loads((ROOT / "schema.json").read_text())  # type: ignore[no-any-return]


def test_committed_schema_matches_the_code() -> None:
    assert schema_json() == (ROOT / "schema.json").read_text(), (
        f"schema.json is stale; regenerate it with: {REGENERATE}"
    )


def _properties(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    resource = schema["resources"][TYPE_TOKEN]
    for section in ("inputProperties", "properties"):
        for name, prop in resource[section].items():
            yield f"{section}.{name}", prop
    for type_name, type_def in schema["types"].items():
        for name, prop in type_def["properties"].items():
            yield f"{type_name}.{name}", prop


def test_schema_is_fully_typed_and_described() -> None:
    schema = committed_schema()
    assert schema["name"] == PACKAGE_NAME
    assert schema["dependencies"] == [], "no pulumi-aws types may leak into the package API"
    text = json.dumps(schema)
    assert "pulumi.json#/Any" not in text and "/aws/" not in text
    for where, prop in _properties(schema):
        assert prop.get("description"), f"{where} has no description"
        assert "type" in prop or "$ref" in prop, f"{where} has no type"
    assert set(schema["types"]) == {
        f"{PACKAGE_NAME}:index:{n}"
        for n in (
            "AppContainer",
            "PortMapping",
            "HealthCheck",
            "DatadogSettings",
            "LogsSettings",
            "LoadBalancerTarget",
        )
    }
    resource = schema["resources"][TYPE_TOKEN]
    assert set(resource["requiredInputs"]) == {"clusterArn", "subnetIds", "containers", "datadog"}
    assert {
        "taskDefinitionArn",
        "serviceName",
        "containerDefinitions",
        "logGroupName",
        "executionRoleArn",
        "taskRoleArn",
    } <= set(resource["properties"])


@pytest.fixture(scope="module")
def provider_stub() -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    # Exactly what the Python language host runs for a plugin directory with __main__.py:
    # `python <plugin dir> <engine address>`, and the port is the first line on stdout.
    proc = subprocess.Popen(
        [sys.executable, str(ROOT), "127.0.0.1:1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.isdigit(), (
            f"provider did not print a port: {line!r} {proc.stderr.read() if proc.stderr else ''}"
        )
        with grpc.insecure_channel(f"127.0.0.1:{line}") as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
            yield provider_pb2_grpc.ResourceProviderStub(channel)
    finally:
        proc.kill()
        proc.wait()


def test_provider_process_serves_plugin_info_and_the_committed_schema(
    provider_stub: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    info = provider_stub.GetPluginInfo(empty_pb2.Empty(), timeout=30)
    assert info.version == committed_schema()["version"]
    served = provider_stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=30)
    assert json.loads(served.schema) == committed_schema()


CAMEL_INPUTS: dict[str, Any] = {
    "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
    "subnetIds": ["subnet-0a1", "subnet-0b2"],
    "securityGroupIds": ["sg-0123"],
    # The engine sends numbers as protobuf doubles.
    "cpu": 1024.0,
    "memory": 3072.0,
    "containers": [
        {
            "name": "web",
            "image": "ghcr.io/acme/checkout:1.4.2",
            "portMappings": [{"containerPort": 8080.0}],
            "writablePaths": ["/tmp"],
            "environment": {"LOG_LEVEL": "info"},
            "secrets": {
                "DB_PASSWORD": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
            },
        }
    ],
    "datadog": {
        "apiKeySecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:dd-api-key-AbCdEf",
        "site": "datadoghq.com",
        "env": "prod",
        "service": "checkout",
        "version": "1.4.2",
    },
}


def test_construct_with_camel_case_inputs_matches_the_python_api(args: dict[str, Any]) -> None:
    via_engine = run(lambda: provider().construct("checkout", TYPE_TOKEN, CAMEL_INPUTS, None))
    via_python = run(lambda: DatadogFargateService("checkout", args))  # type: ignore[arg-type]

    # Registration order depends on async scheduling; the set of resources and their inputs must not.
    def inputs(result: Any) -> dict[tuple[str, str], Any]:
        return {(r.type, r.name): r.inputs for r in result.registrations if r.custom}

    assert inputs(via_engine) == inputs(via_python)
    assert via_engine.container_definitions() == via_python.container_definitions()


def test_construct_names_a_missing_required_input() -> None:
    inputs = dict(CAMEL_INPUTS)
    del inputs["subnetIds"]
    with pytest.raises(InputPropertyError) as info:
        provider().construct("checkout", TYPE_TOKEN, inputs, None)
    assert "subnetIds" in str(info.value)
    nested = json.loads(json.dumps(CAMEL_INPUTS))
    del nested["datadog"]["apiKeySecretArn"]
    with pytest.raises(InputPropertyError, match=r"datadog\.apiKeySecretArn"):
        provider().construct("checkout", TYPE_TOKEN, nested, None)


SCHEMA_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict}


def _check_value(schema: dict[str, Any], prop: dict[str, Any], value: Any, where: str) -> None:
    if isinstance(value, str) and value.startswith("${"):
        return  # an interpolation: typed by the config declaration, checked by the engine
    if "$ref" in prop:
        type_def = schema["types"][prop["$ref"].removeprefix("#/types/")]
        _check_object(schema, type_def["properties"], value, where)
        return
    expected = SCHEMA_TYPES[prop["type"]]
    assert isinstance(value, expected) and not (expected is int and isinstance(value, bool)), (
        f"{where}: {value!r} is not a {prop['type']}"
    )
    if prop["type"] == "array":
        for i, item in enumerate(value):
            _check_value(schema, prop["items"], item, f"{where}[{i}]")
    if prop["type"] == "object" and "additionalProperties" in prop:
        for key, item in value.items():
            _check_value(schema, prop["additionalProperties"], item, f"{where}.{key}")


def _check_object(schema: dict[str, Any], props: dict[str, Any], value: Any, where: str) -> None:
    assert isinstance(value, dict), f"{where} must be an object"
    for key, item in value.items():
        assert key in props, f"{where}.{key} is not in the schema"
        _check_value(schema, props[key], item, f"{where}.{key}")


def test_yaml_example_uses_only_schema_properties_with_the_right_types() -> None:
    program = yaml.safe_load((ROOT / "examples/yaml/Pulumi.yaml").read_text())
    assert program["packages"] == {PACKAGE_NAME: "../.."}
    assert (
        ROOT / "examples/yaml" / program["packages"][PACKAGE_NAME] / "PulumiPlugin.yaml"
    ).exists()
    schema = committed_schema()
    resource = schema["resources"][TYPE_TOKEN]
    (component,) = [r for r in program["resources"].values() if r["type"] == TYPE_TOKEN]
    _check_object(schema, resource["inputProperties"], component["properties"], "checkout")
    assert set(resource["requiredInputs"]) <= set(component["properties"])
    for output in program["outputs"].values():
        assert output.removeprefix("${checkout.").removesuffix("}") in resource["properties"]


def test_yaml_example_checker_rejects_a_wrong_type() -> None:
    """Guards the test above: the checker fails on what the engine would reject."""
    schema = committed_schema()
    props = schema["resources"][TYPE_TOKEN]["inputProperties"]
    with pytest.raises(AssertionError, match="cpu"):
        _check_object(schema, props, {"cpu": "1024"}, "checkout")
    with pytest.raises(AssertionError, match="writeablePaths"):
        _check_object(schema, props, {"containers": [{"writeablePaths": ["/tmp"]}]}, "checkout")
