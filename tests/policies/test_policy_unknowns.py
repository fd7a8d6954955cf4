"""Values unknown during preview: an advisory by default (the SDK's own "can't run policy during
preview"), a violation with failClosedOnUnknown; concrete findings are still reported."""

from __future__ import annotations

import pytest
from ecs_readonly_datadog import check_task_definition
from ecs_readonly_datadog.normalize import UNKNOWN_SENTINELS
from policy_testlib import (
    ALL,
    NATIVE_TYPE,
    RULE_POLICIES,
    UNKNOWN,
    agent,
    analyze,
    app,
    classic,
    configure,
    init,
    run_policy,
    servicer,
    task,
)
from pulumi.runtime import proto
from pulumi_policy import proxy

READONLY = "ecs-readonly-root-filesystem"
MOUNTS = "datadog-agent-writable-mounts"
CONFIG_INIT = "datadog-agent-config-init"
VALID = "ecs-container-definitions-valid"
UNKNOWN_BOOL = proxy.UNKNOWN_BOOLEAN_VALUE
UNKNOWN_ARRAY = proxy.UNKNOWN_ARRAY_VALUE


def test_sentinels_match_the_sdk():
    assert {
        proxy.UNKNOWN_BOOLEAN_VALUE,
        proxy.UNKNOWN_NUMBER_VALUE,
        proxy.UNKNOWN_STRING_VALUE,
        proxy.UNKNOWN_ARRAY_VALUE,
        proxy.UNKNOWN_ASSET_VALUE,
        proxy.UNKNOWN_ARCHIVE_VALUE,
        proxy.UNKNOWN_OBJECT_VALUE,
    } == UNKNOWN_SENTINELS


@pytest.mark.parametrize("policy", RULE_POLICIES)
def test_unknown_container_definitions_is_the_sdk_advisory(policy):
    props = {"family": "svc", "containerDefinitions": UNKNOWN}
    result = run_policy(policy, props)
    assert result.violations == []
    assert result.unknown is not None
    assert result.unknown.message.startswith(
        "task definition 'svc': containerDefinitions can't be known during preview"
    )


@pytest.mark.parametrize("policy", RULE_POLICIES)
def test_fail_closed_makes_it_a_violation(policy):
    props = {"family": "svc", "containerDefinitions": UNKNOWN}
    result = run_policy(policy, props, config={"failClosedOnUnknown": True})
    assert result.unknown is None
    [message] = result.violations
    assert "containerDefinitions can't be known during preview" in message
    assert "(failClosedOnUnknown is set, so this is a violation)" in message


def test_servicer_reports_unknowns_as_advisory_even_for_mandatory_policies():
    server = servicer()
    diagnostics = analyze(server, {"family": "svc", "containerDefinitions": UNKNOWN})
    assert {d.policyName for d in diagnostics} == set(RULE_POLICIES)
    assert {d.enforcementLevel for d in diagnostics} == {proto.ADVISORY}
    assert all(
        "can't run policy" in d.message and "during preview" in d.message for d in diagnostics
    )

    configure(server, {READONLY: {"failClosedOnUnknown": True}})
    diagnostics = analyze(server, {"family": "svc", "containerDefinitions": UNKNOWN})
    [closed] = [d for d in diagnostics if d.policyName == READONLY]
    assert closed.enforcementLevel == proto.MANDATORY
    assert "failClosedOnUnknown" in closed.message


def test_unknown_image_blocks_only_the_datadog_rules():
    td = task(app(image=UNKNOWN), agent(), init())
    assert run_policy(READONLY, td, NATIVE_TYPE).unknown is None
    for policy in (MOUNTS, CONFIG_INIT):
        result = run_policy(policy, td, NATIVE_TYPE)
        assert result.violations == []
        assert "container 'app': its image is unknown during preview" in result.unknown.message
    valid = run_policy(VALID, td, NATIVE_TYPE)
    assert valid.violations == []
    assert "containerDefinitions[0].image can't be known during preview" in valid.unknown.message


def test_concrete_violations_are_reported_alongside_unknowns():
    td = task(app(readonlyRootFilesystem=False, image=UNKNOWN), agent(mountPoints=[]), init())
    assert len(run_policy(READONLY, td, NATIVE_TYPE).violations) == 1
    mounts = run_policy(MOUNTS, td, NATIVE_TYPE)
    assert len(mounts.violations) == 1 and "'datadog-agent'" in mounts.violations[0]
    assert mounts.unknown is not None


