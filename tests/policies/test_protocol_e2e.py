"""The ecs-readonly-datadog pack end to end through the real analyzer protocol.

The pack runs as its own process, started exactly as the Pulumi CLI starts a Python pack
(``python -u -m pulumi.policy <engine> .`` in ``policies/`` with PULUMI_* env, port on stdout),
and every call goes over gRPC with the generated stubs: GetAnalyzerInfo, Configure (from a
config file, validated like the CLI), Analyze and AnalyzeStack. One pack process per module.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from dd_fargate.analyzer_host import (
    AnalyzerClient,
    AnalyzerResource,
    PolicyPackHost,
    ResourceOptions,
    start_policy_pack,
)
from dd_fargate.policy_config import load_policy_config, reconcile
from dd_fargate.policy_model import Diagnostic
from dd_fargate.wire import UNKNOWN, secret

REPO = Path(__file__).resolve().parents[2]
PACK_DIR = REPO / "policies"
SEED_WORKING = Path(__file__).resolve().parent / "fixtures" / "seed_working.json"
STACK_URN = "urn:pulumi:dev::seed::pulumi:pulumi:Stack::seed-dev"
CLASSIC = "aws:ecs/taskDefinition:TaskDefinition"
NATIVE = "aws-native:ecs:TaskDefinition"

READONLY_ROOT = "ecs-readonly-root-filesystem"
WRITABLE_MOUNTS = "datadog-agent-writable-mounts"
RECOMMENDED_MOUNTS = "datadog-agent-recommended-mounts"
CONFIG_INIT = "datadog-agent-config-init"
DEFINITIONS_VALID = "ecs-container-definitions-valid"
EXEMPTIONS = "ecs-readonly-datadog-exemptions"
EXEC_PATHS = "ecs-exec-readonly-paths"
ALL_POLICIES = {
    EXEC_PATHS,
    READONLY_ROOT,
    WRITABLE_MOUNTS,
    RECOMMENDED_MOUNTS,
    CONFIG_INIT,
    DEFINITIONS_VALID,
    EXEMPTIONS,
}


# --- the seed's cases -------------------------------------------------------------------------


def seed_working() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SEED_WORKING.read_text())
    return data


def seed_fixed() -> dict[str, Any]:
    td = seed_working()
    td["containerDefinitions"][0]["readonlyRootFilesystem"] = True  # datadog-init read-only too
    return td


def seed_first_attempt() -> dict[str, Any]:
    td = seed_working()
    agent = copy.deepcopy(td["containerDefinitions"][1])
    agent.pop("mountPoints")
    agent.pop("dependsOn")
    td["containerDefinitions"], td["volumes"] = [agent], []
    return td


def classic(td: Mapping[str, Any], name: str) -> AnalyzerResource:
    """pulumi-aws inputs: containerDefinitions is one JSON string."""
    props = {k: v for k, v in td.items() if k != "containerDefinitions"}
    cds = td["containerDefinitions"]
    props["containerDefinitions"] = cds if isinstance(cds, (str, dict)) else json.dumps(cds)
    return resource(CLASSIC, name, props)


def native(td: Mapping[str, Any], name: str) -> AnalyzerResource:
    """aws-native inputs: containerDefinitions is a list (every number a float on the wire)."""
    return resource(NATIVE, name, dict(td))


def resource(type_: str, name: str, props: Mapping[str, Any]) -> AnalyzerResource:
    return AnalyzerResource(
        urn=f"urn:pulumi:dev::seed::pulumi:pulumi:Stack${type_}::{name}",
        type=type_,
        name=name,
        properties=props,
        options=ResourceOptions(parent=STACK_URN),
        parent=STACK_URN,
    )


# --- one pack process for the module ------------------------------------------------------------


@pytest.fixture(scope="module")
def host() -> Iterator[PolicyPackHost]:
    with start_policy_pack(
        PACK_DIR, project="seed", stack="dev", config={"aws:region": "ap-northeast-1"}
    ) as running:
        yield running


@pytest.fixture(scope="module")
def client(host: PolicyPackHost) -> AnalyzerClient:
    return host.connect(timeout=60)


@pytest.fixture
def configure(client: AnalyzerClient, tmp_path: Path) -> Iterator[Any]:
    """Configure the pack from a policy-config file, as the CLI does; defaults again afterwards."""
    info = client.get_analyzer_info()

    def apply(document: Mapping[str, Any]) -> None:
        path = tmp_path / "policy-config.json"
        path.write_text(json.dumps(document))
        client.configure(
            reconcile(info.policies, info.initial_config, load_policy_config(path), str(path))
        )

    apply({})
    yield apply
    apply({})


def levels(diags: list[Diagnostic]) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for d in diags:
        result.setdefault(d.enforcement_level, set()).add(d.policy_name)
    return result


# --- tests ----------------------------------------------------------------------------------------


def test_get_analyzer_info_names_levels_and_config_schemas(client: AnalyzerClient) -> None:
    import ecs_readonly_datadog as rules

    info = client.get_analyzer_info()
    assert info.name == "ecs-readonly-datadog" and info.supports_config
    assert info.version == "0.1.0"  # from PulumiPolicy.yaml, as the CLI reports it
    assert {p.name for p in info.policies} == ALL_POLICIES
    assert {p.name: p.enforcement_level for p in info.policies} == dict(
        rules.DEFAULT_ENFORCEMENT_LEVELS
    )
    schemas = {p.name: p.config_schema for p in info.policies}
    for policy in (*rules.POLICIES, *rules.STACK_POLICIES):
        declared = json.loads(json.dumps(dict(policy.properties)))
        got = schemas[policy.name]
        assert (dict(got.properties) if got else {}) == declared, policy.name
    assert schemas[WRITABLE_MOUNTS] is not None
    assert schemas[WRITABLE_MOUNTS].properties["requiredPaths"]["default"] == [
        "/etc/datadog-agent",
        "/opt/datadog-agent/run",
        "/var/run/datadog",
    ]
    assert {p.name: p.policy_type for p in info.policies} == {
        name: "stack" if name == EXEC_PATHS else "resource" for name in ALL_POLICIES
    }


def test_first_attempt_fails_writable_mounts_and_config_init(
    client: AnalyzerClient, configure: Any
) -> None:
    res = classic(seed_first_attempt(), "first-attempt")
    diags = client.analyze(res)
    assert levels(diags)["mandatory"] == {WRITABLE_MOUNTS, CONFIG_INIT}
    assert all(d.urn == res.urn and d.policy_pack_name == "ecs-readonly-datadog" for d in diags)
    (mounts,) = [d for d in diags if d.policy_name == WRITABLE_MOUNTS]
    assert "/etc/datadog-agent" in mounts.message and "datadog-agent" in mounts.message


def test_published_working_definition_fails_only_init_read_only(
    client: AnalyzerClient, configure: Any
) -> None:
    diags = client.analyze(classic(seed_working(), "working"))
    assert [(d.policy_name, d.enforcement_level) for d in diags] == [(READONLY_ROOT, "mandatory")]
    assert "'datadog-init'" in diags[0].message and "'datadog-agent'" not in diags[0].message


def test_working_definition_with_read_only_init_passes_everything(
    client: AnalyzerClient, configure: Any
) -> None:
    assert client.analyze(classic(seed_fixed(), "fixed")) == []


def test_unknown_container_definitions_are_advisory_unless_fail_closed(
    client: AnalyzerClient, configure: Any
) -> None:
    unknown = seed_fixed()
    unknown["containerDefinitions"] = UNKNOWN  # a preview with one unknown inside json_dumps
    diags = client.analyze(classic(unknown, "unknown"))
    task_policies = ALL_POLICIES - {EXEMPTIONS, EXEC_PATHS}  # the stack policy isn't per resource
    assert diags and levels(diags) == {"advisory": task_policies}
    assert all("during preview" in d.message for d in diags)

    configure({p: {"failClosedOnUnknown": True} for p in task_policies})
    diags = client.analyze(classic(unknown, "unknown"))
    assert levels(diags)["mandatory"] >= {READONLY_ROOT, WRITABLE_MOUNTS, CONFIG_INIT}


def test_config_file_changes_levels(client: AnalyzerClient, configure: Any) -> None:
    configure({READONLY_ROOT: "advisory"})
    diags = client.analyze(classic(seed_working(), "working"))
    assert [(d.policy_name, d.enforcement_level) for d in diags] == [(READONLY_ROOT, "advisory")]
    configure({"all": "disabled"})
    assert client.analyze(classic(seed_first_attempt(), "first-attempt")) == []


def test_numbers_as_floats_and_secret_wrapped_inputs(
    client: AnalyzerClient, configure: Any
) -> None:
    # aws-native shape: the list crosses the wire as a Struct, so cpu 0 arrives as 0.0 etc.
    diags = client.analyze(native(seed_working(), "native-working"))
    assert [(d.policy_name, d.enforcement_level) for d in diags] == [(READONLY_ROOT, "mandatory")]
    assert client.analyze(native(seed_fixed(), "native-fixed")) == []

    # pulumi-aws with a secret inside json_dumps: the whole string is secret-wrapped.
    wrapped = seed_first_attempt()
    wrapped["containerDefinitions"] = secret(json.dumps(wrapped["containerDefinitions"]))
    assert levels(client.analyze(classic(wrapped, "secret-string")))["mandatory"] == {
        WRITABLE_MOUNTS,
        CONFIG_INIT,
    }

    # aws-native with secret leaves (an env value and a whole mount point).
    leaves = seed_fixed()
    agent = leaves["containerDefinitions"][1]
    agent["environment"][0]["value"] = secret("datadoghq.com")
    agent["mountPoints"][0] = secret(agent["mountPoints"][0])
    assert client.analyze(native(leaves, "secret-leaves")) == []


def test_analyze_stack_with_the_seed_cases(client: AnalyzerClient, configure: Any) -> None:
    stack = AnalyzerResource(STACK_URN, "pulumi:pulumi:Stack", "seed-dev", {})
    resources = [
        stack,
        classic(seed_first_attempt(), "first-attempt"),
        classic(seed_working(), "working"),
        native(seed_fixed(), "fixed"),
    ]
    # Every policy is a resource policy, so the stack pass adds nothing; it must still accept
    # the whole stack over the wire (parents, unknowns, floats) without failing.
    assert client.analyze_stack(resources) == []
    unknown = seed_fixed()
    unknown["containerDefinitions"] = UNKNOWN
    assert client.analyze_stack([*resources, classic(unknown, "unknown")]) == []


def test_pack_process_is_quiet_on_stderr(host: PolicyPackHost, client: AnalyzerClient) -> None:
    # A policy exception would surface as an RPC error; nothing else should be logged either.
    assert [line for line in host.stderr_tail() if "Traceback" in line] == []
