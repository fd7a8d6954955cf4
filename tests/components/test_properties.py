"""Property tests of DatadogFargateService under Pulumi's mock engine.

- Any valid generated args build a task definition that every policy of the pack passes (no
  finding at all) and that botocore's ECS model accepts as a RegisterTaskDefinition request.
- Any invalid args (one known mistake, or a wrong JSON type anywhere) fail with one
  InvalidArgsError naming the field, before anything registers.

Bounded for CI (`COMPONENT_EXAMPLES`, default below); each valid example runs the component.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

import pytest
from datadog_fargate import DatadogFargateService, InvalidArgsError
from datadog_fargate.defaults import (
    AGENT_CONTAINER,
    APM_PORT,
    DOGSTATSD_PORT,
    INIT_CONTAINER,
    LOG_RETENTION_DAYS,
    LOG_ROUTER_CONTAINER,
    SITES,
)
from datadog_fargate.fargate import TASK_SIZES
from ecs_api import model_errors, register_request
from ecs_readonly_datadog import check_task_definition
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pulumi_harness import Run, run

EXAMPLES = int(os.environ.get("COMPONENT_EXAMPLES", "25"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # Each example runs a Pulumi program; shrinking a failure could take minutes. The failing
    # example is printed as found.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
RESERVED = {AGENT_CONTAINER, INIT_CONTAINER, LOG_ROUTER_CONTAINER}
# Ports the Agent listens on in the task's shared network namespace.
AGENT_PORTS = {APM_PORT, DOGSTATSD_PORT, 5000, 5001, 5012}

# --- valid args -------------------------------------------------------------------------------

NAME = st.from_regex(r"[a-z][a-z0-9-]{0,14}", fullmatch=True)
CONTAINER_NAME = st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True).filter(
    lambda n: n not in RESERVED
)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=20)
# At most three letters, then digit-only parts: no credential word (TOKEN, API_KEY...) and no
# name the component manages (DD_ENV...) can come out; those have their own tests.
ENV_NAME = st.from_regex(r"[A-Z]{1,3}(_[0-9]{1,3}){0,2}", fullmatch=True)
SEGMENT = st.from_regex(r"[a-z0-9_.-]{1,10}", fullmatch=True).filter(lambda s: s not in (".", ".."))
WRITABLE_PATH = st.lists(SEGMENT, min_size=1, max_size=3).map(lambda parts: "/" + "/".join(parts))
SECRET_REF = st.one_of(
    st.from_regex(r"[a-z][a-z0-9/_+=.@-]{0,20}-[A-Za-z0-9]{6}", fullmatch=True).map(
        lambda n: f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{n}"
    ),
    st.from_regex(r"[A-Za-z0-9_.-]{1,12}(/[A-Za-z0-9_.-]{1,12}){0,2}", fullmatch=True).map(
        lambda n: f"arn:aws:ssm:us-east-1:123456789012:parameter/{n}"
    ),
    st.from_regex(r"(/[A-Za-z0-9_.-]{1,12}){1,3}", fullmatch=True),
)
IMAGE = st.builds(
    lambda repo, tag: f"ghcr.io/acme/{repo}:{tag}",
    st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True),
    st.from_regex(r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}", fullmatch=True),
)
COMMAND = st.lists(TEXT, min_size=1, max_size=3)


@st.composite
def health_check(draw: st.DrawFn) -> dict[str, Any]:
    check: dict[str, Any] = {
        "command": [draw(st.sampled_from(["CMD", "CMD-SHELL"])), *draw(COMMAND)]
    }
    for key, low, high in (
        ("interval", 5, 300),
        ("timeout", 2, 60),
        ("retries", 1, 10),
        ("start_period", 0, 300),
    ):
        if draw(st.booleans()):
            check[key] = draw(st.integers(low, high))
    return check


@st.composite
def app_container(draw: st.DrawFn, name: str, ports: list[int]) -> dict[str, Any]:
    env_names = draw(st.lists(ENV_NAME, max_size=4, unique=True))
    secret_names = draw(
        st.lists(ENV_NAME.filter(lambda n: n not in env_names), max_size=3, unique=True)
    )
    container: dict[str, Any] = {"name": name, "image": draw(IMAGE)}
    optional: dict[str, Any] = {
        "essential": st.booleans(),
        "port_mappings": st.just(
            [
                {"container_port": p}
                | ({"protocol": "udp"} if p % 7 == 0 else {})
                | ({"name": f"p{p}"} if p % 2 else {})
                for p in ports
            ]
        ),
        "writable_paths": st.lists(WRITABLE_PATH, max_size=3, unique=True).filter(
            lambda ps: (
                not any(p == "/var/run/datadog" or p.startswith("/var/run/datadog/") for p in ps)
            )
        ),
        "environment": st.fixed_dictionaries({n: TEXT for n in env_names}),
        "secrets": st.fixed_dictionaries({n: SECRET_REF for n in secret_names}),
        "command": COMMAND,
        "entry_point": COMMAND,
        "working_directory": st.just("/srv"),
        "user": st.sampled_from(["1000", "1000:1000", "nobody"]),
        "health_check": health_check(),
        "docker_labels": st.dictionaries(
            st.from_regex(r"[a-z][a-z0-9.]{0,15}", fullmatch=True), TEXT, max_size=3
        ),
        "depends_on_agent": st.booleans(),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            container[key] = draw(strategy)
    return container


@st.composite
def valid_args(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(NAME)
    count = draw(st.integers(1, 3))
    names = draw(st.lists(CONTAINER_NAME, min_size=count, max_size=count, unique=True))
    all_ports = draw(
        st.lists(
            st.integers(1, 65535).filter(lambda p: p not in AGENT_PORTS),
            max_size=2 * count,
            unique=True,
        )
    )
    containers = [draw(app_container(n, all_ports[i * 2 : i * 2 + 2])) for i, n in enumerate(names)]
    firelens = draw(st.booleans())
    enable_exec = draw(st.booleans())
    datadog: dict[str, Any] = {"api_key_secret_arn": draw(SECRET_REF)}
    for key, strategy in (
        ("site", st.sampled_from(SITES)),
        ("env", st.sampled_from(["prod", "dev"])),
        ("service", NAME),
        ("version", st.sampled_from(["1.2.3", "2026.12"])),
        (
            "agent_image",
            st.sampled_from(
                ["public.ecr.aws/datadog/agent:7.86.0", "datadog/agent@sha256:" + "a" * 64]
            ),
        ),
        ("transport", st.sampled_from(["unix", "tcp"])),
        ("task_collection", st.booleans()),
        (
            "agent_environment",
            st.fixed_dictionaries({"DD_LOG_LEVEL": st.sampled_from(["warn", "info"])}),
        ),
    ):
        if draw(st.booleans()):
            datadog[key] = draw(strategy)
    if enable_exec and draw(st.booleans()):
        datadog["agent_execute_command"] = True
    if firelens:
        logs: dict[str, Any] = {"mode": "firelens"}
        if draw(st.booleans()):
            logs["source"] = "python"
        if draw(st.booleans()):
            logs["tags"] = {"team": "payments"}
        if draw(st.booleans()):
            logs["config_file"] = "/fluent-bit/etc/extra.conf"
            if draw(st.booleans()):  # buffering needs the config that sets storage.path
                logs["buffer_path"] = draw(
                    WRITABLE_PATH.filter(lambda p: not p.startswith("/var/run/datadog"))
                )
        datadog["logs"] = logs

    # A task size that fits what the containers reserve (the agent takes 256 cpu, 512 MiB).
    cpu = draw(st.sampled_from([1024, 2048, 4096]))
    memory = draw(st.sampled_from(TASK_SIZES[cpu]))
    for container in containers:
        if draw(st.booleans()):
            container["cpu"] = draw(st.integers(0, (cpu - 256) // len(containers)))
        if draw(st.booleans()):
            container["memory"] = draw(st.integers(6, (memory - 600) // len(containers)))
    args: dict[str, Any] = {
        "cluster_arn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        "subnet_ids": ["subnet-0a1", "subnet-0b2"],
        "cpu": cpu,
        "memory": memory,
        "containers": containers,
        "datadog": datadog,
        "enable_execute_command": enable_exec,
    }
    if draw(st.booleans()):
        args["security_group_ids"] = ["sg-0123"]
    else:
        args["vpc_id"] = "vpc-0abc"
    ported = [c for c in containers if c.get("port_mappings")]
    if ported and draw(st.booleans()):
        target = draw(st.sampled_from(ported))
        args["load_balancers"] = [
            {
                "target_group_arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1",
                "container_name": target["name"],
                "container_port": target["port_mappings"][0]["container_port"],
            }
        ]
        if draw(st.booleans()):
            args["health_check_grace_period_seconds"] = draw(st.integers(0, 600))
    for key, strategy in (
        ("assign_public_ip", st.booleans()),
        ("cpu_architecture", st.sampled_from(["X86_64", "ARM64"])),
        ("ephemeral_storage_gib", st.integers(21, 200)),
        ("desired_count", st.integers(0, 10)),
        ("log_retention_days", st.sampled_from(LOG_RETENTION_DAYS)),
        ("tags", st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), TEXT, max_size=3)),
    ):
        if draw(st.booleans()):
            args[key] = draw(strategy)
    return name, args


def build(name: str, args: dict[str, Any]) -> Run:
    return run(lambda: DatadogFargateService(name, args))  # type: ignore[arg-type]


@PROPERTY
@given(case=valid_args())
def test_valid_args_pass_every_policy_and_the_ecs_model(case: tuple[str, dict[str, Any]]) -> None:
    name, args = case
    result = build(name, args)
    inputs = result.one(TASK_DEFINITION).inputs
    assert isinstance(inputs["containerDefinitions"], str)
    findings = check_task_definition(inputs, resource_name=f"{name}-task")
    assert findings == [], [f.message for f in findings]
    assert model_errors(register_request(inputs)) == ""
    containers = json.loads(inputs["containerDefinitions"])
    assert all(c["readonlyRootFilesystem"] is True for c in containers)


# --- invalid args -----------------------------------------------------------------------------

BASE_NAME = "checkout"


def _at(args: dict[str, Any], path: list[Any]) -> Any:
    node: Any = args
    for key in path:
        node = node[key]
    return node


# (what, mutation, fragment the message must contain)
MISTAKES: list[tuple[str, Any, str]] = [
    ("memory not allowed for cpu", lambda a: a.update(cpu=1024, memory=1024), "memory: 1024"),
    ("cpu not a Fargate size", lambda a: a.update(cpu=3000), "cpu: 3000"),
    ("cpu as a string", lambda a: a.update(cpu="1024"), 'cpu: "1024"'),
    (
        "reserved name",
        lambda a: a["containers"][0].update(name="datadog-agent"),
        "containers[0].name",
    ),
    (
        "name with a space",
        lambda a: a["containers"][0].update(name="web app"),
        "containers[0].name",
    ),
    (
        "duplicate names",
        lambda a: a["containers"].append(copy.deepcopy(a["containers"][0])),
        "containers",
    ),
    (
        "latest agent",
        lambda a: a["datadog"].update(agent_image="datadog/agent:latest"),
        "datadog.agent_image",
    ),
    (
        "untagged agent",
        lambda a: a["datadog"].update(agent_image="datadog/agent"),
        "datadog.agent_image",
    ),
    (
        "relative writable path",
        lambda a: a["containers"][0].update(writable_paths=["tmp"]),
        "containers[0].writable_paths[0]",
    ),
    (
        "writable root",
        lambda a: a["containers"][0].update(writable_paths=["/"]),
        "containers[0].writable_paths[0]",
    ),
    (
        "writable socket dir",
        lambda a: a["containers"][0].update(writable_paths=["/var/run/datadog"]),
        "containers[0].writable_paths[0]",
    ),
    (
        "agent's APM port",
        lambda a: a["containers"][0].update(port_mappings=[{"container_port": APM_PORT}]),
        "containers[0].port_mappings[0].container_port",
    ),
    (
        "agent's IPC port",
        lambda a: a["containers"][0].update(port_mappings=[{"container_port": 5001}]),
        "containers[0].port_mappings[0].container_port",
    ),
    (
        "buffering without its config",
        lambda a: a["datadog"].update(logs={"mode": "firelens", "buffer_path": "/buffer"}),
        "datadog.logs.buffer_path",
    ),
    (
        "a token in plaintext",
        lambda a: a["containers"][0].update(environment={"GITHUB_TOKEN": "x"}),
        "containers[0].environment.GITHUB_TOKEN",
    ),
    (
        "port out of range",
        lambda a: a["containers"][0].update(port_mappings=[{"container_port": 70000}]),
        "containers[0].port_mappings[0].container_port",
    ),
    (
        "misspelled argument",
        lambda a: a.update(contaners=a.pop("containers")),
        'did you mean "containers"',
    ),
    (
        "misspelled container key",
        lambda a: a["containers"][0].update(writeable_paths=["/tmp"]),
        "containers[0].writeable_paths",
    ),
    ("missing datadog", lambda a: a.pop("datadog"), "datadog"),
    ("no containers", lambda a: a.update(containers=[]), "containers"),
    ("retention not offered", lambda a: a.update(log_retention_days=2), "log_retention_days: 2"),
    (
        "health check without CMD",
        lambda a: a["containers"][0].update(health_check={"command": ["curl", "x"]}),
        "containers[0].health_check.command",
    ),
    (
        "firelens option with awslogs",
        lambda a: a["datadog"].update(logs={"mode": "awslogs", "source": "py"}),
        "datadog.logs.source",
    ),
    (
        "exec for the agent only",
        lambda a: (
            a["datadog"].update(agent_execute_command=True)
            or a.update(enable_execute_command=False)
        ),
        "datadog.agent_execute_command",
    ),
    (
        "target group for no container",
        lambda a: a.update(
            load_balancers=[
                {
                    "target_group_arn": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1",
                    "container_name": "nope",
                    "container_port": 80,
                }
            ]
        ),
        "load_balancers[0].container_name",
    ),
    (
        "no network placement",
        lambda a: a.pop("security_group_ids", None) or a.pop("vpc_id", None),
        "security_group_ids",
    ),
    (
        "ephemeral storage 20",
        lambda a: a.update(ephemeral_storage_gib=20),
        "ephemeral_storage_gib: 20",
    ),
    ("unknown site", lambda a: a["datadog"].update(site="datadoghq.org"), "datadog.site"),
]
CREDENTIAL = "hunter2-" + "x" * 24


def rejected(name: str, args: dict[str, Any]) -> str:
    registered: list[str] = []
    with pytest.raises(InvalidArgsError) as info:
        result = build(name, args)
        registered = [r.name for r in result.registrations]
    assert registered == []  # nothing, not even the component itself
    text = str(info.value)
    assert text.startswith(f'DatadogFargateService "{name}": ')
    assert f"{len(info.value.problems)} invalid argument(s)" in text
    return text


@PROPERTY
@given(case=valid_args(), mistake=st.sampled_from(MISTAKES))
def test_each_known_mistake_fails_clearly_before_anything_registers(
    case: tuple[str, dict[str, Any]], mistake: tuple[str, Any, str]
) -> None:
    name, args = case
    _what, mutate, fragment = mistake
    broken = copy.deepcopy(args)
    mutate(broken)
    assert fragment in rejected(name, broken)


@PROPERTY
@given(case=valid_args(), where=st.sampled_from(["environment", "agent_environment"]))
def test_a_credential_in_plaintext_environment_is_never_echoed(
    case: tuple[str, dict[str, Any]], where: str
) -> None:
    name, args = case
    broken = copy.deepcopy(args)
    if where == "environment":
        broken["containers"][0].setdefault("environment", {})["DB_PASSWORD"] = CREDENTIAL
    else:
        broken["datadog"].setdefault("agent_environment", {})["DD_API_KEY"] = CREDENTIAL
    text = rejected(name, broken)
    assert CREDENTIAL not in text and "<redacted, 32 characters>" in text


def leaf_paths(value: Any, path: list[Any]) -> list[list[Any]]:
    """Every path to a scalar in the args (and to each list/dict, which can be mistyped too)."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += leaf_paths(item, [*path, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += leaf_paths(item, [*path, index])
    return found


