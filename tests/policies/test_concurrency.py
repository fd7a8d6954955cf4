"""The pack process under a burst of concurrent Analyze calls (its gRPC server has 4 worker
threads): every answer is the one the same request gets alone, nothing deadlocks, and the
process's memory stays bounded across bursts of new resources.

Bounded for CI: a few hundred calls over one pack process.
"""

from __future__ import annotations

import copy
import json
import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
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
from dd_fargate.policy_config import reconcile
from dd_fargate.wire import UNKNOWN, secret
from ecs_readonly_datadog import pack
from policy_testlib import (
    CLASSIC_TYPE,
    NATIVE_TYPE,
    agent,
    app,
    classic,
    configure,
    init,
    seed,
    seed_first_attempt,
    servicer,
    struct,
    task,
)
from pulumi.runtime import proto

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"
STACK_URN = "urn:pulumi:dev::burst::pulumi:pulumi:Stack::burst-dev"
WORKERS = 16  # more client threads than the server's 4 workers: requests queue up
BURST = 240
CALL_TIMEOUT = 60.0  # a deadlock shows up as a timeout, not a hung suite


@pytest.fixture(scope="module")
def host() -> Iterator[PolicyPackHost]:
    with start_policy_pack(PACK_DIR, project="burst", stack="dev") as running:
        yield running


@pytest.fixture(scope="module")
def client(host: PolicyPackHost) -> AnalyzerClient:
    connected = host.connect(timeout=60)
    info = connected.get_analyzer_info()
    connected.configure(reconcile(info.policies, info.initial_config, {}))
    return connected


def _resource(type_: str, name: str, props: dict[str, Any]) -> AnalyzerResource:
    return AnalyzerResource(
        urn=f"urn:pulumi:dev::burst::{type_}::{name}",
        type=type_,
        name=name,
        properties=props,
        options=ResourceOptions(parent=STACK_URN),
        parent=STACK_URN,
    )


def inputs(tag: str) -> list[AnalyzerResource]:
    """Distinct resources of every kind the pack answers differently: passing, violating,
    exempt-free unknowns, malformed JSON, aws-native with secrets, and not a task definition."""
    ok = task(init(), agent(), app(image=f"ghcr.io/acme/web:{tag}"))
    first = seed_first_attempt()
    first["containerDefinitions"][0]["image"] = f"public.ecr.aws/datadog/agent:7.{len(tag)}.0"
    working = seed()
    working["family"] = f"working-{tag}"
    unknown = copy.deepcopy(ok)
    unknown["containerDefinitions"] = UNKNOWN
    native = copy.deepcopy(ok)
    native["containerDefinitions"][1]["environment"] = [
        {"name": "DD_SITE", "value": secret(f"datadoghq.{tag}")}
    ]
    writable = task(init(), agent(), app(readonlyRootFilesystem=False, name=f"w{tag}"))
    return [
        _resource(CLASSIC_TYPE, f"ok-{tag}", classic(ok)),
        _resource(CLASSIC_TYPE, f"first-{tag}", classic(first)),
        _resource(CLASSIC_TYPE, f"working-{tag}", classic(working)),
        _resource(CLASSIC_TYPE, f"unknown-{tag}", classic(unknown)),
        _resource(CLASSIC_TYPE, f"badjson-{tag}", {"containerDefinitions": "[{" + tag}),
        _resource(NATIVE_TYPE, f"native-{tag}", native),
        _resource(CLASSIC_TYPE, f"writable-{tag}", classic(writable)),
        _resource("aws:iam/role:Role", f"role-{tag}", {"name": tag}),
    ]


def answer(client: AnalyzerClient, resource: AnalyzerResource) -> list[tuple[str, str, str]]:
    return sorted((d.policy_name, d.enforcement_level, d.message) for d in client.analyze(resource))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def burst(client: AnalyzerClient, resources: list[AnalyzerResource], calls: int) -> list[Any]:
    """`calls` Analyze calls over the resources, shuffled, from WORKERS threads at once."""
    order = [resources[i % len(resources)] for i in range(calls)]
    random.Random(calls).shuffle(order)
    start = threading.Barrier(WORKERS)

    def call(resource: AnalyzerResource, first: bool) -> tuple[str, list[tuple[str, str, str]]]:
        if first:
            start.wait(timeout=CALL_TIMEOUT)  # release the first wave together
        return resource.urn, answer(client, resource)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(call, r, i < WORKERS) for i, r in enumerate(order)]
        _done, pending = wait(futures, timeout=CALL_TIMEOUT * 2)
        assert not pending, f"{len(pending)} Analyze calls never returned (deadlock?)"
    return [f.result() for f in futures]


