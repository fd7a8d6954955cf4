import copy
from typing import Any

import pytest

# The contract example: tests build on it and change one thing at a time.
CONTRACT_ARGS: dict[str, Any] = {
    "cluster_arn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
    "subnet_ids": ["subnet-0a1", "subnet-0b2"],
    "security_group_ids": ["sg-0123"],
    "cpu": 1024,
    "memory": 3072,
    "containers": [
        {
            "name": "web",
            "image": "ghcr.io/acme/checkout:1.4.2",
            "port_mappings": [{"container_port": 8080}],
            "writable_paths": ["/tmp"],
            "environment": {"LOG_LEVEL": "info"},
            "secrets": {
                "DB_PASSWORD": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
            },
        }
    ],
    "datadog": {
        "api_key_secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:dd-api-key-AbCdEf",
        "site": "datadoghq.com",
        "env": "prod",
        "service": "checkout",
        "version": "1.4.2",
    },
}


@pytest.fixture
def args() -> dict[str, Any]:
    return copy.deepcopy(CONTRACT_ARGS)
