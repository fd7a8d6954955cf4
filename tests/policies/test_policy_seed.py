"""The seed article's task definitions, through every way the pack is run."""

from __future__ import annotations

import pytest
from ecs_readonly_datadog import check_task_definition
from policy_testlib import (
    ALL,
    CLASSIC_TYPE,
    NATIVE_TYPE,
    analyze,
    classic,
    run_all,
    seed,
    seed_first_attempt,
    seed_fixed,
    servicer,
)
from pulumi.runtime import proto

SHAPES = [
    pytest.param(classic, CLASSIC_TYPE, id="pulumi-aws"),
    pytest.param(lambda td: td, NATIVE_TYPE, id="aws-native"),
]


def failing(results: dict[str, object]) -> set[str]:
    return {p for p, r in results.items() if r.violations or r.unknown}  # type: ignore[attr-defined]


@pytest.mark.parametrize(("shape", "resource_type"), SHAPES)
def test_first_attempt_fails_writable_mounts_and_config_init(shape, resource_type):
    results = run_all(shape(seed_first_attempt()), resource_type)
    assert failing(results) == {
        "datadog-agent-writable-mounts",
        "datadog-agent-recommended-mounts",  # advisory
        "datadog-agent-config-init",
    }
    mounts = results["datadog-agent-writable-mounts"].violations
    assert len(mounts) == 1
    for path in ("/etc/datadog-agent", "/opt/datadog-agent/run", "/var/run/datadog"):
        assert f"{path} (" in mounts[0]
    assert '{"name": "datadog-config"}' in mounts[0]
    assert '"containerPath": "/opt/datadog-agent/run", "readOnly": false' in mounts[0]
    [init] = results["datadog-agent-config-init"].violations
    assert "has no volume at /etc/datadog-agent" in init
    assert "cp -R /etc/datadog-agent/* /opt/datadog-agent-config/" in init
    assert '"condition": "SUCCESS"' in init


@pytest.mark.parametrize(("shape", "resource_type"), SHAPES)
def test_published_working_definition_fails_only_readonly_for_datadog_init(shape, resource_type):
    results = run_all(shape(seed()), resource_type)
    assert failing(results) == {"ecs-readonly-root-filesystem"}
    [message] = results["ecs-readonly-root-filesystem"].violations
    assert "container 'datadog-init' has readonlyRootFilesystem unset" in message
    assert "datadog-agent'" not in message
    assert "task definition 'datadog-agent-readonly'" in message
    assert (
        "set \"readonlyRootFilesystem\": true on container 'datadog-init'; give any path it "
        "writes its own volume" in message
    )


@pytest.mark.parametrize(("shape", "resource_type"), SHAPES)
def test_init_read_only_passes_everything(shape, resource_type):
    results = run_all(shape(seed_fixed()), resource_type)
    assert failing(results) == set()


def test_seed_cases_through_the_pure_api():
    first = check_task_definition(seed_first_attempt())
    assert {f.policy for f in first if f.enforcement_level == "mandatory"} == {
        "datadog-agent-writable-mounts",
        "datadog-agent-config-init",
    }
    working = check_task_definition(seed())
    assert [(f.policy, f.container, f.enforcement_level) for f in working] == [
        ("ecs-readonly-root-filesystem", "datadog-init", "mandatory")
    ]
    assert check_task_definition(seed_fixed()) == []
    # The classic shape (a JSON string) gives the same answer.
    assert check_task_definition(classic(seed())) == working


def test_seed_cases_through_the_analyzer_servicer():
    server = servicer()
    diagnostics = analyze(server, classic(seed()))
    assert [(d.policyName, d.enforcementLevel) for d in diagnostics] == [
        ("ecs-readonly-root-filesystem", proto.MANDATORY)
    ]
    assert "datadog-init" in diagnostics[0].message
    assert analyze(server, classic(seed_fixed())) == []
    assert analyze(server, seed_fixed(), NATIVE_TYPE) == []
    first = analyze(server, classic(seed_first_attempt()))
    assert {(d.policyName, d.enforcementLevel) for d in first} == {
        ("datadog-agent-writable-mounts", proto.MANDATORY),
        ("datadog-agent-recommended-mounts", proto.ADVISORY),
        ("datadog-agent-config-init", proto.MANDATORY),
    }


def test_every_policy_ran():
    assert len(ALL) == 6
