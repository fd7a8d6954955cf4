"""The pulumi_policy adapters: resource-type filtering, awsx children, the exception guard,
caching, and the pack's entry point."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import ecs_readonly_datadog.pack as pack
import pytest
from ecs_readonly_datadog import ecs_model, normalize
from policy_testlib import (
    ALL,
    CLASSIC_TYPE,
    FIXTURES,
    NATIVE_TYPE,
    POLICY_OBJECTS,
    RULE_POLICIES,
    classic,
    make_args,
    run_all,
    run_policy,
    seed,
    servicer,
    struct,
)
from pulumi.runtime import proto
from pulumi_policy.proxy import UnknownValueError

READONLY = "ecs-readonly-root-filesystem"
POLICIES_DIR = Path(__file__).parents[2] / "policies"


@pytest.mark.parametrize(
    "resource_type",
    ["aws:s3/bucket:Bucket", "aws:ecs/service:Service", "awsx:ecs:FargateTaskDefinition"],
)
def test_other_resource_types_are_ignored(resource_type):
    props = {"containerDefinitions": "not json", "bucket": 3}
    for policy in ALL:
        result = run_policy(policy, props, resource_type)
        assert result.violations == [] and result.unknown is None


def awsx(phase: str) -> list[dict[str, object]]:
    recorded: list[dict[str, object]] = json.loads(
        (FIXTURES / "awsx_fargate_task_definition.json").read_text()
    )[phase]
    return recorded


def analyze_recorded(resource: dict[str, object]) -> list[object]:
    request = proto.AnalyzeRequest(
        urn=resource["urn"],
        type=resource["type"],
        name=resource["name"],
        properties=struct(resource["inputs"]),  # type: ignore[arg-type]
    )
    return list(servicer().Analyze(request, None).diagnostics)


def test_awsx_task_definition_is_checked_through_its_aws_child():
    parent, child = awsx("update")
    assert parent["type"] == "awsx:ecs:FargateTaskDefinition"
    assert child["type"] == CLASSIC_TYPE and child["urn"].startswith(  # type: ignore[union-attr]
        "urn:pulumi:dev::app::awsx:ecs:FargateTaskDefinition$aws:ecs/taskDefinition:TaskDefinition::"
    )
    assert analyze_recorded(parent) == []
    [diagnostic] = analyze_recorded(child)
    assert diagnostic.policyName == READONLY and diagnostic.enforcementLevel == proto.MANDATORY
    assert (
        "task definition 'web-2f6c1d9e': container 'web' has readonlyRootFilesystem unset"
        in diagnostic.message
    )


def test_awsx_child_in_preview_is_advisory():
    parent, child = awsx("preview")
    assert analyze_recorded(parent) == []
    diagnostics = analyze_recorded(child)
    assert {d.policyName for d in diagnostics} == set(RULE_POLICIES)
    assert {d.enforcementLevel for d in diagnostics} == {proto.ADVISORY}
    # The family is unknown too, so the resource name names the task definition.
    assert all("task definition 'web'" in d.message for d in diagnostics)


def test_an_unexpected_exception_becomes_a_violation(monkeypatch):
    def boom(*_args: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(pack, "evaluate", boom)
    result = run_policy(READONLY, classic(seed()))
    assert result.violations == [
        "policy 'ecs-readonly-root-filesystem' hit an internal error checking 'td' and could not "
        "check it: RuntimeError: boom. Please report this to the pack's maintainers."
    ]


def test_the_exemptions_policy_is_guarded_too(monkeypatch):
    def boom(_urn: str) -> object:
        raise KeyError("ledger")

    monkeypatch.setattr(pack._LEDGER, "take", boom)
    result = run_policy("ecs-readonly-datadog-exemptions", classic(seed()))
    assert "policy 'ecs-readonly-datadog-exemptions' hit an internal error" in result.violations[0]


def test_the_guard_lets_the_sdk_unknown_error_through_unless_fail_closed(monkeypatch):
    def unknown(*_args: object) -> object:
        raise UnknownValueError("04da6b54-80e4-46f7-96ec-b56ff0331ba9", ["x"])

    monkeypatch.setattr(pack, "evaluate", unknown)
    assert run_policy(READONLY, classic(seed())).unknown is not None
    closed = run_policy(READONLY, classic(seed()), config={"failClosedOnUnknown": True})
    assert closed.unknown is None
    assert closed.violations == [
        "string value at .x can't be known during preview (failClosedOnUnknown is set, so this is a violation)"
    ]


def test_inputs_are_parsed_once_per_content(monkeypatch):
    normalize.clear_cache()
    calls: list[str] = []
    original = normalize._parse_json

    def counting(text: str) -> object:
        calls.append(text)
        return original(text)

    monkeypatch.setattr(normalize, "_parse_json", counting)
    run_all(classic(seed()))
    run_all(classic(seed()))
    assert len(calls) == 1  # six policies, two analyses, one json.loads
    changed = seed()
    changed["containerDefinitions"][0]["readonlyRootFilesystem"] = True
    assert run_all(classic(changed))[READONLY].violations == []
    assert len(calls) == 2


def test_native_inputs_are_validated_once_per_content(monkeypatch):
    normalize.clear_cache()
    calls: list[int] = []
    original = ecs_model.validate_container_definitions

    def counting(containers: object) -> object:
        calls.append(1)
        return original(containers)  # type: ignore[arg-type]

    monkeypatch.setattr(ecs_model, "validate_container_definitions", counting)
    for _ in range(3):
        run_all(seed(), NATIVE_TYPE)
    assert len(calls) == 1


def test_the_botocore_model_is_loaded_once():
    for _ in range(3):
        run_all(classic(seed()))
    assert ecs_model._model.cache_info().misses <= 1


def test_policies_accept_real_args_objects():
    args = make_args(classic(seed()))
    assert args.get_config() == {}
    assert set(POLICY_OBJECTS) == set(ALL)


def test_the_pack_starts_and_prints_only_its_port():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", "."],
        cwd=POLICIES_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        assert ready, "the pack printed nothing within 30 s"
        line = process.stdout.readline().decode()  # type: ignore[union-attr]
        assert line.strip().isdigit(), (
            line,
            process.stderr.read() if process.poll() is not None else "",
        )  # type: ignore[union-attr]
    finally:
        process.kill()
        process.wait(timeout=10)


def test_one_normalization_per_request_and_none_stale(monkeypatch):
    calls: list[str] = []
    original = pack.task_definition_from_props

    def counting(props: object, name: str | None = None) -> object:
        calls.append(name or "")
        return original(props, name)

    monkeypatch.setattr(pack, "task_definition_from_props", counting)
    server = servicer()
    first = proto.AnalyzeRequest(
        urn="urn:pulumi:dev::app::t::td",
        type=CLASSIC_TYPE,
        name="td",
        properties=struct(classic(seed())),
    )
    assert len(server.Analyze(first, None).diagnostics) == 1
    assert len(calls) == 1  # five rule policies, one normalization
    # The same URN with other inputs (e.g. preview, then update) is never answered from the memo.
    fixed = seed()
    fixed["containerDefinitions"][0]["readonlyRootFilesystem"] = True
    second = proto.AnalyzeRequest(
        urn="urn:pulumi:dev::app::t::td",
        type=CLASSIC_TYPE,
        name="td",
        properties=struct(classic(fixed)),
    )
    assert list(server.Analyze(second, None).diagnostics) == []
    assert len(calls) == 2
    assert pack._MEMO._by_thread == {}  # released by the exemptions policy


def test_memo_without_the_exemptions_policy_is_still_per_request():
    server = servicer()
    from policy_testlib import configure

    configure(server, {"ecs-readonly-datadog-exemptions": {"enforcementLevel": "disabled"}})
    for fix, expected in ((False, 1), (True, 0), (False, 1)):
        td = seed()
        td["containerDefinitions"][0]["readonlyRootFilesystem"] = fix or None
        request = proto.AnalyzeRequest(
            urn="urn:pulumi:dev::app::t::td",
            type=CLASSIC_TYPE,
            name="td",
            properties=struct(classic(td)),
        )
        assert len(server.Analyze(request, None).diagnostics) == expected
    pack._MEMO.clear()
