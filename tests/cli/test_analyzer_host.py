"""The analyzer host against a real pack process (the test-only probe pack) and broken packs."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from cli_helpers import FIXTURES, PROBE_PACK
from dd_fargate.analyzer_host import (
    AnalyzerClient,
    AnalyzerResource,
    PolicyPackError,
    PolicyPackHost,
    ProviderResource,
    ResourceOptions,
    start_policy_pack,
)
from dd_fargate.errors import UserError
from dd_fargate.policy_config import load_policy_config, reconcile
from dd_fargate.policy_model import PolicyConfig
from dd_fargate.wire import UNKNOWN, secret

STACK_URN = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"
GROUP_URN = "urn:pulumi:dev::p::pulumi:pulumi:Stack$test:index:Group::g"
PROVIDER = ProviderResource(
    "urn:pulumi:dev::p::pulumi:providers:test::default", "pulumi:providers:test", "default"
)


def probe(name: str, parent: str = STACK_URN, **props: object) -> AnalyzerResource:
    return AnalyzerResource(
        urn=f"urn:pulumi:dev::p::pulumi:pulumi:Stack$test:index:Probe::{name}",
        type="test:index:Probe",
        name=name,
        properties={"value": "ok", **props},
        options=ResourceOptions(parent=parent),
        provider=PROVIDER,
        parent=parent,
    )


@pytest.fixture(scope="module")
def host() -> Iterator[PolicyPackHost]:
    with start_policy_pack(PROBE_PACK, project="p", stack="dev", config={"p:x": "1"}) as running:
        running.connect()
        yield running


@pytest.fixture(scope="module")
def client(host: PolicyPackHost) -> AnalyzerClient:
    connected = host.connect()
    info = connected.get_analyzer_info()
    # As the CLI does: always Configure, with schema defaults filled in.
    connected.configure(reconcile(info.policies, info.initial_config, {}))
    return connected


def by_policy(diags: list, name: str) -> list:  # type: ignore[type-arg]
    return [d for d in diags if d.policy_name == name]


def test_analyzer_info_reports_policies_levels_and_schemas(client: AnalyzerClient) -> None:
    info = client.get_analyzer_info()
    assert info.name == "probe-pack"
    assert info.version == "0.0.7"  # PulumiPolicy.yaml's version wins, as in the CLI
    levels = {p.name: p.enforcement_level for p in info.policies}
    assert levels == {
        "probe-config": "advisory",
        "probe-echo": "advisory",
        "probe-secret": "mandatory",
        "probe-stack": "advisory",
        "probe-unknown": "mandatory",
    }
    schema = next(p for p in info.policies if p.name == "probe-config").config_schema
    assert schema is not None and schema.properties["threshold"]["default"] == 3
    kinds = {p.name: p.policy_type for p in info.policies}
    assert kinds["probe-stack"] == "stack" and kinds["probe-echo"] == "resource"


def test_numbers_arrive_as_floats_and_options_and_provider_pass_through(
    client: AnalyzerClient,
) -> None:
    (echo,) = by_policy(client.analyze(probe("a", count=3)), "probe-echo")
    seen = json.loads(echo.message.split("\n", 1)[1])
    assert seen["count"] == 3.0 and seen["countType"] == "float"
    assert seen["parent"] == STACK_URN
    assert seen["provider"] == PROVIDER.urn and seen["providerType"] == "pulumi:providers:test"
    assert echo.urn == probe("a").urn  # Analyze diagnostics are reported against the resource


def test_unknown_input_is_an_advisory_cannot_run_even_for_a_mandatory_policy(
    client: AnalyzerClient,
) -> None:
    (diag,) = by_policy(client.analyze(probe("u", value=UNKNOWN)), "probe-unknown")
    assert diag.enforcement_level == "advisory"
    assert "can't be known during preview" in diag.message


def test_secret_wrapped_input_reaches_the_policy_unwrapped(client: AnalyzerClient) -> None:
    (diag,) = by_policy(client.analyze(probe("s", token=secret("hunter2"))), "probe-secret")
    assert diag.enforcement_level == "mandatory" and diag.message.endswith("token is hunter2")


def test_analyze_stack_links_parents_and_dependencies(client: AnalyzerClient) -> None:
    group = AnalyzerResource(GROUP_URN, "test:index:Group", "g", {}, parent=STACK_URN)
    first = probe("first", parent=GROUP_URN)
    second = replace(
        probe("second"),
        dependencies=(first.urn,),
        property_dependencies={"value": (first.urn,), "count": ()},
    )
    diags = by_policy(client.analyze_stack([group, first, second]), "probe-stack")
    messages = sorted(d.message.split("\n", 1)[1] for d in diags)
    assert messages == [
        "first: parent=test:index:Group deps=[]",
        "second: parent=None deps=['first']",
    ]
    assert {d.urn for d in diags} == {first.urn, second.urn}  # stack diagnostics keep their URN


def test_configure_from_a_config_file(tmp_path: Path) -> None:
    config_file = tmp_path / "policy-config.json"
    config_file.write_text(json.dumps({"all": "mandatory", "probe-config": {"threshold": 7}}))
    with start_policy_pack(PROBE_PACK, project="p", stack="dev") as running:
        client = running.connect()
        info = client.get_analyzer_info()
        effective = reconcile(info.policies, info.initial_config, load_policy_config(config_file))
        assert effective["probe-config"] == PolicyConfig("mandatory", {"threshold": 7})
        client.configure(effective)
        (diag,) = by_policy(client.analyze(probe("c")), "probe-config")
        assert diag.enforcement_level == "mandatory" and diag.message.endswith("threshold=7.0")


def test_config_with_unknown_policy_name_or_bad_value_is_rejected(
    client: AnalyzerClient, tmp_path: Path
) -> None:
    info = client.get_analyzer_info()
    with pytest.raises(UserError, match=r"unknown policy name.*'probe-typo'"):
        reconcile(info.policies, {}, {"probe-typo": PolicyConfig("mandatory")})
    with pytest.raises(UserError, match=r"probe-config\.threshold"):
        reconcile(info.policies, {}, {"probe-config": PolicyConfig(None, {"threshold": -1})})
    bad_level = tmp_path / "bad.json"
    bad_level.write_text('{"probe-echo": "strict"}')
    with pytest.raises(UserError, match="not a valid enforcement level"):
        load_policy_config(bad_level)


def test_the_pack_gets_the_cli_environment(host: PolicyPackHost) -> None:
    environ = Path(f"/proc/{host.pid}/environ")
    if not environ.exists():
        pytest.skip("needs /proc")
    env = dict(
        item.split("=", 1) for item in environ.read_bytes().decode().split("\0") if "=" in item
    )
    assert env["PULUMI_PROJECT"] == "p" and env["PULUMI_STACK"] == "dev"
    assert env["PULUMI_DRY_RUN"] == "true"
    assert json.loads(env["PULUMI_CONFIG"]) == {"p:x": "1"}
    cmdline = Path(f"/proc/{host.pid}/cmdline").read_bytes().decode().split("\0")
    assert cmdline[1:4] == ["-u", "-m", "pulumi.policy"] and cmdline[5] == "."
    assert cmdline[4] == host.engine.address
    assert os.readlink(f"/proc/{host.pid}/cwd") == str(PROBE_PACK)


@pytest.mark.parametrize(
    ("pack", "expected"),
    [
        ("garbage", "printed 'hello from a careless pack' instead of its gRPC port"),
        ("crash", "exited with code 3 before printing its port | pack stderr: pack setup exploded"),
    ],
)
def test_a_broken_pack_fails_with_a_clear_error(pack: str, expected: str) -> None:
    with (
        pytest.raises(PolicyPackError) as caught,
        start_policy_pack(FIXTURES / "bad_packs" / pack, project="p", stack="dev") as running,
    ):
        running.connect(timeout=30)
    assert expected in str(caught.value)


def test_a_silent_pack_times_out_and_is_killed() -> None:
    started = time.monotonic()
    with pytest.raises(PolicyPackError, match="did not print its port within 1s"):  # noqa: SIM117
        with start_policy_pack(
            FIXTURES / "bad_packs" / "slow", project="p", stack="dev"
        ) as running:
            pid = running.pid
            running.connect(timeout=1)
    assert time.monotonic() - started < 15
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_missing_pack_directory_or_manifest() -> None:
    with pytest.raises(UserError, match="does not exist"):
        start_policy_pack(FIXTURES / "nope", project="p", stack="dev").__enter__()
    with pytest.raises(UserError, match=r"no PulumiPolicy\.yaml"):
        start_policy_pack(FIXTURES / "not_a_project", project="p", stack="dev").__enter__()
