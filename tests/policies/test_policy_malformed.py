"""Malformed inputs never crash a policy: each becomes a clear violation (or nothing, where a
rule has nothing to decide), never an exception and never the internal-error message."""

from __future__ import annotations

import contextlib
import json

import pytest
from ecs_readonly_datadog import check_task_definition
from ecs_readonly_datadog.normalize import clear_cache
from google.protobuf import json_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_testlib import (
    ALL,
    CLASSIC_TYPE,
    NATIVE_TYPE,
    POLICY_OBJECTS,
    RULE_POLICIES,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    agent,
    app,
    classic,
    init,
    make_args,
    run_policy,
    seed,
    struct,
    task,
)
from pulumi_policy import ResourceValidationArgs
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import PolicyCustomTimeouts, PolicyResourceOptions
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

READONLY = "ecs-readonly-root-filesystem"
MOUNTS = "datadog-agent-writable-mounts"
VALID = "ecs-container-definitions-valid"


@pytest.mark.parametrize(
    ("container_definitions", "problem"),
    [
        (
            42,
            "containerDefinitions must be a list of container objects (a JSON array for pulumi-aws), got a number",
        ),
        (
            {"name": "x"},
            "containerDefinitions must be a list of container objects (a JSON array for pulumi-aws), got an object",
        ),
        ("[not json", "containerDefinitions is not valid JSON: "),
        ('{"name": "x"}', "got an object"),
        ("42", "got a number"),
        ('"[]"', "got a string"),
        ("[NaN]", "containerDefinitions is not valid JSON: "),
        (None, "containerDefinitions is missing"),
        (True, "got a boolean"),
        ("[" * 100000 + "]" * 100000, "containerDefinitions is "),
    ],
)
@pytest.mark.parametrize("policy", RULE_POLICIES)
def test_unusable_container_definitions(container_definitions, problem, policy):
    props = {"family": "svc", "containerDefinitions": container_definitions}
    result = run_policy(policy, props)
    assert result.unknown is None
    [message] = result.violations
    assert message.startswith("task definition 'svc': ")
    assert problem in message
    assert "can't be checked" in message


@pytest.mark.parametrize("fast", [True, False], ids=["orjson", "json"])
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[NaN]", "is not valid JSON"),
        ("[Infinity]", "is not valid JSON"),
        ("[not json", "is not valid JSON"),
        ("[" * 100000 + "]" * 100000, "nested too deeply|depth limit"),
        ('[{"name": "a"}]', None),
    ],
)
def test_both_json_parsers_are_strict(monkeypatch, fast, text, problem):
    import re

    from ecs_readonly_datadog import normalize

    if not fast:
        monkeypatch.setattr(normalize, "_fast_loads", None)
    elif normalize._fast_loads is None:
        pytest.skip("orjson is not installed")
    parsed, found = normalize._parse_json(text)
    if problem is None:
        assert found is None and parsed == [{"name": "a"}]
    else:
        assert parsed is None and re.search(problem, found)


def test_list_of_strings():
    props = {"family": "svc", "containerDefinitions": ["nginx", "datadog/agent"]}
    for resource_type in (CLASSIC_TYPE, NATIVE_TYPE):
        given_props = classic(props) if resource_type == CLASSIC_TYPE else props
        readonly = run_policy(READONLY, given_props, resource_type).violations
        assert readonly == [
            "task definition 'svc': containerDefinitions[0] is \"nginx\" (a string), not a container "
            "definition object, so its readonlyRootFilesystem can't be checked",
            "task definition 'svc': containerDefinitions[1] is \"datadog/agent\" (a string), not a "
            "container definition object, so its readonlyRootFilesystem can't be checked",
        ]
        valid = run_policy(VALID, given_props, resource_type).violations
        assert valid == [
            "task definition 'svc': container containerDefinitions[0]: the container definition is "
            '"nginx" (a string), not an object',
            "task definition 'svc': container containerDefinitions[1]: the container definition is "
            '"datadog/agent" (a string), not an object',
        ]
        # Strings can't be an Agent container: nothing for the Datadog rules to decide.
        assert run_policy(MOUNTS, given_props, resource_type).violations == []


def test_mount_points_a_string_and_readonly_a_dict():
    td = task(
        app(readonlyRootFilesystem={"enabled": True}),
        agent(mountPoints="/etc/datadog-agent"),
        init(),
    )
    [readonly] = run_policy(READONLY, classic(td)).violations
    assert "has readonlyRootFilesystem an object, not the boolean true" in readonly
    [mounts] = run_policy(MOUNTS, classic(td)).violations
    assert "/etc/datadog-agent (config): no mount point" in mounts
    valid = run_policy(VALID, classic(td)).violations
    assert any(
        'mountPoints is "/etc/datadog-agent" (a string); ECS expects a list' in m for m in valid
    )
    assert any("readonlyRootFilesystem is an object; ECS expects a boolean" in m for m in valid)


def test_nulls_everywhere():
    td = {
        "family": None,
        "containerDefinitions": [
            {
                "name": None,
                "image": None,
                "readonlyRootFilesystem": None,
                "mountPoints": None,
                "dependsOn": [None, {"containerName": None, "condition": None}],
                "essential": None,
            },
            None,
        ],
        "volumes": [None, {"name": None}],
    }
    for policy in ALL:
        result = run_policy(policy, td, NATIVE_TYPE, name="nulls")
        assert all("internal error" not in m for m in result.violations)
    readonly = run_policy(READONLY, td, NATIVE_TYPE, name="nulls").violations
    assert readonly[0].startswith(
        "task definition 'nulls': container containerDefinitions[0] has readonlyRootFilesystem unset"
    )
    valid = run_policy(VALID, td, NATIVE_TYPE, name="nulls").violations
    assert any('"name" is required' in m for m in valid)
    assert any("volumes[0] is null, not a volume object" in m for m in valid)


