"""Adversarial property tests: no input makes the pack raise, and what it says is clear.

Bounded for CI (`FUZZ_EXAMPLES`, default below, scales every test here); run once with e.g.
`FUZZ_EXAMPLES=10000 pytest tests/policies/test_fuzz.py --hypothesis-show-statistics` for a
deep run.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dd_fargate.analyzer_host import (
    AnalyzerClient,
    AnalyzerResource,
    ResourceOptions,
    start_policy_pack,
)
from dd_fargate.policy_config import reconcile
from ecs_readonly_datadog import (
    DEFAULT_ENFORCEMENT_LEVELS,
    Finding,
    check_task_definition,
    ecs_model,
)
from ecs_readonly_datadog.model_check import compile_shape
from ecs_readonly_datadog.normalize import SECRET_SIG, SIG_KEY, UNKNOWN_SENTINELS, to_plain
from ecs_readonly_datadog.taskdef import Unknown
from google.protobuf import json_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_testlib import (
    CLASSIC_TYPE,
    NATIVE_TYPE,
    RULE_POLICIES,
    UNKNOWN,
    agent,
    app,
    init,
    struct,
    task,
)
from pulumi_policy.deserialize import deserialize_properties

# Huge generated lists make hypothesis warn about the size of their repr; that is the point.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
PACK_DIR = Path(__file__).resolve().parents[2] / "policies"
READONLY = "ecs-readonly-root-filesystem"

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


# --- arbitrary inputs to every rule and to Analyze over gRPC ---------------------------------

SENTINELS = sorted(UNKNOWN_SENTINELS)
ASSET = {SIG_KEY: "c44067f5952c0a294b673a41bacd8c17", "text": "not a container"}
INTERESTING = [
    "",
    "true",
    "false",
    "null",
    "[]",
    "{}",
    "datadog/agent:7",
    "public.ecr.aws/datadog/agent:7.84.6",
    "/etc/datadog-agent",
    "/var/run/datadog/",
    "SUCCESS",
    "HEALTHY",
    "datadog-init",
    "datadog-agent",
    *SENTINELS,
]


def wire_secret(value: Any) -> dict[str, Any]:
    return {SIG_KEY: SECRET_SIG, "value": value}


WIRE_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),  # a Struct carries no NaN/inf as JSON
    st.text(max_size=12),
    st.sampled_from(INTERESTING),
)
WIRE = st.recursive(
    WIRE_LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), inner, max_size=5),
        inner.map(wire_secret),  # secret wrappers at any depth, as the engine sends them
    ),
    max_leaves=25,
)
VALID_TASK = task(init(), agent(), app())


@st.composite
def containers_json(draw: st.DrawFn) -> str:
    """Text for pulumi-aws's containerDefinitions: JSON of lists, broken JSON, or neither."""
    kind = draw(st.integers(0, 5))
    if kind == 0:  # a JSON list of arbitrary things (JSON has no secret wrappers of its own,
        # but a raw one inside the text must still be handled)
        return json.dumps(draw(st.lists(st.one_of(CONTAINER_LIKE, WIRE), max_size=4)))
    if kind == 1:
        text = json.dumps(VALID_TASK["containerDefinitions"])
        return text[: draw(st.integers(0, len(text) - 1))]  # truncated
    if kind == 2:
        depth = draw(st.integers(1, 5000))
        return "[" * depth + "]" * draw(st.sampled_from([depth, depth - 1, 0]))
    if kind == 3:
        return draw(st.sampled_from(["[NaN]", "[Infinity]", "[1e999]", '[{"a": 1,}]', "\ufeff[]"]))
    if kind == 4:
        return json.dumps(draw(WIRE))
    return draw(st.text(max_size=40))


CONTAINER_LIKE = st.dictionaries(st.sampled_from(KEYS), WIRE, max_size=8)


def huge(low: int, high: int) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.integers(low, high).map(lambda n: [app(name=f"a{i}") for i in range(n)])


def props(huge_lists: st.SearchStrategy[list[dict[str, Any]]]) -> st.SearchStrategy[Any]:
    containers = st.one_of(
        st.lists(st.one_of(CONTAINER_LIKE, WIRE), max_size=5),
        containers_json(),
        WIRE,
        st.sampled_from(SENTINELS),
        containers_json().map(wire_secret),
        st.just(ASSET),
        huge_lists,
        huge_lists.map(json.dumps),
    )
    return st.fixed_dictionaries(
        {"containerDefinitions": containers},
        optional={
            "family": WIRE,
            "volumes": st.one_of(st.lists(st.dictionaries(st.just("name"), WIRE)), WIRE),
            "cpu": WIRE,
        },
    )


# Huge lists: thousands of containers for the rules, hundreds over gRPC (each crosses the wire
# and is deserialized once per policy by the SDK, which is what makes a call slow).
PROPS = props(huge(500, 3000))
WIRE_PROPS = props(huge(100, 400))


