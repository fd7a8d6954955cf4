"""`count` DatadogFargateService instances, each like the reference app's checkout service."""

import pulumi
from datadog_fargate import DatadogFargateService

ACCOUNT, REGION = "123456789012", "us-east-1"


def service_args(i: int) -> dict:
    name = f"svc{i}"
    return {
        "cluster_arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod",
        "subnet_ids": ["subnet-0a1", "subnet-0b2"],
        "security_group_ids": ["sg-0123"],
        "cpu": 1024,
        "memory": 3072,
        "containers": [
            {
                "name": "web",
                "image": f"ghcr.io/acme/{name}:1.4.{i}",
                "port_mappings": [{"container_port": 8080, "name": "http"}],
                "writable_paths": ["/tmp"],
                "environment": {"LOG_LEVEL": "info"},
                "secrets": {"DB_PASSWORD": f"/{name}/db-password"},
                "health_check": {
                    "command": ["CMD-SHELL", "wget -qO- http://localhost:8080/health || exit 1"],
                    "start_period": 30,
                },
                "user": "1000:1000",
            }
        ],
        "datadog": {
            "api_key_secret_arn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:dd-AbCdEf",
            "env": "prod",
            "service": name,
            "version": f"1.4.{i}",
        },
        "tags": {"service": name, "env": "prod"},
    }


for i in range(pulumi.Config().get_int("count") or 1):
    DatadogFargateService(f"svc{i}", service_args(i))
