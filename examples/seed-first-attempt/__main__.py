"""The seed's first attempt, written with plain pulumi-aws resources.

Everything is realistic (log group with retention, execution role that may read the API key
secret, task role) except the one thing the article shows failing: the agent container is
read-only with no writable volumes and no init container to seed /etc/datadog-agent.
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
api_key_secret_arn = config.require("ddApiKeySecretArn")
dd_site = config.get("ddSite") or "datadoghq.com"
region = aws.get_region().region

family = "datadog-agent-readonly"
log_group = aws.cloudwatch.LogGroup("datadog-agent", name=f"/ecs/{family}", retention_in_days=30)

assume_ecs_tasks = aws.iam.get_policy_document(
    statements=[
        {
            "actions": ["sts:AssumeRole"],
            "principals": [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}],
        }
    ]
)

execution_role = aws.iam.Role("execution", assume_role_policy=assume_ecs_tasks.json)
aws.iam.RolePolicyAttachment(
    "execution-managed",
    role=execution_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
)
aws.iam.RolePolicy(
    "execution-read-api-key",
    role=execution_role.id,
    policy=aws.iam.get_policy_document(
        statements=[
            {"actions": ["secretsmanager:GetSecretValue"], "resources": [api_key_secret_arn]}
        ]
    ).json,
)
task_role = aws.iam.Role("task", assume_role_policy=assume_ecs_tasks.json)

agent = {
    "name": "datadog-agent",
    "image": "public.ecr.aws/datadog/agent:latest",  # as in the article
    "essential": True,
    "portMappings": [{"containerPort": 8125, "hostPort": 8125, "protocol": "udp"}],
    "environment": [
        {"name": "DD_SITE", "value": dd_site},
        {"name": "ECS_FARGATE", "value": "true"},
    ],
    "secrets": [{"name": "DD_API_KEY", "valueFrom": api_key_secret_arn}],
    # The first attempt: read-only root, but nowhere writable for the agent's start-up files.
    "readonlyRootFilesystem": True,
    "logConfiguration": {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": log_group.name,
            "awslogs-region": region,
            "awslogs-stream-prefix": "ecs",
        },
    },
}

task_definition = aws.ecs.TaskDefinition(
    "datadog-agent-readonly",
    family=family,
    requires_compatibilities=["FARGATE"],
    network_mode="awsvpc",
    cpu="1024",
    memory="3072",
    execution_role_arn=execution_role.arn,
    task_role_arn=task_role.arn,
    container_definitions=pulumi.Output.json_dumps([agent]),
)

pulumi.export("taskDefinitionFamily", task_definition.family)
