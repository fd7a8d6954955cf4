"""Benchmark 1: what the ecs-readonly-datadog pack costs per resource, against no-op packs.

    python benchmarks/pack_cost.py            # full run (about a minute on 2 cores)
    python benchmarks/pack_cost.py --quick    # tiny sizes, for the smoke test

Every pack is started the way the Pulumi CLI starts it (`dd_fargate.analyzer_host`) and
answered over gRPC. The floor is `benchmarks/packs/noop-N`: as many policies as the real pack,
each doing nothing. The SDK deserializes a request's inputs once per policy, so no pack with N
policies can be cheaper. `noop-1` shows what that per-policy deserialization costs.

Inputs: the component's own 10-container task definitions (init, agent, 8 apps), all passing,
with image tags and environment values that differ on every call, so no cache keyed on
content can answer a repeat. The same inputs go to each pack, in a rotating order per round;
figures are medians over rounds, ratios are medians of per-round ratios (noisy machines).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import (
    BENCH_DIR,
    CLASSIC_TYPE,
    PACK_DIR,
    REGION,
    UNKNOWN,
    header,
    median,
    spread,
    task_definition_props,
    timed,
    verdict,
)
from dd_fargate.analyzer_host import AnalyzerClient, PolicyPackHost, start_policy_pack
from dd_fargate.policy_config import reconcile
from dd_fargate.wire import wire_to_struct
from pulumi.runtime.proto import analyzer_pb2

GOAL = 1.25
STACK_URN = "urn:pulumi:prod::bench::pulumi:pulumi:Stack::bench-prod"
SERVICE_TYPE = "aws:ecs/service:Service"
PROVIDER_URN = "urn:pulumi:prod::bench::pulumi:providers:aws::default_7_51_1"


@dataclass(frozen=True)
class Pack:
    label: str
    directory: Path
    env: tuple[tuple[str, str], ...] = ()


def packs(policy_count: int, pack_dir: Path = PACK_DIR) -> list[Pack]:
    """The pack, its floor (`noop-N`: as many policies of each kind, doing nothing), noop-1,
    and, if the pack tunes the garbage collector, the floor with the same tuning."""
    floor = BENCH_DIR / "packs" / f"noop-{policy_count}"
    found = [
        Pack("ecs-readonly-datadog", pack_dir),
        Pack(f"noop-{policy_count}", floor),
        Pack("noop-1", BENCH_DIR / "packs" / "noop-1"),
    ]
    threshold = gc_threshold(pack_dir)
    if threshold:
        found.append(
            Pack(f"noop-{policy_count}+gc", floor, (("BENCH_NOOP_GC_THRESHOLD", threshold),))
        )
    return found


def gc_threshold(pack_dir: Path) -> str | None:
    """`gc.set_threshold(a, b, c)` in the pack's entry point, as "a,b,c"."""
    try:
        text = (pack_dir / "__main__.py").read_text()
    except OSError:
        return None
    match = re.search(r"^gc\.set_threshold\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)", text, re.M)
    return ",".join(match.groups()) if match else None


def policy_kinds() -> tuple[int, int]:
    """(resource policies, stack policies) of ecs-readonly-datadog."""
    from ecs_readonly_datadog.pack import build_policies
    from pulumi_policy import StackValidationPolicy

    policies = build_policies()
    stack = sum(isinstance(p, StackValidationPolicy) for p in policies)
    return len(policies) - stack, stack


def _start(pack: Pack, stack: ExitStack) -> tuple[PolicyPackHost, AnalyzerClient]:
    saved = {key: os.environ.get(key) for key, _ in pack.env}
    os.environ.update(dict(pack.env))  # the host hands the pack our environment
    try:
        host = stack.enter_context(
            start_policy_pack(
                pack.directory, project="bench", stack="prod", config={"aws:region": REGION}
            )
        )
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    client = host.connect()
    info = client.get_analyzer_info()
    # As `dd-fargate preview` and the Pulumi CLI do: Configure with schema defaults filled in.
    client.configure(reconcile(info.policies, info.initial_config, {}))
    return host, client