def wire_form(props: dict[str, Any]) -> dict[str, Any]:
    """What a policy receives after the Struct round trip (every number a float)."""
    out: dict[str, Any] = json_format.MessageToDict(struct(props))
    return out


def top_level(value: Any) -> Any:
    while isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG:
        value = value.get("value")
    return value


def is_sentinel(value: Any) -> bool:
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


_BROKEN = object()


def decoded(containers: Any) -> Any:
    """The top-level containerDefinitions value as the pack reads it: secrets unwrapped, JSON
    text decoded (raw wrappers in it unwrapped too), or _BROKEN for text that isn't JSON."""
    value = top_level(containers)
    if isinstance(value, str) and not is_sentinel(value):
        try:
            value = top_level(json.loads(value))
        except (ValueError, RecursionError):
            return _BROKEN
        if isinstance(value, list) and any(isinstance(v, float) and v != v for v in value):
            return _BROKEN  # NaN: not JSON as ECS reads it
    return value


def unusable(containers: Any) -> bool:
    """containerDefinitions that can't be a list of containers (known, not unknown)."""
    value = decoded(containers)
    return value is _BROKEN or not (isinstance(value, list) or is_sentinel(value))


def assert_clear(findings: list[Finding], given: Any) -> None:
    """Messages are text for people: no internal error, no Python repr of our own objects
    (unless the input itself spelled it: values are quoted back on purpose)."""
    echoed = json.dumps(given, default=repr)
    for f in findings:
        assert isinstance(f.message, str) and f.message.strip(), f
        assert f.enforcement_level in ("mandatory", "advisory"), f
        assert "internal error" not in f.message, f.message
        for leak in ("Unknown(", " object at 0x", "Traceback", "<class ", "_DictProxy"):
            assert leak not in f.message or leak in echoed, f.message
        assert f.message.startswith("task definition '"), f.message


@FUZZ
@given(props=PROPS, name=st.one_of(st.none(), st.text(max_size=10)))
def test_no_input_escapes_the_rules_and_malformed_input_is_a_clear_violation(
    props: dict[str, Any], name: str | None
) -> None:
    wire = wire_form(props)
    findings = check_task_definition(wire, resource_name=name)
    assert_clear(findings, (wire, name))
    containers = wire["containerDefinitions"]
    if unusable(containers):
        # Every rule says what is wrong and that it could not check, at its own level.
        for policy in RULE_POLICIES:
            level = DEFAULT_ENFORCEMENT_LEVELS[policy]
            mine = [f for f in findings if f.policy == policy and f.enforcement_level == level]
            assert any("can't be checked" in f.message for f in mine), (policy, findings)
    if is_sentinel(decoded(containers)):
        assert findings and all(f.unknown and f.enforcement_level == "advisory" for f in findings)


@FUZZ
@given(containers=st.lists(st.one_of(CONTAINER_LIKE, WIRE), min_size=1, max_size=5))
def test_every_writable_or_malformed_container_is_named(containers: list[Any]) -> None:
    findings = check_task_definition(
        wire_form({"family": "svc", "containerDefinitions": containers})
    )
    assert_clear(findings, containers)
    readonly = [f.message for f in findings if f.policy == READONLY and not f.unknown]
    plain, _ = to_plain(wire_form({"c": containers})["c"])
    for index, container in enumerate(plain):
        if isinstance(container, Unknown):
            continue
        if not isinstance(container, dict):
            assert any(f"containerDefinitions[{index}] is" in m for m in readonly), readonly
        elif not isinstance(container.get("readonlyRootFilesystem"), Unknown) and (
            container.get("readonlyRootFilesystem") is not True
        ):
            name = container.get("name")
            label = (
                f"'{name}'" if isinstance(name, str) and name else f"containerDefinitions[{index}]"
            )
            assert any(f"container {label} has readonlyRootFilesystem" in m for m in readonly), (
                label,
                readonly,
            )


@st.composite
def subtree_path(draw: st.DrawFn, value: Any) -> list[Any]:
    """A path to any node below the root of `value` (the properties map itself is never
    wrapped or unknown: each property is)."""
    path: list[Any] = []
    node = value
    while (not path or draw(st.integers(0, 3))) and isinstance(node, (dict, list)) and node:
        key = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        path.append(key)
        node = node[key]
    return path


def replaced(value: Any, path: list[Any], change: Any) -> Any:
    out = copy.deepcopy(value)
    if not path:
        return change(out)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = change(node[path[-1]])
    return out


def comparable(findings: list[Finding]) -> list[tuple[str, str, str, bool]]:
    return sorted((f.policy, f.enforcement_level, f.message, f.unknown) for f in findings)


@FUZZ
@given(data=st.data())
def test_secret_wrappers_at_any_depth_change_nothing(data: st.DataObject) -> None:
    base = {"family": "svc", **{k: v for k, v in VALID_TASK.items() if k != "family"}}
    path = data.draw(subtree_path(base))
    wrapped = replaced(base, path, wire_secret)
    assert comparable(check_task_definition(wire_form(wrapped))) == comparable(
        check_task_definition(wire_form(base))
    )


