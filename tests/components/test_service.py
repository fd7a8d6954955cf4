"""The resource tree and the task definition DatadogFargateService registers, under Pulumi's mocks."""

import json
import re
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from datadog_fargate import DEFAULT_AGENT_IMAGE, DatadogFargateService
from pulumi_harness import ACCOUNT_ID, Run, run

AGENT_PATHS = {
    "/etc/datadog-agent": "datadog-config",
    "/opt/datadog-agent/run": "datadog-run",
    "/var/run/datadog": "datadog-sockets",
    "/tmp": "datadog-tmp",
    "/var/log/datadog": "datadog-logs",
}


def build(args: dict[str, Any], *, preview: bool = False, name: str = "checkout") -> Run:
    return run(lambda: DatadogFargateService(name, args), preview=preview)  # type: ignore[arg-type]


def env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container.get("environment", [])}


def test_children_are_parented_to_the_component_and_named_from_it(args: dict[str, Any]) -> None:
    result = build(args)
    component = result.one("datadog-fargate:index:DatadogFargateService")
    by_name = {(r.type, r.name): r for r in result.registrations}
    assert set(by_name) == {
        ("datadog-fargate:index:DatadogFargateService", "checkout"),
        ("aws:cloudwatch/logGroup:LogGroup", "checkout-logs"),
        ("aws:iam/role:Role", "checkout-execution-role"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "checkout-execution-managed"),
        ("aws:iam/rolePolicy:RolePolicy", "checkout-execution-secrets"),
        ("aws:iam/role:Role", "checkout-task-role"),
        ("aws:iam/rolePolicy:RolePolicy", "checkout-task-collection"),
        ("aws:ecs/taskDefinition:TaskDefinition", "checkout-task"),
        ("aws:ecs/service:Service", "checkout-service"),
    }
    parents = {r.urn: r.parent for r in result.registrations}
    for reg in result.registrations:
        if reg is component:
            continue
        ancestor = reg.parent  # role policies hang off their role, which hangs off the component
        while ancestor in parents and ancestor != component.urn:
            ancestor = parents[ancestor]
        assert ancestor == component.urn, f"{reg.name} is not under the component"


def test_every_container_is_read_only(args: dict[str, Any]) -> None:
    definitions = build(args).container_definitions()
    assert [c["name"] for c in definitions] == ["datadog-init", "datadog-agent", "web"]
    assert all(c["readonlyRootFilesystem"] is True for c in definitions)


def test_init_container_seeds_the_config_volume_and_is_not_essential(args: dict[str, Any]) -> None:
    init = build(args).container("datadog-init")
    assert init["image"] == DEFAULT_AGENT_IMAGE
    assert init["essential"] is False
    assert init["entryPoint"] == ["/bin/sh", "-c"]
    assert init["command"] == ["cp -R /etc/datadog-agent/* /opt/datadog-agent-config/"]
    assert init["mountPoints"] == [
        {
            "sourceVolume": "datadog-config",
            "containerPath": "/opt/datadog-agent-config",
            "readOnly": False,
        }
    ]


def test_agent_has_writable_volumes_sockets_secret_and_health_check(args: dict[str, Any]) -> None:
    agent = build(args).container("datadog-agent")
    assert agent["image"] == DEFAULT_AGENT_IMAGE and ":latest" not in agent["image"]
    assert agent["essential"] is True
    assert {m["containerPath"]: m["sourceVolume"] for m in agent["mountPoints"]} == AGENT_PATHS
    assert not any(m["readOnly"] for m in agent["mountPoints"])
    assert agent["dependsOn"] == [{"containerName": "datadog-init", "condition": "SUCCESS"}]
    assert env(agent) == {
        "ECS_FARGATE": "true",
        "DD_SITE": "datadoghq.com",
        "DD_APM_ENABLED": "true",
        "DD_APM_RECEIVER_SOCKET": "/var/run/datadog/apm.socket",
        "DD_DOGSTATSD_SOCKET": "/var/run/datadog/dsd.socket",
        "DD_ECS_TASK_COLLECTION_ENABLED": "true",
    }
    assert agent["secrets"] == [
        {"name": "DD_API_KEY", "valueFrom": args["datadog"]["api_key_secret_arn"]}
    ]
    assert agent["healthCheck"]["command"] == ["CMD-SHELL", "agent health"]
    assert "portMappings" not in agent  # unix sockets: nothing to publish