def _options(parent: str) -> analyzer_pb2.AnalyzerResourceOptions:
    opts = analyzer_pb2.AnalyzerResourceOptions(parent=parent)
    opts.customTimeouts.CopyFrom(analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts())
    return opts


def _provider() -> analyzer_pb2.AnalyzerProviderResource:
    return analyzer_pb2.AnalyzerProviderResource(
        urn=PROVIDER_URN,
        type="pulumi:providers:aws",
        name="default_7_51_1",
        properties=wire_to_struct({"region": REGION, "version": "7.51.1"}),
    )


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:prod::bench::datadog-fargate:index:DatadogFargateService${type_}::{name}"


def analyze_requests(start: int, count: int) -> list[analyzer_pb2.AnalyzeRequest]:
    """Built before timing: the engine builds requests in Go, so only the pack's side counts."""
    requests = []
    for variant in range(start, start + count):
        name = f"svc{variant}-task"
        requests.append(
            analyzer_pb2.AnalyzeRequest(
                type=CLASSIC_TYPE,
                properties=wire_to_struct(task_definition_props(f"svc{variant}", 8, variant)),
                urn=_urn(CLASSIC_TYPE, name),
                name=name,
                options=_options(_urn("datadog-fargate:index:DatadogFargateService", "svc")),
                provider=_provider(),
            )
        )
    return requests


def _service_props(name: str, execute_command: bool) -> dict[str, Any]:
    return {
        "name": name,
        "cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        "taskDefinition": UNKNOWN,  # the task definition's ARN, unknown in a first preview
        "launchType": "FARGATE",
        "desiredCount": 1.0,
        "enableExecuteCommand": execute_command,
        "networkConfiguration": {"subnets": ["subnet-0a1"], "assignPublicIp": False},
    }


def analyze_stack_request(start: int, count: int) -> analyzer_pb2.AnalyzeStackRequest:
    """`count` resources: task definitions and, for each, the service that runs it (linked by
    the `taskDefinition` property dependency, as the engine sends it; ECS Exec on every other
    one), so the pack's stack policy pairs and checks every one of them."""
    request = analyzer_pb2.AnalyzeStackRequest()
    for i in range(0, count, 2):
        variant = start + i // 2
        execute_command = variant % 2 == 0
        task_urn = _urn(CLASSIC_TYPE, f"svc{variant}-task")
        request.resources.add(
            type=CLASSIC_TYPE,
            properties=wire_to_struct(
                task_definition_props(f"svc{variant}", 8, variant, execute_command)
            ),
            urn=task_urn,
            name=f"svc{variant}-task",
            options=_options(STACK_URN),
            provider=_provider(),
            parent=STACK_URN,
        )
        service = request.resources.add(
            type=SERVICE_TYPE,
            properties=wire_to_struct(_service_props(f"svc{variant}", execute_command)),
            urn=_urn(SERVICE_TYPE, f"svc{variant}-service"),
            name=f"svc{variant}-service",
            options=_options(STACK_URN),
            provider=_provider(),
            parent=STACK_URN,
            dependencies=[task_urn],
        )
        service.propertyDependencies["taskDefinition"].urns.append(task_urn)
    return request


def _stub(client: AnalyzerClient) -> Any:
    # The raw stub, so a timed call is one RPC and nothing of dd-fargate's conversions.
    return client._stub


def _rotations(items: Sequence[Pack]) -> Iterator[list[Pack]]:
    for shift in itertools.count():
        k = shift % len(items)
        yield [*items[k:], *items[:k]]


