"""IAM documents: exact resource ARNs for secrets, a scoped trust policy, task collection reads."""

import json
from typing import Any

from datadog_fargate import DatadogFargateService
from pulumi_harness import ACCOUNT_ID, Run, run


def build(args: dict[str, Any]) -> Run:
    return run(lambda: DatadogFargateService("checkout", args))  # type: ignore[arg-type]


def policy(result: Run, name: str) -> dict[str, Any]:
    found = [r for r in result.of_type("aws:iam/rolePolicy:RolePolicy") if r.name == name]
    assert len(found) == 1, name
    return json.loads(found[0].inputs["policy"])  # type: ignore[no-any-return]


def test_execution_role_reads_exactly_the_referenced_secrets(args: dict[str, Any]) -> None:
    args["containers"][0]["secrets"].update(
        {
            # A JSON-key reference: IAM must name the secret, not the key suffix.
            "DB_USER": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:username::",
            "FLAGS": "/checkout/feature-flags",
            "TOKEN": "arn:aws:ssm:us-east-1:123456789012:parameter/checkout/token",
        }
    )
    statements = policy(build(args), "checkout-execution-secrets")["Statement"]
    assert statements == [
        {
            "Sid": "ReadTaskSecretsSecretsManager",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": [
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:dd-api-key-AbCdEf",
            ],
        },
        {
            "Sid": "ReadTaskSecretsSsm",
            "Effect": "Allow",
            "Action": ["ssm:GetParameters"],
            "Resource": [
                f"arn:aws:ssm:us-east-1:{ACCOUNT_ID}:parameter/checkout/feature-flags",
                "arn:aws:ssm:us-east-1:123456789012:parameter/checkout/token",
            ],
        },
    ]


def test_no_policy_grants_secret_reads_on_a_wildcard(args: dict[str, Any]) -> None:
    result = build(args)
    for reg in result.of_type("aws:iam/rolePolicy:RolePolicy"):
        for statement in json.loads(reg.inputs["policy"])["Statement"]:
            actions = statement["Action"]
            if any(a.startswith(("secretsmanager:", "ssm:")) for a in actions):
                assert "*" not in json.dumps(statement["Resource"]), statement


def test_execution_role_gets_the_aws_managed_execution_policy(args: dict[str, Any]) -> None:
    attachment = build(args).one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs
    assert (
        attachment["policyArn"]
        == "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    )


def test_roles_trust_only_ecs_tasks_of_this_account(args: dict[str, Any]) -> None:
    for role in build(args).of_type("aws:iam/role:Role"):
        (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
            "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:us-east-1:{ACCOUNT_ID}:*"},
        }


def test_task_collection_permissions_are_scoped_to_the_cluster(args: dict[str, Any]) -> None:
    statements = {s["Sid"]: s for s in policy(build(args), "checkout-task-collection")["Statement"]}
    assert statements["ListContainerInstances"]["Resource"] == [args["cluster_arn"]]
    assert statements["DescribeContainerInstances"]["Resource"] == [
        "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/*"
    ]
    assert statements["ListClusters"]["Action"] == ["ecs:ListClusters"]


def test_task_collection_off_means_no_task_role_policy_and_agent_told_so(
    args: dict[str, Any],
) -> None:
    args["datadog"]["task_collection"] = False
    result = build(args)
    assert [r.name for r in result.of_type("aws:iam/rolePolicy:RolePolicy")] == [
        "checkout-execution-secrets"
    ]
    agent_env = {e["name"]: e["value"] for e in result.container("datadog-agent")["environment"]}
    assert agent_env["DD_ECS_TASK_COLLECTION_ENABLED"] == "false"


def test_a_partial_secrets_manager_arn_is_granted_with_the_random_suffix(
    args: dict[str, Any],
) -> None:
    """IAM evaluates the secret's full ARN (NAME-AbCdEf); a grant on NAME alone never matches."""
    args["datadog"]["api_key_secret_arn"] = (
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:datadog/api-key"
    )
    (statement,) = policy(build(args), "checkout-execution-secrets")["Statement"]
    assert statement["Resource"] == [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:datadog/api-key-??????",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
    ]


def test_customer_managed_keys_of_the_secrets_are_decryptable_and_nothing_else(
    args: dict[str, Any],
) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    args["secrets_kms_key_arns"] = [key]
    statements = policy(build(args), "checkout-execution-secrets")["Statement"]
    assert statements[-1] == {
        "Sid": "DecryptTaskSecrets",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": [key],
    }
    del args["secrets_kms_key_arns"]
    assert "kms:Decrypt" not in json.dumps(policy(build(args), "checkout-execution-secrets"))