def test_a_burst_gets_the_answers_each_request_gets_alone(
    host: PolicyPackHost, client: AnalyzerClient
) -> None:
    resources = [r for tag in ("a", "bb", "ccc") for r in inputs(tag)]
    alone = {r.urn: answer(client, r) for r in resources}
    # The sequential answers are themselves right: spot-check every kind.
    by_kind = {r.name.split("-")[0]: alone[r.urn] for r in resources if r.name.endswith("-a")}
    assert by_kind["ok"] == [] and by_kind["native"] == [] and by_kind["role"] == []
    assert {p for p, level, _ in by_kind["first"] if level == "mandatory"} == {
        "datadog-agent-writable-mounts",
        "datadog-agent-config-init",
    }
    assert [(p, lvl) for p, lvl, _ in by_kind["working"]] == [
        ("ecs-readonly-root-filesystem", "mandatory")
    ]
    assert all(lvl == "advisory" for _, lvl, _ in by_kind["unknown"]) and by_kind["unknown"]
    assert all("not valid JSON" in m for _, _, m in by_kind["badjson"]) and by_kind["badjson"]
    assert ("ecs-readonly-root-filesystem", "mandatory") in {
        (p, lvl) for p, lvl, _ in by_kind["writable"]
    }

    for urn, got in burst(client, resources, BURST):
        assert got == alone[urn], urn
    assert [line for line in host.stderr_tail() if "Traceback" in line] == []


def test_memory_stays_bounded_across_bursts_of_new_resources(
    host: PolicyPackHost, client: AnalyzerClient
) -> None:
    # Warm up: caches fill to their bounds, the allocator reaches its working size.
    for round_ in range(2):
        burst(client, [r for t in range(6) for r in inputs(f"w{round_}-{t}")], 120)
    before = rss_kib(host.pid)
    for round_ in range(3):  # every resource new: a leak per URN or content would grow
        burst(client, [r for t in range(6) for r in inputs(f"m{round_}-{t}")], 120)
    growth = rss_kib(host.pid) - before
    assert growth < 16 * 1024, f"pack RSS grew {growth} KiB over 360 new resources"


def test_exemption_ledger_holds_one_request_per_thread_even_without_its_reader() -> None:
    # With the exemptions policy disabled nothing takes the ledger's entries; it must not keep
    # one per task definition ever analyzed.
    server = servicer()
    configure(server, {"ecs-readonly-datadog-exemptions": {"enforcementLevel": "disabled"}})
    props = struct(classic(seed()))
    for i in range(200):
        request = proto.AnalyzeRequest(
            urn=f"urn:pulumi:dev::app::t::td{i}", type=CLASSIC_TYPE, name=f"td{i}", properties=props
        )
        assert len(server.Analyze(request, None).diagnostics) == 1
    assert pack._LEDGER.requests_held() <= 1
    pack._MEMO.clear()


def test_exemptions_still_reported_after_interleaved_requests() -> None:
    # One thread serves request A then B then A again: each exemptions pass reports its own.
    server = servicer()
    config = {"exemptContainers": [{"name": "datadog-init", "reason": "legacy"}]}
    configure(server, {"ecs-readonly-root-filesystem": config})
    exempt, other = seed(), seed()
    other["containerDefinitions"][0]["name"] = "not-exempt-init"
    other["containerDefinitions"][1]["dependsOn"][0]["containerName"] = "not-exempt-init"
    for name, td in (("a", exempt), ("b", other), ("a", exempt)):
        request = proto.AnalyzeRequest(
            urn=f"urn:pulumi:dev::app::t::{name}",
            type=CLASSIC_TYPE,
            name=name,
            properties=struct(classic(td)),
        )
        found = {
            (d.policyName, d.message.split(":")[0])
            for d in server.Analyze(request, None).diagnostics
        }
        policies = {p for p, _ in found}
        if name == "a":
            assert policies == {"ecs-readonly-datadog-exemptions"}, found
        else:
            assert policies == {"ecs-readonly-root-filesystem"}, found
    pack._MEMO.clear()


def test_json_of_the_inputs_is_what_the_wire_carries() -> None:
    # Guard for this module's inputs: every one survives the Struct round trip.
    for resource in inputs("z"):
        assert json.loads(json.dumps(dict(resource.properties))) == dict(resource.properties)