def bench_startup(all_packs: Sequence[Pack], repeats: int) -> dict[str, list[float]]:
    """Spawn to the first GetAnalyzerInfo answer, one pack at a time."""
    times: dict[str, list[float]] = {p.label: [] for p in all_packs}
    order = _rotations(all_packs)
    for _ in range(repeats + 1):  # the first round warms the OS file cache and .pyc files
        for pack in next(order):

            def start(pack: Pack = pack) -> None:
                with ExitStack() as stack:
                    _start(pack, stack)

            elapsed = timed(start)
            times[pack.label].append(elapsed)
    return {label: values[1:] for label, values in times.items()}


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (Linux /proc), all its threads: less sensitive than
    wall-clock time to whatever else the machine runs. NaN where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_analyze(
    clients: dict[str, AnalyzerClient],
    pids: dict[str, int],
    order: Sequence[Pack],
    calls: int,
    rounds: int,
) -> tuple[dict[str, list[float]], dict[str, float], int]:
    """Per round and pack, the median latency of one Analyze; per pack, CPU seconds per call;
    and how many diagnostics the real pack gave.

    Each input goes to every pack back to back (the order rotating per input), so a burst of
    load elsewhere on the machine hits all packs alike; medians drop the bursts.
    """
    latency: dict[str, list[float]] = {p.label: [] for p in order}
    cpu_total = {p.label: 0.0 for p in order}
    real = order[0].label
    diagnostics = 0
    variant = 1_000_000  # inputs never repeat across rounds, warm-up or packs' own history
    warm = analyze_requests(variant, 10)
    variant += 10
    for client in clients.values():
        for request in warm:
            _stub(client).Analyze(request)
    stubs = {p.label: _stub(clients[p.label]) for p in order}
    rotation = _rotations(order)
    for _ in range(rounds):
        requests = analyze_requests(variant, calls)
        variant += calls
        samples: dict[str, list[float]] = {p.label: [] for p in order}
        cpu_start = {label: cpu_seconds(pid) for label, pid in pids.items()}
        for request in requests:
            for pack in next(rotation):
                call: Callable[[Any], Any] = stubs[pack.label].Analyze
                start = time.perf_counter()
                response = call(request)
                samples[pack.label].append(time.perf_counter() - start)
                if pack.label == real:
                    diagnostics += len(response.diagnostics)
        for label, pid in pids.items():
            cpu_total[label] += cpu_seconds(pid) - cpu_start[label]
            latency[label].append(median(samples[label]))
    cpu = {label: total / (calls * rounds) for label, total in cpu_total.items()}
    return latency, cpu, diagnostics


def bench_analyze_stack(
    clients: dict[str, AnalyzerClient], order: Sequence[Pack], resources: int, rounds: int
) -> tuple[dict[str, list[float]], int]:
    """Seconds per AnalyzeStack per round for each pack; diagnostics of the real pack."""
    times: dict[str, list[float]] = {p.label: [] for p in order}
    rotation = _rotations(order)
    variant = 2_000_000
    diagnostics = 0
    for _ in range(rounds):
        request = analyze_stack_request(variant, resources)
        variant += resources
        for pack in next(rotation):
            stub = _stub(clients[pack.label])
            start = time.perf_counter()
            response = stub.AnalyzeStack(request)
            times[pack.label].append(time.perf_counter() - start)
            if pack is order[0]:
                diagnostics += len(response.diagnostics)
    return times, diagnostics