def test_unknown_readonly_value():
    td = task(app(readonlyRootFilesystem=UNKNOWN_BOOL), agent(), init())
    result = run_policy(READONLY, td, NATIVE_TYPE)
    assert result.violations == []
    assert "container 'app': readonlyRootFilesystem can't be known" in result.unknown.message
    assert result.unknown.unknown_type_sentinel == UNKNOWN_BOOL


def test_unknown_container_name_makes_agent_role_uncertain():
    # Something waits on an agent-image container whose name is unknown: init or Agent?
    td = task(app(), agent(), init(name=UNKNOWN))
    result = run_policy(MOUNTS, td, NATIVE_TYPE)
    assert result.violations == []
    assert "its name is unknown during preview" in result.unknown.message


def test_unknown_depends_on_makes_agent_role_uncertain():
    td = task(app(), agent(dependsOn=UNKNOWN_ARRAY), init())
    result = run_policy(MOUNTS, td, NATIVE_TYPE)
    assert "a dependsOn that may target it is unknown" in result.unknown.message


def test_unknown_mount_entry_inside_a_list():
    mounts = [*agent()["mountPoints"][:2], UNKNOWN]
    result = run_policy(MOUNTS, task(app(), agent(mountPoints=mounts), init()), NATIVE_TYPE)
    assert result.violations == []
    assert "the mounts at /var/run/datadog can't be known" in result.unknown.message


def test_unknown_volume_name_defers_undefined_volume_findings():
    volumes = [{"name": UNKNOWN}, {"name": "dd-config"}, {"name": "dd-run"}]
    result = run_policy(MOUNTS, task(app(), agent(), init(), volumes=volumes), NATIVE_TYPE)
    assert result.violations == []
    assert result.unknown is not None


def test_unknown_whole_container_entry():
    td = task(app(), UNKNOWN, agent(), init())
    result = run_policy(READONLY, td, NATIVE_TYPE)
    assert (
        "container containerDefinitions[1] can't be known during preview" in result.unknown.message
    )


def test_sentinel_inside_a_classic_json_string():
    td = task(app(image=UNKNOWN), agent(), init())
    result = run_policy(MOUNTS, classic(td))
    assert "its image is unknown" in result.unknown.message


def test_unknown_init_essential_defers_config_init():
    td = task(app(), agent(), init(essential=UNKNOWN_BOOL))
    result = run_policy(CONFIG_INIT, td, NATIVE_TYPE)
    assert result.violations == []
    assert "whether an init container seeds volume 'dd-config'" in result.unknown.message


def test_pure_api_marks_unknown_findings():
    findings = check_task_definition({"family": "svc", "containerDefinitions": UNKNOWN})
    assert {f.policy for f in findings} == set(RULE_POLICIES)
    assert all(f.unknown and f.enforcement_level == "advisory" for f in findings)
    closed = check_task_definition(
        {"family": "svc", "containerDefinitions": UNKNOWN},
        {READONLY: {"failClosedOnUnknown": True}},
    )
    [readonly] = [f for f in closed if f.policy == READONLY]
    assert readonly.enforcement_level == "mandatory" and readonly.unknown


def test_unknown_family_falls_back_to_the_resource_name():
    result = run_policy(READONLY, {"family": UNKNOWN, "containerDefinitions": UNKNOWN}, name="web")
    assert "task definition 'web'" in result.unknown.message


def test_all_policies_listed():
    assert len(ALL) == len(RULE_POLICIES) + 1


def test_unknowns_in_volumes_matter_only_for_their_names():
    volumes = [{"name": v} for v in ("dd-config", "dd-run", "dd-sockets", "dd-tmp", "dd-logs")]
    volumes.append({"name": "efs", "efsVolumeConfiguration": {"fileSystemId": UNKNOWN}})
    for policy in RULE_POLICIES:
        result = run_policy(policy, task(volumes=volumes), NATIVE_TYPE)
        assert result.violations == [] and result.unknown is None, policy
    volumes[-1]["name"] = UNKNOWN
    td = task(
        app(mountPoints=[{"sourceVolume": "efs", "containerPath": "/data"}]),
        agent(),
        init(),
        volumes=volumes,
    )
    result = run_policy(VALID, td, NATIVE_TYPE)
    assert result.violations == []
    assert "whether volume 'efs' exists (a volume name is unknown)" in result.unknown.message