def test_app_container_reaches_the_agent_over_read_only_sockets(args: dict[str, Any]) -> None:
    web = build(args).container("web")
    mounts = {m["containerPath"]: m for m in web["mountPoints"]}
    assert mounts["/var/run/datadog"] == {
        "sourceVolume": "datadog-sockets",
        "containerPath": "/var/run/datadog",
        "readOnly": True,
    }
    assert mounts["/tmp"] == {"sourceVolume": "web-tmp", "containerPath": "/tmp", "readOnly": False}
    assert env(web) == {
        "LOG_LEVEL": "info",
        "DD_ENV": "prod",
        "DD_SERVICE": "checkout",
        "DD_VERSION": "1.4.2",
        "DD_TRACE_AGENT_URL": "unix:///var/run/datadog/apm.socket",
        "DD_DOGSTATSD_URL": "unix:///var/run/datadog/dsd.socket",
    }
    assert web["dockerLabels"] == {
        "com.datadoghq.tags.env": "prod",
        "com.datadoghq.tags.service": "checkout",
        "com.datadoghq.tags.version": "1.4.2",
    }
    assert web["secrets"] == [
        {"name": "DB_PASSWORD", "valueFrom": args["containers"][0]["secrets"]["DB_PASSWORD"]}
    ]
    assert web["dependsOn"] == [{"containerName": "datadog-agent", "condition": "HEALTHY"}]
    assert web["portMappings"] == [{"containerPort": 8080, "protocol": "tcp"}]
    assert web["logConfiguration"]["options"] == {
        "awslogs-group": "/ecs/checkout",
        "awslogs-region": "us-east-1",
        "awslogs-stream-prefix": "web",
        "mode": "non-blocking",
        "max-buffer-size": "25m",
    }


def test_tcp_transport_publishes_agent_ports_and_points_apps_at_localhost(
    args: dict[str, Any],
) -> None:
    args["datadog"]["transport"] = "tcp"
    result = build(args)
    agent, web = result.container("datadog-agent"), result.container("web")
    assert agent["portMappings"] == [
        {"containerPort": 8126, "protocol": "tcp"},
        {"containerPort": 8125, "protocol": "udp"},
    ]
    assert "DD_APM_RECEIVER_SOCKET" not in env(agent)
    assert env(web)["DD_AGENT_HOST"] == "localhost"
    assert "DD_TRACE_AGENT_URL" not in env(web)
    assert "/var/run/datadog" not in {m["containerPath"] for m in web["mountPoints"]}


def test_app_container_options_reach_the_definition(args: dict[str, Any]) -> None:
    args["containers"][0].update(
        cpu=256,
        memory=512,
        command=["serve"],
        entry_point=["/app/run"],
        user="1000:1000",
        essential=False,
        depends_on_agent=False,
        working_directory="/app",
        health_check={
            "command": ["CMD-SHELL", "curl -f localhost:8080/health"],
            "start_period": 20,
        },
        port_mappings=[
            {"container_port": 8080, "name": "http"},
            {"container_port": 9000, "protocol": "udp"},
        ],
        docker_labels={"team": "payments"},
    )
    web = build(args).container("web")
    assert (web["cpu"], web["memory"], web["command"], web["entryPoint"]) == (
        256,
        512,
        ["serve"],
        ["/app/run"],
    )
    assert (web["user"], web["essential"], web["workingDirectory"]) == ("1000:1000", False, "/app")
    assert "dependsOn" not in web
    assert web["healthCheck"] == {
        "command": ["CMD-SHELL", "curl -f localhost:8080/health"],
        "interval": 30,
        "timeout": 5,
        "retries": 3,
        "startPeriod": 20,
    }
    assert web["portMappings"] == [
        {"containerPort": 8080, "protocol": "tcp", "name": "http"},
        {"containerPort": 9000, "protocol": "udp"},
    ]
    assert web["dockerLabels"]["team"] == "payments"


def test_task_definition_volumes_cover_every_mount(args: dict[str, Any]) -> None:
    args["containers"].append(
        {
            "name": "worker",
            "image": "ghcr.io/acme/worker:2.0.0",
            "writable_paths": ["/tmp", "/var/cache/app/"],
        }
    )
    result = build(args)
    task = result.one("aws:ecs/taskDefinition:TaskDefinition").inputs
    volumes = [v["name"] for v in task["volumes"]]
    assert volumes == [*AGENT_PATHS.values(), "web-tmp", "worker-tmp", "worker-var-cache-app"]
    assert all(set(v) == {"name"} for v in task["volumes"]), "Fargate volumes take no host settings"
    mounted = {
        m["sourceVolume"] for c in result.container_definitions() for m in c.get("mountPoints", [])
    }
    assert mounted == set(volumes)
    worker = result.container("worker")
    assert {m["containerPath"] for m in worker["mountPoints"]} == {
        "/tmp",
        "/var/cache/app",
        "/var/run/datadog",
    }