def ratios(times: dict[str, list[float]], top: str, base: str) -> list[float]:
    return [a / b for a, b in zip(times[top], times[base], strict=True)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=200, help="Analyze calls per pack per round")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--stack-resources", type=int, default=2000)
    parser.add_argument("--stack-rounds", type=int, default=9)
    parser.add_argument("--startups", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="minimal sizes (smoke test)")
    parser.add_argument(
        "--pack",
        type=Path,
        default=PACK_DIR,
        help="the pack to measure (e.g. policies/ of a worktree at an older commit, for a before)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.calls, args.rounds, args.stack_resources, args.stack_rounds = 3, 1, 4, 1
        args.startups = 0

    header("pack cost: Analyze / AnalyzeStack over gRPC, against no-op packs")
    resource_policies, stack_policies = policy_kinds()
    all_packs = packs(resource_policies + stack_policies, args.pack)
    real, floor, one = (p.label for p in all_packs[:3])
    tuned = all_packs[3].label if len(all_packs) > 3 else None
    print(
        f"packs:   {real} ({resource_policies} resource + {stack_policies} stack policies, "
        f"{args.pack}), {floor} (the same kinds, no-op), {one}"
        + (f", {tuned} ({floor} with the pack's GC thresholds)" if tuned else "")
    )
    results: dict[str, Any] = {}

    if args.startups:
        startup = bench_startup(all_packs, args.startups)
        print(f"\nstart-up (spawn -> GetAnalyzerInfo), median of {args.startups}:")
        for label, values in startup.items():
            print(f"  {label:22} {median(values) * 1000:8.0f} ms  (range {spread(values)} s)")
        extra = median(startup[real]) - median(startup[floor])
        print(f"  {real} vs {floor}: +{extra * 1000:.0f} ms")
        results["startup"] = {k: median(v) for k, v in startup.items()}

    with ExitStack() as stack:
        started = {p.label: _start(p, stack) for p in all_packs}
        clients = {label: client for label, (_, client) in started.items()}
        pids = {label: host.pid for label, (host, _) in started.items()}

        per_call, cpu, diagnostics = bench_analyze(
            clients, pids, all_packs, args.calls, args.rounds
        )
        print(
            f"\nAnalyze, 10-container task definitions, {args.calls} distinct inputs per round "
            f"(each to every pack), {args.rounds} rounds; median latency per call:"
        )
        for label, values in per_call.items():
            print(
                f"  {label:22} {median(values) * 1000:8.3f} ms/call  "
                f"(range {spread([v * 1000 for v in values])} ms)"
            )
        vs_floor = median(ratios(per_call, real, floor))
        vs_one = median(ratios(per_call, real, one))
        print(f"  ratio {real} / {floor}: {verdict(vs_floor, GOAL)}")
        print(f"  ratio {real} / {one}: {vs_one:.2f}x")
        print(f"  ratio {floor} / {one}: {median(ratios(per_call, floor, one)):.2f}x")
        if tuned:
            vs_tuned = median(ratios(per_call, real, tuned))
            print(
                f"  ratio {real} / {tuned} (the floor with the pack's GC thresholds, "
                f"{dict(all_packs[3].env)['BENCH_NOOP_GC_THRESHOLD']}): {vs_tuned:.2f}x"
            )
            results["analyze_vs_tuned_floor"] = vs_tuned
        print("  pack process CPU per call (user+system, all threads, whole run):")
        for label, value in cpu.items():
            print(f"  {label:22} {value * 1000:8.3f} ms/call")
        # The kernel counts CPU in clock ticks (10 ms): a tiny run may show none at all.
        cpu_ratio = cpu[real] / cpu[floor] if cpu[floor] > 0 else None
        shown = f"{cpu_ratio:.2f}x" if cpu_ratio is not None else "n/a (run too short)"
        print(f"  CPU ratio {real} / {floor}: {shown}")
        print(f"  diagnostics from {real} on these passing inputs: {diagnostics}")
        results["analyze"] = {"vs_floor": vs_floor, "vs_one": vs_one, "cpu_vs_floor": cpu_ratio}

        stack_times, stack_diagnostics = bench_analyze_stack(
            clients, all_packs, args.stack_resources, args.stack_rounds
        )
        diagnostics += stack_diagnostics
        print(
            f"\nAnalyzeStack, {args.stack_resources} resources (task definitions and their "
            f"services, half with ECS Exec), {args.stack_rounds} rounds:"
        )
        for label, values in stack_times.items():
            print(f"  {label:22} {median(values) * 1000:8.1f} ms  (range {spread(values)} s)")
        stack_vs_floor = median(ratios(stack_times, real, floor))
        print(f"  ratio {real} / {floor}: {stack_vs_floor:.2f}x")
        print(f"  ratio {real} / {one}: {median(ratios(stack_times, real, one)):.2f}x")
        if tuned:
            print(f"  ratio {real} / {tuned}: {median(ratios(stack_times, real, tuned)):.2f}x")
        print(f"  diagnostics from {real} on these passing inputs: {stack_diagnostics}")
        results["analyze_stack"] = stack_vs_floor

    # Passing inputs must stay passing: a fast pack that answers wrongly proves nothing.
    if diagnostics:
        print(f"error: {real} reported {diagnostics} diagnostics on passing inputs")
        return 1
    print("\nRESULT " + json.dumps(results, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
