"""DatadogFargateService passes the whole pack with no diagnostic at all, and the advisory
`ecs-exec-readonly-paths` stack policy catches Exec without the SSM agent's writable paths.

The component runs under the SDK's mock engine (tests/pulumi_harness.py); what it registers goes
to the real pack process over the analyzer protocol, as `pulumi preview --policy-pack` would send it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from datadog_fargate import DatadogFargateService
from dd_fargate.analyzer_host import (
    AnalyzerClient,
    AnalyzerResource,
    ResourceOptions,
    start_policy_pack,
)
from ecs_readonly_datadog.config import EXEC_PATHS, parse_policy_config
from ecs_readonly_datadog.normalize import task_definition_from_props
from ecs_readonly_datadog.rules import exec_paths
from pulumi_harness import run

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"
CONTRACT: dict[str, Any] = {
    "cluster_arn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
    "subnet_ids": ["subnet-0a1"],
    "security_group_ids": ["sg-0123"],
    "cpu": 1024,
    "memory": 3072,
    "containers": [
        {"name": "web", "image": "ghcr.io/acme/checkout:1.4.2", "writable_paths": ["/tmp"]}
    ],
    "datadog": {
        "api_key_secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:dd-AbCdEf",
        "env": "prod",
        "version": "1.4.2",
    },
}
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "tcp": {"datadog": {"transport": "tcp"}},
    "exec": {"enable_execute_command": True},
    "exec into agent": {"enable_execute_command": True, "datadog": {"agent_execute_command": True}},
    "firelens": {"datadog": {"logs": {"mode": "firelens"}}},
    "exec and firelens": {
        "enable_execute_command": True,
        "datadog": {"logs": {"mode": "firelens"}},
    },
}


def variant(overrides: dict[str, Any]) -> dict[str, Any]:
    args = copy.deepcopy(CONTRACT)
    for key, value in overrides.items():
        if key == "datadog":
            args["datadog"].update(value)
        else:
            args[key] = value
    return args


def registered(args: dict[str, Any], preview: bool) -> list[AnalyzerResource]:
    result = run(lambda: DatadogFargateService("checkout", args), preview=preview)  # type: ignore[arg-type]
    return [
        AnalyzerResource(
            urn=r.urn,
            type=r.type,
            name=r.name,
            properties=r.wire_inputs,
            options=ResourceOptions(parent=r.parent),
            parent=r.parent,
            dependencies=tuple(r.dependencies),
            property_dependencies={k: tuple(v) for k, v in r.property_dependencies.items()},
        )
        for r in result.registrations
    ]


@pytest.fixture(scope="module")
def client() -> Iterator[AnalyzerClient]:
    with start_policy_pack(PACK_DIR, project="test", stack="dev") as host:
        yield host.connect(timeout=60)


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
@pytest.mark.parametrize("overrides", VARIANTS.values(), ids=VARIANTS.keys())
def test_component_passes_every_policy_with_no_diagnostic(
    client: AnalyzerClient, overrides: dict[str, Any], preview: bool
) -> None:
    resources = registered(variant(overrides), preview)
    task = [r for r in resources if r.type == "aws:ecs/taskDefinition:TaskDefinition"]
    assert len(task) == 1 and isinstance(task[0].properties["containerDefinitions"], str)
    diagnostics = [d for r in resources for d in client.analyze(r)]
    diagnostics += client.analyze_stack(resources)
    assert diagnostics == []


def exec_stack(*, enabled: bool, paths: tuple[str, ...] = ()) -> list[AnalyzerResource]:
    """A hand-written task definition and a service that enables Exec, as pulumi-aws inputs."""
    stack = "urn:pulumi:dev::app::pulumi:pulumi:Stack::app-dev"
    volumes = [{"name": f"web-{i}"} for i, _ in enumerate(paths)]
    web = {
        "name": "web",
        "image": "ghcr.io/acme/web:1.0.0",
        "readonlyRootFilesystem": True,
        "mountPoints": [
            {"sourceVolume": f"web-{i}", "containerPath": p} for i, p in enumerate(paths)
        ],
    }
    writable = {"name": "legacy", "image": "ghcr.io/acme/legacy:1.0.0"}  # not read-only
    task_urn = f"{stack}$aws:ecs/taskDefinition:TaskDefinition::app"
    task = AnalyzerResource(
        urn=task_urn,
        type="aws:ecs/taskDefinition:TaskDefinition",
        name="app",
        properties={
            "family": "app",
            "containerDefinitions": json.dumps([web, writable]),
            "volumes": volumes,
        },
        parent=stack,
    )
    service = AnalyzerResource(
        urn=f"{stack}$aws:ecs/service:Service::app",
        type="aws:ecs/service:Service",
        name="app",
        # A first preview: the task definition's ARN is unknown, only the dependency links them.
        properties={
            "enableExecuteCommand": enabled,
            "taskDefinition": "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        },
        parent=stack,
        dependencies=(task_urn,),
        property_dependencies={"taskDefinition": (task_urn,)},
    )
    return [task, service]


def test_exec_without_writable_ssm_paths_is_an_advisory_naming_them(client: AnalyzerClient) -> None:
    diagnostics = client.analyze_stack(exec_stack(enabled=True))
    assert [(d.policy_name, d.enforcement_level) for d in diagnostics] == [(EXEC_PATHS, "advisory")]
    message = diagnostics[0].message
    assert "read-only container 'web'" in message and "legacy" not in message
    for path in ("/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"):
        assert path in message
    assert diagnostics[0].urn.endswith("aws:ecs/service:Service::app")


def test_exec_with_the_paths_or_without_exec_is_quiet(client: AnalyzerClient) -> None:
    paths = ("/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm")
    assert client.analyze_stack(exec_stack(enabled=True, paths=paths)) == []
    assert client.analyze_stack(exec_stack(enabled=False)) == []


def test_exec_rule_names_only_the_missing_paths_and_skips_init_containers() -> None:
    props = {
        "family": "app",
        "volumes": [{"name": "ma"}, {"name": "cfg"}],
        "containerDefinitions": [
            {
                "name": "web",
                "readonlyRootFilesystem": True,
                "mountPoints": [{"sourceVolume": "ma", "containerPath": "/managed-agents"}],
            },
            {
                "name": "datadog-init",
                "image": "public.ecr.aws/datadog/agent:7.84.6",
                "essential": False,
                "readonlyRootFilesystem": True,
                "mountPoints": [
                    {"sourceVolume": "cfg", "containerPath": "/opt/datadog-agent-config"}
                ],
            },
            {
                "name": "datadog-agent",
                "image": "public.ecr.aws/datadog/agent:7.84.6",
                "readonlyRootFilesystem": True,
                "dependsOn": [{"containerName": "datadog-init", "condition": "SUCCESS"}],
            },
        ],
    }
    cfg = parse_policy_config(EXEC_PATHS, None)
    issues = exec_paths.check(
        exec_paths.ServiceView("app", True), task_definition_from_props(props), cfg
    )
    assert [i.container for i in issues] == ["web"]
    assert (
        "/managed-agents" not in issues[0].message.split("no writable volume at")[1].split(",")[0]
    )
    assert "/var/lib/amazon/ssm, /var/log/amazon/ssm" in issues[0].message
    custom = parse_policy_config(
        EXEC_PATHS, {"execPaths": ["/managed-agents"], "includeDatadogAgent": True}
    )
    assert [
        i.container
        for i in exec_paths.check(
            exec_paths.ServiceView("app", True), task_definition_from_props(props), custom
        )
    ] == ["datadog-agent"]