def test_task_definition_is_fargate_awsvpc_with_the_requested_size(args: dict[str, Any]) -> None:
    args.update(cpu_architecture="ARM64", ephemeral_storage_gib=50)
    task = build(args).one("aws:ecs/taskDefinition:TaskDefinition").inputs
    assert task["family"] == "checkout"
    assert task["requiresCompatibilities"] == ["FARGATE"]
    assert task["networkMode"] == "awsvpc"
    assert (task["cpu"], task["memory"]) == ("1024", "3072")
    assert task["runtimePlatform"] == {"operatingSystemFamily": "LINUX", "cpuArchitecture": "ARM64"}
    assert task["ephemeralStorage"] == {"sizeInGib": 50}
    assert task["executionRoleArn"].endswith("checkout-execution-role")
    assert task["taskRoleArn"].endswith("checkout-task-role")


def test_service_is_private_with_circuit_breaker_and_propagated_tags(args: dict[str, Any]) -> None:
    args["tags"] = {"team": "payments"}
    args["desired_count"] = 3
    result = build(args)
    service = result.one("aws:ecs/service:Service").inputs
    assert service["launchType"] == "FARGATE" and service["platformVersion"] == "LATEST"
    assert service["cluster"] == args["cluster_arn"]
    assert service["desiredCount"] == 3
    assert service["networkConfiguration"] == {
        "subnets": ["subnet-0a1", "subnet-0b2"],
        "securityGroups": ["sg-0123"],
        "assignPublicIp": False,
    }
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["propagateTags"] == "SERVICE"
    taggable = [r for r in result.registrations if r.custom and "Policy" not in r.type]
    assert taggable and all(r.inputs.get("tags") == {"team": "payments"} for r in taggable)


def test_without_security_groups_an_egress_only_group_is_created(args: dict[str, Any]) -> None:
    del args["security_group_ids"]
    args["vpc_id"] = "vpc-0abc"
    result = build(args)
    group = result.one("aws:ec2/securityGroup:SecurityGroup").inputs
    assert group["vpcId"] == "vpc-0abc"
    assert not group.get("ingress"), "the tasks' group must not accept inbound traffic"
    assert group["egress"][0]["protocol"] == "-1"
    service = result.one("aws:ecs/service:Service").inputs
    assert service["networkConfiguration"]["securityGroups"] == [f"{'checkout-tasks'}-id"]


def test_load_balancer_attachment(args: dict[str, Any]) -> None:
    tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
    args["load_balancers"] = [
        {"target_group_arn": tg, "container_name": "web", "container_port": 8080}
    ]
    args["health_check_grace_period_seconds"] = 60
    service = build(args).one("aws:ecs/service:Service").inputs
    assert service["loadBalancers"] == [
        {"targetGroupArn": tg, "containerName": "web", "containerPort": 8080}
    ]
    assert service["healthCheckGracePeriodSeconds"] == 60


