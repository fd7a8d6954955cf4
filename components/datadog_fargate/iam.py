"""IAM policy documents, least privilege with exact resource ARNs. Pure functions over plain values."""

import json
from collections import defaultdict
from collections.abc import Iterable

from .secret_refs import SecretGrant

EXECUTION_MANAGED_POLICY = "service-role/AmazonECSTaskExecutionRolePolicy"


def assume_role_policy(*, partition: str, region: str, account_id: str) -> str:
    """Only ECS tasks of this account and region may assume the role (confused-deputy guard)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account_id},
                        "ArnLike": {
                            "aws:SourceArn": f"arn:{partition}:ecs:{region}:{account_id}:*"
                        },
                    },
                }
            ],
        }
    )


def secrets_read_policy(grants: Iterable[SecretGrant], kms_keys: Iterable[str] = ()) -> str:
    """One statement per action, each listing exactly the secrets (and keys) the task uses."""
    by_action: dict[str, set[str]] = defaultdict(set)
    for grant in grants:
        by_action[grant.action].add(grant.resource)
    statements = [
        {
            "Sid": "ReadTaskSecrets" + action.split(":")[0].title().replace("manager", "Manager"),
            "Effect": "Allow",
            "Action": [action],
            "Resource": sorted(resources),
        }
        for action, resources in sorted(by_action.items())
    ]
    if keys := sorted(set(kms_keys)):
        statements.append(
            {
                "Sid": "DecryptTaskSecrets",
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": keys,
            }
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def task_collection_policy(cluster_arn: str) -> str:
    """What the agent's Orchestrator Explorer task collection reads, scoped to the service's cluster."""
    container_instances = cluster_arn.replace(":cluster/", ":container-instance/", 1) + "/*"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ListClusters",
                    "Effect": "Allow",
                    "Action": ["ecs:ListClusters"],
                    # ListClusters has no resource-level permissions: AWS only accepts "*".
                    "Resource": "*",
                },
                {
                    "Sid": "ListContainerInstances",
                    "Effect": "Allow",
                    "Action": ["ecs:ListContainerInstances"],
                    "Resource": [cluster_arn],
                },
                {
                    "Sid": "DescribeContainerInstances",
                    "Effect": "Allow",
                    "Action": ["ecs:DescribeContainerInstances"],
                    "Resource": [container_instances],
                },
            ],
        }
    )


def execute_command_policy() -> str:
    """What ECS Exec's SSM agent needs; these actions have no resource-level permissions."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "EcsExecSessionChannels",
                    "Effect": "Allow",
                    "Action": [
                        "ssmmessages:CreateControlChannel",
                        "ssmmessages:CreateDataChannel",
                        "ssmmessages:OpenControlChannel",
                        "ssmmessages:OpenDataChannel",
                    ],
                    "Resource": "*",
                }
            ],
        }
    )
