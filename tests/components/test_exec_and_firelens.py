"""Read-only all the way: ECS Exec and FireLens log routing keep every container read-only."""

import json
from typing import Any

from datadog_fargate import DatadogFargateService
from pulumi_harness import Run, run

EXEC_PATHS = {"/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"}


def build(args: dict[str, Any]) -> Run:
    return run(lambda: DatadogFargateService("checkout", args))  # type: ignore[arg-type]


def writable(container: dict[str, Any]) -> set[str]:
    return {m["containerPath"] for m in container["mountPoints"] if not m["readOnly"]}


def test_exec_enables_the_service_and_gives_every_app_container_the_ssm_paths(
    args: dict[str, Any],
) -> None:
    args["enable_execute_command"] = True
    args["containers"].append({"name": "worker", "image": "ghcr.io/acme/worker:2.0.0"})
    result = build(args)
    assert result.one("aws:ecs/service:Service").inputs["enableExecuteCommand"] is True
    for name in ("web", "worker"):
        container = result.container(name)
        assert container["readonlyRootFilesystem"] is True
        assert writable(container) >= EXEC_PATHS, name
    assert writable(result.container("web")) == EXEC_PATHS | {"/tmp"}
    assert not EXEC_PATHS & writable(result.container("datadog-agent")), "agent only if asked"
    task = result.one("aws:ecs/taskDefinition:TaskDefinition").inputs
    assert "pidMode" not in task, "pidMode task breaks ECS Exec"
    volumes = {v["name"] for v in task["volumes"]}
    mounted = {m["sourceVolume"] for c in result.container_definitions() for m in c["mountPoints"]}
    assert mounted == volumes


def test_exec_adds_the_ssm_channel_permissions_to_the_task_role(args: dict[str, Any]) -> None:
    args["enable_execute_command"] = True
    result = build(args)
    (policy,) = [
        r
        for r in result.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.name == "checkout-execute-command"
    ]
    (statement,) = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Action"] == [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    ]
    assert policy.parent.endswith("checkout-task-role")


def test_exec_into_the_agent_when_asked(args: dict[str, Any]) -> None:
    args["enable_execute_command"] = True
    args["datadog"]["agent_execute_command"] = True
    agent = build(args).container("datadog-agent")
    assert writable(agent) >= EXEC_PATHS
    assert agent["readonlyRootFilesystem"] is True


def test_exec_off_by_default(args: dict[str, Any]) -> None:
    result = build(args)
    assert result.one("aws:ecs/service:Service").inputs["enableExecuteCommand"] is False
    assert not EXEC_PATHS & writable(result.container("web"))
    assert "checkout-execute-command" not in {r.name for r in result.registrations}


def test_firelens_routes_app_logs_to_datadog_through_a_read_only_router(
    args: dict[str, Any],
) -> None:
    args["datadog"]["logs"] = {"mode": "firelens", "source": "python", "tags": {"team": "payments"}}
    result = build(args)
    names = [c["name"] for c in result.container_definitions()]
    assert names == ["datadog-init", "datadog-agent", "log-router", "web"]
    router = result.container("log-router")
    assert router["readonlyRootFilesystem"] is True
    assert router["image"].startswith("public.ecr.aws/aws-observability/aws-for-fluent-bit:2.")
    assert router["firelensConfiguration"]["type"] == "fluentbit"
    assert writable(router) == {"/tmp"}
    assert router["logConfiguration"]["logDriver"] == "awslogs", (
        "the router's own logs stay in CloudWatch"
    )

    web = result.container("web")
    logging = web["logConfiguration"]
    assert logging["logDriver"] == "awsfirelens"
    assert logging["options"] == {
        "Name": "datadog",
        "Host": "http-intake.logs.datadoghq.com",
        "TLS": "on",
        "compress": "gzip",
        "provider": "ecs",
        "dd_service": "checkout",
        "dd_source": "python",
        "dd_message_key": "log",
        "dd_tags": "env:prod,team:payments,version:1.4.2",
    }
    assert logging["secretOptions"] == [
        {"name": "apikey", "valueFrom": args["datadog"]["api_key_secret_arn"]}
    ]
    assert "apikey" not in json.dumps(logging["options"]).lower()
    assert web["dependsOn"][0] == {"containerName": "log-router", "condition": "START"}
    assert result.container("datadog-agent")["logConfiguration"]["logDriver"] == "awslogs"
    assert result.one("aws:cloudwatch/logGroup:LogGroup").inputs["name"] == "/ecs/checkout"


def test_firelens_intake_follows_the_site_and_buffering_gets_a_volume(args: dict[str, Any]) -> None:
    args["datadog"]["site"] = "datadoghq.eu"
    args["datadog"]["logs"] = {
        "mode": "firelens",
        "config_file": "/fluent-bit/etc/buffering.conf",
        "buffer_path": "/var/fluent-bit/state",
    }
    result = build(args)
    assert (
        result.container("web")["logConfiguration"]["options"]["Host"]
        == "http-intake.logs.datadoghq.eu"
    )
    assert result.container("web")["logConfiguration"]["options"]["dd_source"] == "web"
    router = result.container("log-router")
    assert writable(router) == {"/tmp", "/var/fluent-bit/state"}
    assert router["firelensConfiguration"]["options"] == {
        "enable-ecs-log-metadata": "true",
        "config-file-type": "file",
        "config-file-value": "/fluent-bit/etc/buffering.conf",
    }
    volumes = {
        v["name"] for v in result.one("aws:ecs/taskDefinition:TaskDefinition").inputs["volumes"]
    }
    assert {"log-router-tmp", "log-router-buffer"} <= volumes


def test_awslogs_stays_the_default(args: dict[str, Any]) -> None:
    result = build(args)
    assert "log-router" not in [c["name"] for c in result.container_definitions()]
    assert result.container("web")["logConfiguration"]["logDriver"] == "awslogs"