def test_volumes_not_a_list():
    td = task(volumes="dd-config")
    valid = run_policy(VALID, td, NATIVE_TYPE).violations
    assert "task definition 'svc': volumes must be a list of volume objects, got a string" in valid
    [mounts] = run_policy(MOUNTS, td, NATIVE_TYPE).violations
    assert "is mounted but not defined in the task definition's volumes" in mounts


def test_props_that_are_not_a_mapping():
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    args = ResourceValidationArgs(CLASSIC_TYPE, 42, "urn:x", "odd", opts, None)  # type: ignore[arg-type]
    found: list[str] = []
    POLICY_OBJECTS[READONLY].validate(args, lambda m, u=None: found.append(m))
    assert found == [
        "task definition 'odd': containerDefinitions is missing, so readonlyRootFilesystem can't be checked"
    ]


# --- secrets ---------------------------------------------------------------------------------


def wire_secret(value: object) -> dict[str, object]:
    return {SIG_KEY: SECRET_SIG, "value": value}


def test_secret_container_definitions_string_over_the_wire():
    # A secret anywhere in Output.json_dumps makes the whole string secret; the SDK unwraps it.
    props = classic(seed())
    props["containerDefinitions"] = wire_secret(props["containerDefinitions"])
    [message] = run_policy(READONLY, props).violations
    assert "'datadog-init'" in message


def test_secrets_inside_native_values():
    td = seed()
    td["containerDefinitions"][1]["secrets"][0]["valueFrom"] = wire_secret(
        "arn:aws:secretsmanager:x"
    )
    td["containerDefinitions"][0]["readonlyRootFilesystem"] = wire_secret(True)
    for policy in ALL:
        assert run_policy(policy, td, NATIVE_TYPE).violations == [], policy


def test_raw_wire_secrets_in_the_pure_api():
    td = seed()
    td["containerDefinitions"] = wire_secret(json.dumps(td["containerDefinitions"]))
    [finding] = check_task_definition(td)
    assert finding.container == "datadog-init"
    native = seed()
    native["containerDefinitions"][0] = wire_secret(native["containerDefinitions"][0])
    native["containerDefinitions"][0]["value"]["readonlyRootFilesystem"] = True
    assert check_task_definition(native) == []


def test_secret_preserving_proxies_are_unwrapped():
    """The SDK's Remediate path wraps props in secret-preserving proxies holding Secret objects."""
    from policy_testlib import POLICY_OBJECTS

    props = classic(seed())
    props["containerDefinitions"] = wire_secret(props["containerDefinitions"])
    deserialized = deserialize_properties(json_format.MessageToDict(struct(props)), True)
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    args = ResourceValidationArgs(
        CLASSIC_TYPE, unknown_checking_proxy(deserialized), "urn:s", "s", opts, None
    )
    found: list[str] = []
    POLICY_OBJECTS[READONLY].validate(args, lambda m, u=None: found.append(m))
    assert len(found) == 1 and "'datadog-init'" in found[0]


# --- property: nothing escapes, nothing is an internal error ---------------------------------

SENTINELS = st.sampled_from(
    [UNKNOWN, "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 70000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        ["", "x", "datadog/agent:7", "/etc/datadog-agent", "SUCCESS", "COMPLETE", "HEALTHY", "dd"]
    ),
    SENTINELS,
)
KEYS = st.sampled_from(
    [
        "name",
        "image",
        "essential",
        "readonlyRootFilesystem",
        "readOnlyRootFilesystem",
        "mountPoints",
        "dependsOn",
        "sourceVolume",
        "containerPath",
        "readOnly",
        "containerName",
        "condition",
        "healthCheck",
        "cpu",
        "memory",
        "command",
        "secrets",
        "environment",
        "portMappings",
        "volumesFrom",
        "x",
    ]
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=30,
)
CONTAINER = st.dictionaries(KEYS, JSONISH, max_size=8)
TASK = st.fixed_dictionaries(
    {
        "containerDefinitions": st.one_of(
            st.lists(st.one_of(CONTAINER, JSONISH), max_size=4), JSONISH
        )
    },
    optional={
        "family": JSONISH,
        "volumes": st.one_of(st.lists(st.dictionaries(st.just("name"), JSONISH)), JSONISH),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(task_def=TASK, as_json=st.booleans())
def test_no_input_crashes_a_policy(task_def, as_json):
    clear_cache()
    props = dict(task_def)
    if as_json and isinstance(props["containerDefinitions"], list):
        props["containerDefinitions"] = json.dumps(props["containerDefinitions"])
    resource_type = CLASSIC_TYPE if as_json else NATIVE_TYPE
    for policy in ALL:
        args = make_args(props, resource_type)
        found: list[str] = []
        with contextlib.suppress(UnknownValueError):
            POLICY_OBJECTS[policy].validate(args, lambda m, u=None, out=found: out.append(m))
        assert all(isinstance(m, str) and m for m in found)
        assert not any("internal error" in m for m in found), found
    # The pure API agrees it can handle it.
    check_task_definition(props)