def test_log_group_has_deterministic_name_and_retention(args: dict[str, Any]) -> None:
    args["log_kms_key_arn"] = (
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    logs = build(args).one("aws:cloudwatch/logGroup:LogGroup").inputs
    assert (logs["name"], logs["retentionInDays"]) == ("/ecs/checkout", 30)
    assert logs["kmsKeyId"] == args["log_kms_key_arn"]
    args.pop("log_kms_key_arn")
    args["log_retention_days"] = 365
    assert build(args).one("aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == 365


def test_existing_roles_are_used_instead_of_created(args: dict[str, Any]) -> None:
    args["execution_role_arn"] = f"arn:aws:iam::{ACCOUNT_ID}:role/shared-execution"
    args["task_role_arn"] = f"arn:aws:iam::{ACCOUNT_ID}:role/shared-task"
    result = build(args)
    assert not result.of_type("aws:iam/role:Role")
    assert not result.of_type("aws:iam/rolePolicy:RolePolicy")
    task = result.one("aws:ecs/taskDefinition:TaskDefinition").inputs
    assert task["executionRoleArn"] == args["execution_role_arn"]
    assert task["taskRoleArn"] == args["task_role_arn"]


def test_outputs(args: dict[str, Any]) -> None:
    outputs: dict[str, Any] = {}

    def program() -> None:
        service = DatadogFargateService("checkout", args)  # type: ignore[arg-type]
        names = [
            "task_definition_arn",
            "service_name",
            "container_definitions",
            "log_group_name",
            "execution_role_arn",
            "task_role_arn",
            "security_group_ids",
        ]
        for n in names:
            getattr(service, n).apply(lambda v, n=n: outputs.__setitem__(n, v))

    run(program)
    assert outputs["service_name"] == "checkout"
    assert outputs["log_group_name"] == "/ecs/checkout"
    assert outputs["task_definition_arn"].startswith("arn:aws:ecs:")
    assert outputs["execution_role_arn"].endswith("checkout-execution-role")
    assert outputs["task_role_arn"].endswith("checkout-task-role")
    assert outputs["security_group_ids"] == ["sg-0123"]
    assert [c["name"] for c in json.loads(outputs["container_definitions"])] == [
        "datadog-init",
        "datadog-agent",
        "web",
    ]


@pytest.mark.parametrize("preview", [True, False])
def test_container_definitions_are_known_in_preview(args: dict[str, Any], preview: bool) -> None:
    result = build(args, preview=preview)
    task = result.one("aws:ecs/taskDefinition:TaskDefinition").inputs
    assert isinstance(task["containerDefinitions"], str)
    assert json.loads(task["containerDefinitions"])[1]["name"] == "datadog-agent"
    if (
        preview
    ):  # a first preview: the new roles have no ARN yet, but that never leaks into the JSON
        assert not isinstance(task.get("executionRoleArn"), str) or not task["executionRoleArn"]


def test_a_secret_created_in_the_same_preview_makes_the_definitions_unknown(
    args: dict[str, Any],
) -> None:
    """The documented limit: a value that is itself unknown in preview cannot be spliced in known."""

    def program() -> None:
        secret = aws.secretsmanager.Secret("dd-api-key")  # new: no ARN until it is created
        args["datadog"]["api_key_secret_arn"] = secret.arn
        DatadogFargateService("checkout", args)  # type: ignore[arg-type]

    task = run(program, preview=True).one("aws:ecs/taskDefinition:TaskDefinition").inputs
    assert (
        not isinstance(task.get("containerDefinitions"), str)
        or task["containerDefinitions"] == pulumi.UNKNOWN
    )


# What EC2 (and the Terraform provider under pulumi-aws) accepts in security group and rule
# descriptions; the mocks accept anything, AWS rejects the whole group.
EC2_DESCRIPTION = re.compile(r"^[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*$")


def test_security_group_descriptions_are_accepted_by_ec2(args: dict[str, Any]) -> None:
    del args["security_group_ids"]
    args["vpc_id"] = "vpc-0abc"
    group = build(args).one("aws:ec2/securityGroup:SecurityGroup").inputs
    descriptions = [group["description"]] + [rule["description"] for rule in group["egress"]]
    for description in descriptions:
        assert EC2_DESCRIPTION.match(description), description


def test_a_secret_output_inside_the_definitions_keeps_them_secret(args: dict[str, Any]) -> None:
    """Only the Outputs inside the definitions are awaited; their secretness must still spread."""

    def program() -> None:
        args["datadog"]["api_key_secret_arn"] = pulumi.Output.secret(
            args["datadog"]["api_key_secret_arn"]
        )
        DatadogFargateService("checkout", args)  # type: ignore[arg-type]

    task = run(program).one("aws:ecs/taskDefinition:TaskDefinition")
    wire = task.wire_inputs["containerDefinitions"]
    # Pulumi's secret signature: what the engine (and a policy pack) receives for a secret.
    assert isinstance(wire, dict) and wire["4dabf18193072939515e22adb298388d"] == (
        "1b47061264138c4ac30d75fd1eb44270"
    )


def test_account_lookups_are_shared_per_program_and_provider(args: dict[str, Any]) -> None:
    """One caller-identity and one region lookup per AWS provider, not per service."""

    def program() -> None:
        DatadogFargateService("checkout", args)  # type: ignore[arg-type]
        DatadogFargateService("payments", args)  # type: ignore[arg-type]
        other = aws.Provider("eu", region="eu-west-1")
        DatadogFargateService("eu-checkout", args, pulumi.ResourceOptions(providers=[other]))  # type: ignore[arg-type]

    result = run(program)
    calls = result.mocks.calls
    assert calls.count("aws:index/getCallerIdentity:getCallerIdentity") == 2
    assert calls.count("aws:index/getRegion:getRegion") == 2
    assert "aws:index/getPartition:getPartition" not in calls  # read from the identity's ARN
    assert len(result.of_type("aws:ecs/taskDefinition:TaskDefinition")) == 3
