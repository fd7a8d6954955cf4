"""`DatadogFargateService`: the component that wires the spec into AWS resources."""

import weakref
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from . import containers, iam, outputs
from .args import DatadogFargateServiceArgs
from .secret_refs import grant_for
from .spec import ServiceSpec
from .validation import validate

TYPE_TOKEN = "datadog-fargate:index:DatadogFargateService"


class _Account:
    """Partition, region and account of the AWS provider, as Outputs (invokes run in preview too)."""

    def __init__(self, parent: pulumi.Resource) -> None:
        opts = pulumi.InvokeOutputOptions(parent=parent)
        identity = aws.get_caller_identity_output(opts=opts)
        self.account_id = identity.account_id
        self.partition = identity.arn.apply(lambda arn: arn.split(":")[1])
        self.region = aws.get_region_output(opts=opts).region


# One lookup per program run and AWS provider, not per service: keyed by the run's root stack
# resource (a new run never sees an old run's Outputs) and the provider the component inherits.
_ACCOUNTS: "weakref.WeakKeyDictionary[pulumi.Resource, dict[int, _Account]]" = (
    weakref.WeakKeyDictionary()
)


def _account_for(component: pulumi.ComponentResource) -> _Account:
    root = pulumi.runtime.get_root_resource()
    if root is None:  # no stack (unusual test setups): nothing to share
        return _Account(component)
    provider = component.get_provider("aws::")
    by_provider = _ACCOUNTS.setdefault(root, {})
    key = id(provider) if provider is not None else 0
    if key not in by_provider:
        by_provider[key] = _Account(component)
    return by_provider[key]


