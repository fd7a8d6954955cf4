"""Bad input: one clear error naming the field, the value and what is allowed, before any child."""

from typing import Any

import pytest
from datadog_fargate import DatadogFargateService, InvalidArgsError
from pulumi_harness import run


def rejected(args: dict[str, Any]) -> str:
    """Construct under mocks; return the error text and check nothing was registered."""
    registered: list[str] = []
    with pytest.raises(InvalidArgsError) as info:
        result = run(lambda: DatadogFargateService("checkout", args))  # type: ignore[arg-type]
        registered = [r.name for r in result.registrations]
    assert not registered
    return str(info.value)


def _set(args: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target: Any = args
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is _DELETE:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value


_DELETE = object()

CASES = [
    # (what, path, value, expected fragments of the message)
    (
        "cpu/memory pair",
        "memory",
        1024,
        ["memory: 1024", "cpu 1024", "allowed: 2048-8192 in steps of 1024"],
    ),
    ("small cpu lists its values", "cpu", 256, ["memory: 3072", "allowed: 512, 1024, 2048"]),
    ("unknown cpu", "cpu", 300, ["cpu: 300", "256, 512, 1024, 2048, 4096, 8192, 16384"]),
    (
        "reserved name",
        "containers.0.name",
        "datadog-agent",
        ['containers[0].name: "datadog-agent"', "reserved"],
    ),
    ("init name", "containers.0.name", "datadog-init", ["reserved"]),
    ("bad name", "containers.0.name", "web app", ['"web app"', "letters, digits"]),
    (
        "relative path",
        "containers.0.writable_paths",
        ["tmp"],
        ['writable_paths[0]: "tmp"', "absolute path"],
    ),
    ("root path", "containers.0.writable_paths", ["/"], ['"/"', "root filesystem"]),
    (
        "duplicate path",
        "containers.0.writable_paths",
        ["/tmp", "/tmp/"],
        ["writable_paths[1]", "listed twice"],
    ),
    (
        "socket dir",
        "containers.0.writable_paths",
        ["/var/run/datadog"],
        ["/var/run/datadog", "read-only"],
    ),
    ("inside socket dir", "containers.0.writable_paths", ["/var/run/datadog/x"], ["read-only"]),
    ("unnormalized", "containers.0.writable_paths", ["/a/../b"], ['write "/b"']),
    (
        "plaintext api key",
        "containers.0.environment",
        {"DD_API_KEY": "0123456789abcdef"},
        ["environment.DD_API_KEY", "<redacted, 16 characters>", "secrets"],
    ),
    (
        "secret-like name",
        "containers.0.environment",
        {"STRIPE_SECRET": "sk_live_x"},
        ["STRIPE_SECRET", "plaintext"],
    ),
    ("password name", "containers.0.environment", {"db_password": "hunter2"}, ["db_password"]),
    (
        "bad secret ref",
        "containers.0.secrets",
        {"DB": "hunter2hunter2"},
        ["secrets.DB", "<redacted, 14 characters>", "Secrets Manager secret ARN"],
    ),
    (
        "bad api key ref",
        "datadog.api_key_secret_arn",
        "abcdef0123456789",
        ["datadog.api_key_secret_arn", "not a secret reference"],
    ),
    (
        "no api key",
        "datadog.api_key_secret_arn",
        _DELETE,
        ["datadog.api_key_secret_arn", "is required"],
    ),
    ("no subnets", "subnet_ids", [], ["subnet_ids", "must not be empty"]),
    ("subnets missing", "subnet_ids", _DELETE, ["subnet_ids", "is required"]),
    ("no containers", "containers", [], ["containers", "must not be empty"]),
    ("empty image", "containers.0.image", "", ['containers[0].image: ""', "non-empty string"]),
    ("missing image", "containers.0.image", _DELETE, ["containers[0].image", "is required"]),
    (
        "latest agent",
        "datadog.agent_image",
        "public.ecr.aws/datadog/agent:latest",
        ["datadog.agent_image", "not pinned"],
    ),
    ("untagged agent", "datadog.agent_image", "datadog/agent", ["not pinned"]),
    ("bad site", "datadog.site", "datadog.com", ['"datadog.com"', "datadoghq.eu"]),
    ("bad transport", "datadog.transport", "udp", ["datadog.transport", "unix, tcp"]),
    (
        "agent port",
        "containers.0.port_mappings",
        [{"container_port": 8126}],
        ["8126", "Datadog Agent"],
    ),
    (
        "misspelled key",
        "containers.0.writeable_paths",
        ["/tmp"],
        ["containers[0].writeable_paths", 'did you mean "writable_paths"'],
    ),
    ("misspelled top key", "subnets", ["subnet-1"], ['did you mean "subnet_ids"']),
    ("retention", "log_retention_days", 31, ["log_retention_days: 31", "30, 60"]),
    ("storage", "ephemeral_storage_gib", 20, ["ephemeral_storage_gib: 20", "21-200"]),
    ("architecture", "cpu_architecture", "arm64", ['"arm64"', "X86_64, ARM64"]),
    (
        "health check",
        "containers.0.health_check",
        {"command": ["curl", "x"]},
        ["health_check.command", "CMD-SHELL"],
    ),
    (
        "health interval",
        "containers.0.health_check",
        {"command": ["CMD", "x"], "interval": 1},
        ["health_check.interval: 1", "5-300"],
    ),
    ("bool as int", "cpu", True, ["cpu: True", "whole number"]),
    (
        "managed env",
        "containers.0.environment",
        {"DD_SERVICE": "other"},
        ["DD_SERVICE", "set by the component"],
    ),
    ("no network", "security_group_ids", _DELETE, ["security_group_ids", "vpc_id"]),
    (
        "lb container",
        "load_balancers",
        [
            {
                "target_group_arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/b",
                "container_name": "api",
                "container_port": 8080,
            }
        ],
        ['container_name: "api"', "web"],
    ),
    (
        "lb port",
        "load_balancers",
        [
            {
                "target_group_arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/b",
                "container_name": "web",
                "container_port": 9999,
            }
        ],
        ["container_port: 9999", "port_mappings"],
    ),
    ("over budget", "containers.0.memory", 4096, ["total memory 4608 MiB"]),
    (
        "log mode",
        "datadog.logs",
        {"mode": "fluentd"},
        ['datadog.logs.mode: "fluentd"', "awslogs, firelens"],
    ),
    (
        "router latest",
        "datadog.logs",
        {"mode": "firelens", "router_image": "amazon/aws-for-fluent-bit:latest"},
        ["datadog.logs.router_image", "not pinned"],
    ),
    (
        "firelens-only field",
        "datadog.logs",
        {"source": "python"},
        ["datadog.logs.source", 'only applies with mode "firelens"'],
    ),
    (
        "buffer path",
        "datadog.logs",
        {"mode": "firelens", "buffer_path": "buffer"},
        ["datadog.logs.buffer_path", "absolute path"],
    ),
    ("router name", "containers.0.name", "log-router", ["reserved"]),
    (
        "agent exec alone",
        "datadog.agent_execute_command",
        True,
        ["datadog.agent_execute_command", "enable_execute_command"],
    ),
    (
        "exec flag type",
        "enable_execute_command",
        "yes",
        ['enable_execute_command: "yes"', "true or false"],
    ),
]


@pytest.mark.parametrize(("what", "path", "value", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_rejected_with_a_clear_message(
    args: dict[str, Any], what: str, path: str, value: Any, fragments: list[str]
) -> None:
    _set(args, path, value)
    message = rejected(args)
    for fragment in fragments:
        assert fragment in message, f"{what}: {fragment!r} not in {message!r}"


def test_memory_reservation_must_stay_below_the_limit(args: dict[str, Any]) -> None:
    args["containers"][0].update(memory=512, memory_reservation=512)
    assert "containers[0].memory_reservation: 512 must be less than memory (512)" in rejected(args)


@pytest.mark.parametrize("name", ["checkout v2", "a" * 41, "svc.prod", ""])
def test_component_name_must_suit_every_aws_name_derived_from_it(
    args: dict[str, Any], name: str
) -> None:
    registered: list[str] = []
    with pytest.raises(InvalidArgsError, match="must be 1-40 letters"):
        result = run(lambda: DatadogFargateService(name, args))  # type: ignore[arg-type]
        registered = [r.name for r in result.registrations]
    assert not registered


@pytest.mark.parametrize(
    "name", ["SECRETS_DIR", "DD_SECRET_BACKEND_COMMAND", "KEYSPACE", "TOKENIZER_MODEL", "LOG_LEVEL"]
)
def test_names_that_merely_contain_a_credential_word_are_allowed(
    args: dict[str, Any], name: str
) -> None:
    args["containers"][0]["environment"] = {name: "value"}
    result = run(lambda: DatadogFargateService("checkout", args))  # type: ignore[arg-type]
    assert name in {e["name"] for e in result.container("web")["environment"]}


def test_duplicate_container_names(args: dict[str, Any]) -> None:
    args["containers"].append(dict(args["containers"][0]))
    assert 'containers: "web" is used by more than one container' in rejected(args)


def test_every_problem_is_reported_at_once(args: dict[str, Any]) -> None:
    args["memory"] = 1024
    args["subnet_ids"] = []
    args["containers"][0]["writable_paths"] = ["tmp"]
    message = rejected(args)
    assert "3 invalid argument(s)" in message
    assert all(f in message for f in ("memory", "subnet_ids", "writable_paths"))


def test_secret_values_never_appear_in_errors(args: dict[str, Any]) -> None:
    key = "3f9c2a7e5b1d4c8f9a0b6e2d7c1f4a3b"
    args["containers"][0]["environment"] = {"DD_API_KEY": key}
    args["datadog"]["api_key_secret_arn"] = key
    args["containers"][0]["secrets"] = {"TOKEN": key}
    message = rejected(args)
    assert key not in message and key[:8] not in message
    assert message.count("<redacted, 32 characters>") == 3
