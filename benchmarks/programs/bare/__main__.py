"""What `count` services of benchmarks/programs/services register, hand-written: the same
resources with the same inputs, no component, no validation, the account looked up once."""

import json

import pulumi
import pulumi_aws as aws

REGION = "us-east-1"
CLUSTER = f"arn:aws:ecs:{REGION}:123456789012:cluster/prod"
AGENT_IMAGE = "public.ecr.aws/datadog/agent:7.84.6"
DD_KEY = f"arn:aws:secretsmanager:{REGION}:123456789012:secret:dd-AbCdEf"

account_id = aws.get_caller_identity_output().account_id
trust_policy = account_id.apply(
    lambda account: json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account},
                        "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{REGION}:{account}:*"},
                    },
                }
            ],
        }
    )
)


def logging(name, prefix):
    return {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": f"/ecs/{name}",
            "awslogs-region": REGION,
            "awslogs-stream-prefix": prefix,
            "mode": "non-blocking",
            "max-buffer-size": "25m",
        },
    }


def mount(volume, path, read_only=False):
    return {"sourceVolume": volume, "containerPath": path, "readOnly": read_only}


def env(pairs):
    return [{"name": k, "value": v} for k, v in sorted(pairs.items())]


def container_definitions(i, name):
    version = f"1.4.{i}"
    init = {
        "name": "datadog-init",
        "image": AGENT_IMAGE,
        "essential": False,
        "readonlyRootFilesystem": True,
        "entryPoint": ["/bin/sh", "-c"],
        "command": ["cp -R /etc/datadog-agent/* /opt/datadog-agent-config/"],
        "mountPoints": [mount("datadog-config", "/opt/datadog-agent-config")],
        "logConfiguration": logging(name, "datadog-init"),
    }
    agent = {
        "name": "datadog-agent",
        "image": AGENT_IMAGE,
        "essential": True,
        "readonlyRootFilesystem": True,
        "cpu": 256,
        "memory": 512,
        "environment": env(
            {
                "ECS_FARGATE": "true",
                "DD_SITE": "datadoghq.com",
                "DD_APM_ENABLED": "true",
                "DD_ECS_TASK_COLLECTION_ENABLED": "true",
                "DD_APM_RECEIVER_SOCKET": "/var/run/datadog/apm.socket",
                "DD_DOGSTATSD_SOCKET": "/var/run/datadog/dsd.socket",
            }
        ),
        "secrets": [{"name": "DD_API_KEY", "valueFrom": DD_KEY}],
        "mountPoints": [
            mount("datadog-config", "/etc/datadog-agent"),
            mount("datadog-run", "/opt/datadog-agent/run"),
            mount("datadog-sockets", "/var/run/datadog"),
            mount("datadog-tmp", "/tmp"),
            mount("datadog-logs", "/var/log/datadog"),
        ],
        "dependsOn": [{"containerName": "datadog-init", "condition": "SUCCESS"}],
        "healthCheck": {
            "command": ["CMD-SHELL", "agent health"],
            "interval": 30,
            "timeout": 5,
            "retries": 3,
            "startPeriod": 60,
        },
        "logConfiguration": logging(name, "datadog-agent"),
    }
    web = {
        "name": "web",
        "image": f"ghcr.io/acme/{name}:{version}",
        "essential": True,
        "readonlyRootFilesystem": True,
        "environment": env(
            {
                "LOG_LEVEL": "info",
                "DD_ENV": "prod",
                "DD_SERVICE": name,
                "DD_VERSION": version,
                "DD_TRACE_AGENT_URL": "unix:///var/run/datadog/apm.socket",
                "DD_DOGSTATSD_URL": "unix:///var/run/datadog/dsd.socket",
            }
        ),
        "mountPoints": [
            mount("web-tmp", "/tmp"),
            mount("datadog-sockets", "/var/run/datadog", read_only=True),
        ],
        "dockerLabels": {
            "com.datadoghq.tags.env": "prod",
            "com.datadoghq.tags.service": name,
            "com.datadoghq.tags.version": version,
        },
        "logConfiguration": logging(name, "web"),
        "user": "1000:1000",
        "portMappings": [{"containerPort": 8080, "protocol": "tcp", "name": "http"}],
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": f"/{name}/db-password"}],
        "healthCheck": {
            "command": ["CMD-SHELL", "wget -qO- http://localhost:8080/health || exit 1"],
            "interval": 30,
            "timeout": 5,
            "retries": 3,
            "startPeriod": 30,
        },
        "dependsOn": [{"containerName": "datadog-agent", "condition": "HEALTHY"}],
    }
    return json.dumps([init, agent, web])