@FUZZ
@given(data=st.data(), classic_shape=st.booleans())
def test_an_unknown_anywhere_in_a_passing_definition_is_never_a_violation(
    data: st.DataObject, classic_shape: bool
) -> None:
    # A preview must not fail on a value that is merely not known yet (fail-open by default).
    base = {"family": "svc", **{k: v for k, v in VALID_TASK.items() if k != "family"}}
    path = data.draw(subtree_path(base))
    sentinel = data.draw(st.sampled_from(SENTINELS))
    props = replaced(base, path, lambda _old: sentinel)
    if classic_shape and isinstance(props.get("containerDefinitions"), list):
        props["containerDefinitions"] = json.dumps(props["containerDefinitions"])
    findings = check_task_definition(wire_form(props))
    assert_clear(findings, props)
    assert [f for f in findings if f.enforcement_level == "mandatory"] == [], (path, findings)


# --- the same through the real analyzer protocol ------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[AnalyzerClient]:
    with start_policy_pack(PACK_DIR, project="fuzz", stack="dev") as host:
        connected = host.connect(timeout=60)
        info = connected.get_analyzer_info()
        connected.configure(reconcile(info.policies, info.initial_config, {}))
        yield connected
        assert [line for line in host.stderr_tail() if "Traceback" in line] == []


def expected_diagnostics(props: dict[str, Any], name: str) -> list[tuple[str, str, str]]:
    """What Analyze must answer, from the pure API: violations as they are; each policy's
    unknowns as the SDK's one advisory "can't run policy ... during preview: a; b"."""
    out, unknown = [], dict[str, list[str]]()
    for f in check_task_definition(props, resource_name=name):
        if f.unknown and not f.exempt:
            unknown.setdefault(f.policy, []).append(f.message)
        else:
            out.append((f.reported_by, f.enforcement_level, f.message))
    for policy, messages in unknown.items():
        out.append((policy, "advisory", f"during preview: {'; '.join(messages)}"))
    return sorted(out)


def analyzed(client: AnalyzerClient, type_: str, name: str, props: dict[str, Any]) -> Any:
    resource = AnalyzerResource(
        urn=f"urn:pulumi:dev::fuzz::{type_}::{name}",
        type=type_,
        name=name,
        properties=props,
        options=ResourceOptions(),
    )
    return client.analyze(resource)


@FUZZ
@given(props=WIRE_PROPS, native=st.booleans(), name=st.text(min_size=1, max_size=8))
def test_analyze_over_grpc_never_fails_and_says_what_the_rules_say(
    client: AnalyzerClient, props: dict[str, Any], native: bool, name: str
) -> None:
    type_ = NATIVE_TYPE if native else CLASSIC_TYPE
    diagnostics = analyzed(client, type_, name, props)  # a policy exception would raise here
    got = sorted((d.policy_name, d.enforcement_level, d.message) for d in diagnostics)
    # The SDK deserializes before any policy runs (secrets unwrapped, assets as Asset objects).
    want = expected_diagnostics(deserialize_properties(wire_form(props)), name)
    assert len(got) == len(want), (got, want)
    for (g_policy, g_level, g_message), (w_policy, w_level, w_message) in zip(
        got, want, strict=True
    ):
        assert (g_policy, g_level) == (w_policy, w_level)
        assert g_message.endswith(w_message), (g_message, w_message)
    assert not any("internal error" in d.message for d in diagnostics)


@FUZZ
@given(props=st.dictionaries(st.text(max_size=8), WIRE, max_size=5))
def test_other_resource_types_are_never_touched(
    client: AnalyzerClient, props: dict[str, Any]
) -> None:
    assert analyzed(client, "aws:iam/role:Role", "r", props) == []


IMAGE_PARTS = st.sampled_from(
    [
        "public.ecr.aws/datadog/agent",
        "docker.io/datadog/agent",
        "DataDog/Agent",
        "gcr.io/datadoghq/agent",
        "registry.datadoghq.com/agent",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/hub/datadog/agent",
        "datadog/cluster-agent",
        "datadog/agent-dev",
        "ghcr.io/acme/agent-smith",
        "nginx",
        "localhost:5000/agent",
    ]
)


@FUZZ
@given(
    image=st.one_of(
        st.builds(
            lambda repo, tag: repo + tag,
            IMAGE_PARTS,
            st.sampled_from(["", ":7", ":latest", "@sha256:" + "a" * 64, ":7.86.0@sha256:ab"]),
        ),
        st.text(max_size=30),
    ),
    patterns=st.sampled_from([(), ("*/mirror/*",), ("ghcr.io/acme/*",)]),
)
def test_the_agent_image_prefilter_never_changes_the_answer(
    image: str, patterns: tuple[str, ...]
) -> None:
    from ecs_readonly_datadog import images

    full = bool(image.strip()) and images._is_agent_image.__wrapped__(image, patterns)
    assert images.is_agent_image(image, patterns) == full
