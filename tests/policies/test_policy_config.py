"""Every config option, the exemption mechanism, and config resolution like the Pulumi CLI's."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ecs_readonly_datadog import (
    CONFIG_SCHEMAS,
    DEFAULT_ENFORCEMENT_LEVELS,
    PACK_POLICY_NAMES,
    POLICIES,
    POLICY_NAMES,
    check_task_definition,
    resolve_config,
)
from ecs_readonly_datadog.config import parse_policy_config
from policy_testlib import (
    ALL,
    NATIVE_TYPE,
    agent,
    analyze,
    app,
    classic,
    configure,
    init,
    messages,
    run_all,
    run_policy,
    seed,
    servicer,
    task,
)
from pulumi.runtime import proto

READONLY = "ecs-readonly-root-filesystem"
MOUNTS = "datadog-agent-writable-mounts"
RECOMMENDED = "datadog-agent-recommended-mounts"
CONFIG_INIT = "datadog-agent-config-init"
VALID = "ecs-container-definitions-valid"
EXEMPTIONS = "ecs-readonly-datadog-exemptions"
EXAMPLE = Path(__file__).parents[2] / "policies" / "policy-config.example.json"
MIRROR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/datadog-agent:7.86.0"


def test_names_levels_and_schemas():
    assert POLICY_NAMES == (READONLY, MOUNTS, RECOMMENDED, CONFIG_INIT, VALID, EXEMPTIONS)
    assert dict(DEFAULT_ENFORCEMENT_LEVELS) == {
        READONLY: "mandatory",
        MOUNTS: "mandatory",
        RECOMMENDED: "advisory",
        CONFIG_INIT: "mandatory",
        VALID: "mandatory",
        EXEMPTIONS: "advisory",
        "ecs-exec-readonly-paths": "advisory",
    }
    for policy in POLICIES:
        jsonschema.Draft7Validator.check_schema(CONFIG_SCHEMAS[policy.name])
    exempt = CONFIG_SCHEMAS[READONLY]["properties"]["exemptContainers"]
    assert exempt["items"]["required"] == ["name", "reason"]


def test_schema_rejects_an_exemption_without_reason():
    schema = CONFIG_SCHEMAS[READONLY]
    jsonschema.validate({"exemptContainers": [{"name": "x", "reason": "y"}]}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"exemptContainers": [{"name": "x"}]}, schema)


def test_analyzer_info_carries_levels_and_schemas():
    info = servicer().GetAnalyzerInfo(None, None)
    assert [p.name for p in info.policies] == list(PACK_POLICY_NAMES)
    levels = {p.name: p.enforcementLevel for p in info.policies}
    assert levels[READONLY] == proto.MANDATORY and levels[RECOMMENDED] == proto.ADVISORY
    mounts = next(p for p in info.policies if p.name == MOUNTS)
    props = mounts.configSchema.properties
    assert set(props.keys()) == {
        "requiredPaths",
        "agentImagePatterns",
        "exemptContainers",
        "failClosedOnUnknown",
    }
    assert list(props["requiredPaths"]["default"]) == [
        "/etc/datadog-agent",
        "/opt/datadog-agent/run",
        "/var/run/datadog",
    ]


def test_example_config_is_valid_and_resolves():
    example = json.loads(EXAMPLE.read_text())
    resolved = resolve_config(example)
    for name, policy in resolved.items():
        jsonschema.validate(dict(policy.properties), CONFIG_SCHEMAS[name])
        assert parse_policy_config(name, policy.properties).errors == ()
    assert check_task_definition(seed(), example) is not None


# --- exemptContainers ------------------------------------------------------------------------


def test_exempt_container_is_reported_by_the_exemptions_policy_with_its_reason():
    config = {
        "exemptContainers": [{"name": "datadog-init", "reason": "upstream init image, TICKET-42"}]
    }
    results = run_all(classic(seed()), configs={READONLY: config})
    assert results[READONLY].violations == []
    [advisory] = results[EXEMPTIONS].violations
    assert advisory.startswith(
        "[ecs-readonly-root-filesystem] container 'datadog-init' is exempt (upstream init image, TICKET-42): "
        "task definition 'datadog-agent-readonly': container 'datadog-init' has readonlyRootFilesystem unset"
    )
    # Nothing lingers for the next analysis of the same resource.
    assert run_all(classic(seed()))[EXEMPTIONS].violations == []


def test_exemptions_through_the_servicer_are_advisory():
    server = servicer()
    configure(server, {READONLY: {"exemptContainers": [{"name": "datadog-init", "reason": "r"}]}})
    [diagnostic] = analyze(server, classic(seed()))
    assert diagnostic.policyName == EXEMPTIONS
    assert diagnostic.enforcementLevel == proto.ADVISORY
    assert "is exempt (r)" in diagnostic.message


def test_exemption_applies_per_policy_and_per_container():
    td = task(app(readonlyRootFilesystem=False), agent(mountPoints=[]), init())
    config = {"exemptContainers": [{"name": "datadog-agent", "reason": "r"}]}
    assert len(messages(td, READONLY, {READONLY: config})) == 1  # app is not exempt
    assert messages(td, MOUNTS, {MOUNTS: config}) == []
    assert len(messages(td, MOUNTS, {READONLY: config})) == 1  # READONLY's exemption only


def test_pure_api_exempt_findings():
    config = {READONLY: {"exemptContainers": [{"name": "datadog-init", "reason": "r"}]}}
    [finding] = check_task_definition(seed(), config)
    assert finding.exempt and finding.exemption_reason == "r"
    assert finding.enforcement_level == "advisory" and finding.policy == READONLY
    assert finding.reported_by == EXEMPTIONS
    config[EXEMPTIONS] = "disabled"  # type: ignore[assignment]
    assert check_task_definition(seed(), config) == []


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        (
            {"name": "datadog-init"},
            "exemptContainers[0] (datadog-init) has no reason; an exemption needs one",
        ),
        ({"name": "datadog-init", "reason": "  "}, "has no reason"),
        ({"reason": "r"}, "exemptContainers[0] has no container name; ignored"),
        ("datadog-init", "exemptContainers[0] has no container name; ignored"),
    ],
)
def test_exemption_without_reason_is_not_applied_and_is_reported(entry, error):
    result = run_policy(READONLY, classic(seed()), config={"exemptContainers": [entry]})
    assert len(result.violations) == 2
    assert result.violations[0] == f"policy config: {error}" or error in result.violations[0]
    assert "'datadog-init' has readonlyRootFilesystem unset" in result.violations[1]


# --- other options ---------------------------------------------------------------------------


def test_agent_image_patterns_add_a_mirror():
    td = task(app(), agent(image=MIRROR, mountPoints=[]), init(image=MIRROR))
    assert messages(td, MOUNTS) == []  # the mirror is not known to be the Agent
    config = {"agentImagePatterns": ["*.dkr.ecr.*.amazonaws.com/mirror/datadog-agent"]}
    [message] = messages(td, MOUNTS, {MOUNTS: config})
    assert "Datadog Agent container 'datadog-agent'" in message
    [seeding] = messages(td, CONFIG_INIT, {CONFIG_INIT: config})
    assert f'"image": "{MIRROR}"' in seeding


def test_required_paths_override_the_defaults():
    td = task(app(), agent(), init())
    config = {"requiredPaths": ["/etc/datadog-agent", "/opt/extra/"]}
    [message] = messages(td, MOUNTS, {MOUNTS: config})
    assert "needs a writable task volume at each of /etc/datadog-agent, /opt/extra." in message
    assert '{"name": "datadog-opt-extra"}' in message


def test_recommended_paths_override_the_defaults():
    td = task(app(), agent(), init())
    [message] = messages(td, RECOMMENDED, {RECOMMENDED: {"recommendedPaths": ["/var/tmp"]}})
    assert "/var/tmp" in message
    assert messages(td, RECOMMENDED, {RECOMMENDED: {"recommendedPaths": []}}) == []


@pytest.mark.parametrize(
    ("policy", "config", "error"),
    [
        (
            READONLY,
            {"exemptContainer": []},
            'unknown config key "exemptContainer"; did you mean "exemptContainers"?',
        ),
        (READONLY, {"failClosedOnUnknown": "yes"}, "failClosedOnUnknown must be true or false"),
        (
            MOUNTS,
            {"agentImagePatterns": "datadog/*"},
            "agentImagePatterns must be a list of strings",
        ),
        (
            MOUNTS,
            {"agentImagePatterns": ["ok", 3]},
            "agentImagePatterns must contain only non-empty strings",
        ),
        (
            MOUNTS,
            {"requiredPaths": ["tmp"]},
            "requiredPaths: 'tmp' is not an absolute path; ignored",
        ),
        (
            MOUNTS,
            {"recommendedPaths": ["/tmp"]},
            'unknown config key "recommendedPaths" (valid: requiredPaths, agentImagePatterns, '
            "exemptContainers, failClosedOnUnknown)",
        ),
        (
            READONLY,
            {"exemptContainers": "all"},
            "exemptContainers must be a list of {name, reason} objects",
        ),
    ],
)
def test_bad_config_values_become_violations(policy, config, error):
    result = run_policy(policy, task(), NATIVE_TYPE, config=config)
    assert f"policy config: {error}" in result.violations[0]


def test_enforcement_level_is_not_a_property_error():
    assert parse_policy_config(READONLY, {"enforcementLevel": "advisory"}).errors == ()


# --- resolve_config: the CLI's order ---------------------------------------------------------


def test_resolve_defaults_all_and_overrides():
    resolved = resolve_config({"all": "advisory", READONLY: {"enforcementLevel": "mandatory"}})
    assert resolved[READONLY].enforcement_level == "mandatory"
    assert resolved[MOUNTS].enforcement_level == "advisory"
    assert list(resolved[MOUNTS].properties["requiredPaths"]) == [
        "/etc/datadog-agent",
        "/opt/datadog-agent/run",
        "/var/run/datadog",
    ]
    assert resolve_config({MOUNTS: {"requiredPaths": ["/x"]}})[MOUNTS].properties[
        "requiredPaths"
    ] == ["/x"]
    assert resolve_config({"not-a-policy": "advisory"})[READONLY].enforcement_level == "mandatory"


@pytest.mark.parametrize(
    "bad", [{READONLY: "warn"}, {READONLY: {"enforcementLevel": 1}}, {READONLY: 3}]
)
def test_resolve_rejects_what_the_cli_rejects(bad):
    with pytest.raises(ValueError):
        resolve_config(bad)


def test_levels_in_the_pure_api():
    [finding] = check_task_definition(seed(), {READONLY: "advisory"})
    assert finding.enforcement_level == "advisory"
    assert check_task_definition(seed(), {READONLY: "disabled"}) == []
    assert check_task_definition(seed(), {"all": "disabled"}) == []
    [remediate] = check_task_definition(seed(), {READONLY: "remediate"})
    assert remediate.enforcement_level == "mandatory"


def test_disabled_policy_is_not_run_by_the_sdk():
    server = servicer()
    configure(server, {READONLY: {"enforcementLevel": "disabled"}})
    assert analyze(server, classic(seed())) == []


def test_all_policies_have_a_rule_or_are_the_exemptions_policy():
    assert ALL[-1] == EXEMPTIONS


def test_readme_sample_is_the_committed_example():
    readme = (EXAMPLE.parent / "README.md").read_text()
    sample = readme.split("Sample (`policy-config.example.json`):\n\n```json\n")[1].split("```")[0]
    assert json.loads(sample) == json.loads(EXAMPLE.read_text())
    for policy in POLICY_NAMES:
        assert f"`{policy}`" in readme


def test_example_config_has_no_duplicate_keys_and_keeps_advisories_advisory():
    """A duplicated key silently wins in JSON: the sample once made recommended-mounts mandatory."""

    def no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), f"duplicate keys in the sample config: {keys}"
        return dict(pairs)

    example = json.loads(EXAMPLE.read_text(), object_pairs_hook=no_duplicates)
    resolved = resolve_config(example)
    assert resolved[RECOMMENDED].enforcement_level == "advisory"
    assert resolved[EXEMPTIONS].enforcement_level == "advisory"
    assert resolved["ecs-exec-readonly-paths"].enforcement_level == "advisory"