def service(i):
    name = f"svc{i}"
    tags = {"env": "prod", "service": name}
    logs = aws.cloudwatch.LogGroup(
        f"{name}-logs", name=f"/ecs/{name}", retention_in_days=30, tags=tags
    )
    execution = aws.iam.Role(
        f"{name}-execution-role",
        assume_role_policy=trust_policy,
        description=f"ECS task execution role (image pulls, logs, task secrets) of {name}",
        tags=tags,
    )
    aws.iam.RolePolicyAttachment(
        f"{name}-execution-managed",
        role=execution.name,
        policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        opts=pulumi.ResourceOptions(parent=execution),
    )
    aws.iam.RolePolicy(
        f"{name}-execution-secrets",
        role=execution.name,
        policy=account_id.apply(
            lambda account: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "ReadTaskSecretsSecretsManager",
                            "Effect": "Allow",
                            "Action": ["secretsmanager:GetSecretValue"],
                            "Resource": [DD_KEY],
                        },
                        {
                            "Sid": "ReadTaskSecretsSsm",
                            "Effect": "Allow",
                            "Action": ["ssm:GetParameters"],
                            "Resource": [
                                f"arn:aws:ssm:{REGION}:{account}:parameter/{name}/db-password"
                            ],
                        },
                    ],
                }
            )
        ),
        opts=pulumi.ResourceOptions(parent=execution),
    )
    task_role = aws.iam.Role(
        f"{name}-task-role",
        assume_role_policy=trust_policy,
        description=f"ECS task role (the app and the Datadog Agent) of {name}",
        tags=tags,
    )
    aws.iam.RolePolicy(
        f"{name}-task-collection",
        role=task_role.name,
        policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "ListClusters",
                        "Effect": "Allow",
                        "Action": ["ecs:ListClusters"],
                        "Resource": "*",
                    },
                    {
                        "Sid": "ListContainerInstances",
                        "Effect": "Allow",
                        "Action": ["ecs:ListContainerInstances"],
                        "Resource": [CLUSTER],
                    },
                    {
                        "Sid": "DescribeContainerInstances",
                        "Effect": "Allow",
                        "Action": ["ecs:DescribeContainerInstances"],
                        "Resource": [CLUSTER.replace(":cluster/", ":container-instance/") + "/*"],
                    },
                ],
            }
        ),
        opts=pulumi.ResourceOptions(parent=task_role),
    )
    task = aws.ecs.TaskDefinition(
        f"{name}-task",
        family=name,
        requires_compatibilities=["FARGATE"],
        network_mode="awsvpc",
        cpu="1024",
        memory="3072",
        runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "X86_64"},
        execution_role_arn=execution.arn,
        task_role_arn=task_role.arn,
        container_definitions=container_definitions(i, name),
        volumes=[
            {"name": v}
            for v in (
                "datadog-config",
                "datadog-run",
                "datadog-sockets",
                "datadog-tmp",
                "datadog-logs",
                "web-tmp",
            )
        ],
        tags=tags,
        opts=pulumi.ResourceOptions(depends_on=[logs]),
    )
    aws.ecs.Service(
        f"{name}-service",
        name=name,
        cluster=CLUSTER,
        task_definition=task.arn,
        launch_type="FARGATE",
        platform_version="LATEST",
        desired_count=1,
        network_configuration={
            "subnets": ["subnet-0a1", "subnet-0b2"],
            "security_groups": ["sg-0123"],
            "assign_public_ip": False,
        },
        deployment_circuit_breaker={"enable": True, "rollback": True},
        load_balancers=[],
        enable_execute_command=False,
        propagate_tags="SERVICE",
        enable_ecs_managed_tags=True,
        tags=tags,
        opts=pulumi.ResourceOptions(delete_before_replace=True),
    )


for i in range(pulumi.Config().get_int("count") or 1):
    service(i)
