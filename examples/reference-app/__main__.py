"""Reference app stack: the checkout service with the Datadog Agent, every container read-only.

The root Pulumi.yaml is this program's project; Pulumi.dev.yaml is its default stack config.
"""

import pulumi
from datadog_fargate import DatadogFargateService

config = pulumi.Config()
version = config.get("imageTag") or "1.4.2"
security_groups: list[str] = config.get_object("securityGroupIds") or []

service = DatadogFargateService(
    "checkout",
    {
        "cluster_arn": config.require("clusterArn"),
        "subnet_ids": config.require_object("subnetIds"),
        **({"security_group_ids": security_groups} if security_groups else {}),
        **({"vpc_id": config.require("vpcId")} if not security_groups else {}),
        "cpu": 1024,
        "memory": 3072,
        "containers": [
            {
                "name": "web",
                "image": f"ghcr.io/acme/checkout:{version}",
                "port_mappings": [{"container_port": 8080, "name": "http"}],
                "writable_paths": ["/tmp"],
                "environment": {"LOG_LEVEL": "info"},
                "secrets": {"DB_PASSWORD": "/checkout/db-password"},
                "health_check": {
                    "command": ["CMD-SHELL", "wget -qO- http://localhost:8080/health || exit 1"],
                    "start_period": 30,
                },
            }
        ],
        "datadog": {
            "api_key_secret_arn": config.require("datadogApiKeySecretArn"),
            "site": config.get("datadogSite") or "datadoghq.com",
            "env": config.get("env") or pulumi.get_stack(),
            "service": "checkout",
            "version": version,
        },
        "tags": {"service": "checkout", "env": config.get("env") or pulumi.get_stack()},
    },
)

pulumi.export("serviceName", service.service_name)
pulumi.export("taskDefinitionArn", service.task_definition_arn)
pulumi.export("logGroupName", service.log_group_name)
pulumi.export("taskRoleArn", service.task_role_arn)