def shown(path: list[Any]) -> str:
    """The path as the component's messages spell it: a.b[0].c"""
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def wrong_type(value: Any) -> st.SearchStrategy[Any]:
    """A JSON value of another type than `value` (never null: null means "not set")."""
    if isinstance(value, bool):
        return st.sampled_from(["true", 1, [True]])
    if isinstance(value, int):
        return st.sampled_from([str(value), [value], {"n": value}, 1.5])
    if isinstance(value, str):
        return st.sampled_from([7, True, [value], {"v": value}])
    if isinstance(value, list):
        return st.sampled_from(["x", 3, {"0": "x"}])
    return st.sampled_from(["x", 3, ["x"]])


@PROPERTY
@given(case=valid_args(), data=st.data())
def test_a_wrong_type_anywhere_is_named_before_anything_registers(
    case: tuple[str, dict[str, Any]], data: st.DataObject
) -> None:
    name, args = case
    paths = leaf_paths(args, [])
    path = data.draw(st.sampled_from(paths))
    broken = copy.deepcopy(args)
    parent = _at(broken, path[:-1])
    parent[path[-1]] = data.draw(wrong_type(parent[path[-1]]))
    text = rejected(name, broken)
    # The message names the field (or, for a map key's value, the map entry).
    assert shown(path) in text or shown(path[:-1]) in text, (shown(path), text)


@pytest.mark.parametrize("field", ["subnet_ids", "security_group_ids"])
def test_network_ids_of_a_wrong_type_are_named_before_anything_registers(field: str) -> None:
    # Found by the wrong-type property: these elements once reached the Service unchecked
    # (a dict failed inside its registration, after the other children had registered).
    args = {
        "cluster_arn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        "subnet_ids": ["subnet-0a1"],
        "security_group_ids": ["sg-0123"],
        "containers": [{"name": "web", "image": "ghcr.io/acme/web:1.0.0"}],
        "datadog": {"api_key_secret_arn": "/dd/api-key"},
    }
    args[field] = [{"id": "subnet-0a1"}]
    assert f"{field}[0]" in rejected(BASE_NAME, args)
