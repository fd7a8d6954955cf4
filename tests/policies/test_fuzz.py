"""Adversarial property tests: no input makes the pack raise, and what it says is clear.

Bounded for CI (`FUZZ_EXAMPLES`, default below, scales every test here); run once with e.g.
`FUZZ_EXAMPLES=10000 pytest tests/policies/test_fuzz.py --hypothesis-show-statistics` for a
deep run.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

from ecs_readonly_datadog import ecs_model
from ecs_readonly_datadog.model_check import compile_shape
from ecs_readonly_datadog.taskdef import Unknown
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_testlib import UNKNOWN

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
)

# --- the compiled model check agrees with botocore -------------------------------------------

MODEL = ecs_model._model()
# Containers as the component builds them (init, agent, apps): the common, valid case.
COMPONENT_CONTAINERS: list[dict[str, Any]] = json.loads(
    json.dumps(
        [
            {
                "name": "datadog-agent",
                "image": "public.ecr.aws/datadog/agent:7.84.6",
                "essential": True,
                "readonlyRootFilesystem": True,
                "cpu": 256,
                "memory": 512,
                "environment": [{"name": "ECS_FARGATE", "value": "true"}],
                "secrets": [{"name": "DD_API_KEY", "valueFrom": "arn:aws:ssm:x:1:parameter/k"}],
                "mountPoints": [
                    {"sourceVolume": "c", "containerPath": "/etc/datadog-agent", "readOnly": False}
                ],
                "dependsOn": [{"containerName": "datadog-init", "condition": "SUCCESS"}],
                "healthCheck": {
                    "command": ["CMD-SHELL", "agent health"],
                    "interval": 30,
                    "timeout": 5,
                    "retries": 3,
                    "startPeriod": 60,
                },
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": "/ecs/x", "mode": "non-blocking"},
                },
                "portMappings": [{"containerPort": 8126, "protocol": "tcp", "name": "apm"}],
                "dockerLabels": {"com.datadoghq.tags.env": "prod"},
                "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 2048}],
                "linuxParameters": {"capabilities": {"drop": ["ALL"]}, "initProcessEnabled": True},
                "resourceRequirements": [{"type": "GPU", "value": "1"}],
            }
        ]
    )
)
KEYS = sorted(
    {
        *MODEL.member_names,
        "readOnlyRootFilesystem",
        "x",
        "sourceVolume",
        "containerPath",
        "readOnly",
        "containerName",
        "condition",
        "command",
        "interval",
        "name",
        "value",
        "logDriver",
        "options",
        "type",
        "softLimit",
        "hardLimit",
        "capabilities",
        "drop",
        "sharingStrategy",
    }
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "a", "CMD", "SUCCESS", "ALL", UNKNOWN]),
    st.just(Unknown(UNKNOWN)),
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def near_valid_container(draw: st.DrawFn) -> Any:
    """A valid container with one subtree replaced (or not): the boundary the check must get
    exactly right."""
    container = copy.deepcopy(draw(st.sampled_from(COMPONENT_CONTAINERS)))
    node: Any = container
    for _ in range(draw(st.integers(0, 4))):
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            if draw(st.booleans()):
                node[key] = draw(JSONISH)
                break
            node = node[key]
        elif isinstance(node, list) and node:
            index = draw(st.integers(0, len(node) - 1))
            if draw(st.booleans()):
                node[index] = draw(JSONISH)
                break
            node = node[index]
    return container


@FUZZ
@given(
    container=st.one_of(
        near_valid_container(), st.dictionaries(st.sampled_from(KEYS), JSONISH, max_size=6), JSONISH
    )
)
def test_compiled_model_check_says_valid_exactly_when_botocore_finds_nothing(
    container: Any,
) -> None:
    slow = ecs_model._validate_one(container)
    assert MODEL.container_is_valid(container) == (slow == ()), slow


def test_compiled_model_check_compiles_every_container_member() -> None:
    assert MODEL.container_is_valid(COMPONENT_CONTAINERS[0])
    assert compile_shape(MODEL.container_shape)({"readOnlyRootFilesystem": True}) is False