class DatadogFargateService(pulumi.ComponentResource):
    """A Fargate service whose every container, the Datadog Agent and its init included, runs read-only."""

    task_definition_arn: pulumi.Output[str]
    """ARN (with revision) of the task definition."""
    service_name: pulumi.Output[str]
    """Name of the ECS service."""
    service_arn: pulumi.Output[str]
    """ARN of the ECS service."""
    container_definitions: pulumi.Output[str]
    """The task's container definitions as the JSON string ECS receives."""
    log_group_name: pulumi.Output[str]
    """CloudWatch Logs group every container logs to."""
    execution_role_arn: pulumi.Output[str]
    """Role ECS uses to pull images, write logs and read the task's secrets."""
    task_role_arn: pulumi.Output[str]
    """Role the containers run as; attach your app's permissions to it."""
    security_group_ids: pulumi.Output[list[str]]
    """Security groups of the tasks."""

    def __init__(
        self,
        name: str,
        args: DatadogFargateServiceArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # Validate before registering anything: bad input must not leave half a stack behind.
        spec = validate(name, args)
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.spec = spec
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(spec.tags)
        account = _account_for(self)

        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=spec.log_group_name,
            retention_in_days=spec.log_retention_days,
            kms_key_id=spec.log_kms_key_arn,
            tags=tags,
            opts=child,
        )
        definitions = containers.container_definitions(spec, account.region)
        self.container_definitions = outputs.json_dumps(definitions)

        execution_role_arn = spec.execution_role_arn or self._execution_role(spec, account, tags)
        task_role_arn = spec.task_role_arn or self._task_role(spec, account, tags)

        task_definition = aws.ecs.TaskDefinition(
            f"{name}-task",
            family=spec.family,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(spec.cpu),
            memory=str(spec.memory),
            runtime_platform={
                "operating_system_family": "LINUX",
                "cpu_architecture": spec.cpu_architecture,
            },
            ephemeral_storage=(
                {"size_in_gib": spec.ephemeral_storage_gib} if spec.ephemeral_storage_gib else None
            ),
            execution_role_arn=execution_role_arn,
            task_role_arn=task_role_arn,
            container_definitions=self.container_definitions,
            # No host settings: on Fargate each volume is a bind mount on task ephemeral storage.
            volumes=[{"name": v} for v in containers.volume_names(spec)],
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group]),
        )

        security_groups = list(spec.security_group_ids) or [self._egress_only_group(spec, tags)]
        service = aws.ecs.Service(
            f"{name}-service",
            name=spec.name,
            cluster=spec.cluster_arn,
            task_definition=task_definition.arn,
            launch_type="FARGATE",
            platform_version="LATEST",
            desired_count=spec.desired_count,
            network_configuration={
                "subnets": list(spec.subnet_ids),
                "security_groups": security_groups,
                "assign_public_ip": spec.assign_public_ip,
            },
            deployment_circuit_breaker={"enable": True, "rollback": True},
            load_balancers=[
                {
                    "target_group_arn": lb.target_group_arn,
                    "container_name": lb.container_name,
                    "container_port": lb.container_port,
                }
                for lb in spec.load_balancers
            ],
            health_check_grace_period_seconds=spec.health_check_grace_period_seconds,
            enable_execute_command=spec.enable_execute_command,
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            tags=tags,
            # The name is fixed, so a replacement must delete the old service first.
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
        )

        self.task_definition_arn = task_definition.arn
        self.service_name = service.name
        self.service_arn = service.arn
        self.log_group_name = log_group.name
        self.execution_role_arn = pulumi.Output.from_input(execution_role_arn)
        self.task_role_arn = pulumi.Output.from_input(task_role_arn)
        self.security_group_ids = pulumi.Output.all(*security_groups)
        self.register_outputs(
            {
                "task_definition_arn": self.task_definition_arn,
                "service_name": self.service_name,
                "service_arn": self.service_arn,
                "container_definitions": self.container_definitions,
                "log_group_name": self.log_group_name,
                "execution_role_arn": self.execution_role_arn,
                "task_role_arn": self.task_role_arn,
                "security_group_ids": self.security_group_ids,
            }
        )

    def _trust_policy(self, account: _Account) -> pulumi.Output[str]:
        return pulumi.Output.all(account.partition, account.region, account.account_id).apply(
            lambda a: iam.assume_role_policy(partition=a[0], region=a[1], account_id=a[2])
        )

    def _role(
        self,
        suffix: str,
        description: str,
        account: _Account,
        tags: Mapping[str, str],
        policies: Mapping[str, pulumi.Input[str]],
    ) -> aws.iam.Role:
        """A role only this account's ECS tasks can assume, with its inline policies as children."""
        role = aws.iam.Role(
            f"{self.spec.name}-{suffix}-role",
            assume_role_policy=self._trust_policy(account),
            description=f"{description} of {self.spec.name}",
            tags=dict(tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        for policy_name, document in policies.items():
            aws.iam.RolePolicy(
                f"{self.spec.name}-{policy_name}",
                role=role.name,
                policy=document,
                opts=pulumi.ResourceOptions(parent=role),
            )
        return role

    def _execution_role(
        self, spec: ServiceSpec, account: _Account, tags: Mapping[str, str]
    ) -> pulumi.Output[str]:
        refs, keys = spec.secret_refs(), spec.secrets_kms_key_arns

        def secrets_policy(values: list[Any]) -> str:
            partition, region, account_id, *rest = values
            # An Output reference is checked here, once it is known; a plain one was checked up front.
            grants = (
                grant_for(ref, partition=partition, region=region, account_id=account_id)
                for ref in rest[: len(refs)]
            )
            return iam.secrets_read_policy(grants, rest[len(refs) :])

        secrets = pulumi.Output.all(
            account.partition, account.region, account.account_id, *refs, *keys
        ).apply(secrets_policy)
        role = self._role(
            "execution",
            "ECS task execution role (image pulls, logs, task secrets)",
            account,
            tags,
            {"execution-secrets": secrets},
        )
        aws.iam.RolePolicyAttachment(
            f"{spec.name}-execution-managed",
            role=role.name,
            policy_arn=account.partition.apply(
                lambda p: f"arn:{p}:iam::aws:policy/{iam.EXECUTION_MANAGED_POLICY}"
            ),
            opts=pulumi.ResourceOptions(parent=role),
        )
        return role.arn

    def _task_role(
        self, spec: ServiceSpec, account: _Account, tags: Mapping[str, str]
    ) -> pulumi.Output[str]:
        policies: dict[str, pulumi.Input[str]] = {}
        if spec.datadog.task_collection:
            policies["task-collection"] = pulumi.Output.from_input(spec.cluster_arn).apply(
                iam.task_collection_policy
            )
        if spec.enable_execute_command:
            policies["execute-command"] = iam.execute_command_policy()
        role = self._role(
            "task", "ECS task role (the app and the Datadog Agent)", account, tags, policies
        )
        return role.arn

    def _egress_only_group(self, spec: ServiceSpec, tags: Mapping[str, str]) -> pulumi.Output[str]:
        group = aws.ec2.SecurityGroup(
            f"{spec.name}-tasks",
            vpc_id=spec.vpc_id,
            description=f"Tasks of {spec.name}: outbound only, no inbound",
            egress=[
                {
                    "protocol": "-1",
                    "from_port": 0,
                    "to_port": 0,
                    "cidr_blocks": ["0.0.0.0/0"],
                    "ipv6_cidr_blocks": ["::/0"],
                    "description": "Datadog intake, ECR, Secrets Manager and app dependencies",
                }
            ],
            tags=dict(tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return group.id
