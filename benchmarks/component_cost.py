"""Benchmark 2: what DatadogFargateService costs in a preview, against the same resources
written by hand.

    python benchmarks/component_cost.py           # 1, 10 and 100 services (about 2 minutes)
    python benchmarks/component_cost.py --quick   # 1 and 2 services, one round (smoke test)

Both programs run under dd-fargate's recording mock engine exactly as `dd-fargate preview`
runs a program (`dd_fargate.program.run_program`: a first preview, invokes answered offline):

- `benchmarks/programs/services`: `count` DatadogFargateService instances;
- `benchmarks/programs/bare`: the same custom resources with the same inputs, hand-written with
  pulumi-aws, no component (checked here, resource by resource, before anything is timed).

The policy pack is not involved (benchmark 1 measures it). Figures are medians over rounds;
the ratio is the median of per-round ratios; per-service cost is time / count and the marginal
cost between sizes, which stays flat if growth is linear.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from benchlib import BENCH_DIR, header, median, spread, timed, verdict
from dd_fargate.program import run_program
from dd_fargate.project import Project, load_project, load_stack_config
from dd_fargate.redact import Redactor

GOAL = 1.5
LINEAR_TOLERANCE = 1.25  # marginal per-service cost may drift this much between size ranges
PROGRAMS = BENCH_DIR / "programs"


def run(project: Project, count: int) -> list[Any]:
    config = load_stack_config(project, "dev", [f"count={count}"])
    registrations: list[Any] = run_program(project, "dev", config, Redactor()).registrations
    return registrations


def _custom(registrations: list[Any]) -> dict[tuple[str, str], Any]:
    return {
        (r.type, r.name): json.loads(json.dumps(r.properties, sort_keys=True))
        for r in registrations
        if r.custom
    }


def check_equivalent(component: Project, bare: Project, count: int) -> None:
    """The baseline must register what the component registers, or the ratio means nothing."""
    got, want = _custom(run(component, count)), _custom(run(bare, count))
    if got != want:
        missing = sorted(set(got) ^ set(want))
        differing = sorted(k for k in set(got) & set(want) if got[k] != want[k])
        raise SystemExit(
            f"error: the bare program is not equivalent: only in one: {missing}; "
            f"different inputs: {differing}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="minimal sizes (smoke test)")
    parser.add_argument(
        "--no-gc",
        action="store_true",
        help="disable the cyclic garbage collector while a program runs: shows how much of the "
        "growth per service is the collector walking a larger heap, not the programs",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.rounds = [1, 2], 1

    header("component cost: offline preview (mock engine) of N services vs hand-written")
    import datadog_fargate

    print(f"component: {Path(datadog_fargate.__file__).parent}")
    if args.no_gc:
        print("gc:      disabled while each program runs (--no-gc)")
    component = load_project(PROGRAMS / "services")
    bare = load_project(PROGRAMS / "bare")
    check_equivalent(component, bare, 2)
    print(
        f"baseline: {bare.root.relative_to(Path.cwd()) if bare.root.is_relative_to(Path.cwd()) else bare.root}"
        " registers the same custom resources with identical inputs (checked)"
    )
    registered = {label: len(run(p, 1)) for label, p in (("component", component), ("bare", bare))}
    print(f"registrations for 1 service incl. the stack: {registered}")

    times: dict[tuple[str, int], list[float]] = {}
    for _ in range(args.rounds):
        for size in args.sizes:
            for label, project in (("component", component), ("bare", bare)):
                gc.collect()  # the previous run's garbage is not this run's cost
                if args.no_gc:
                    gc.disable()
                try:
                    elapsed = timed(partial(run, project, size))
                finally:
                    gc.enable()
                times.setdefault((label, size), []).append(elapsed)

    print(f"\npreview time, median of {args.rounds} rounds:")
    print(f"  {'services':>8} {'component':>12} {'bare':>12} {'ratio':>24} {'per service':>22}")
    results: dict[str, Any] = {}
    for size in args.sizes:
        comp, base = times[("component", size)], times[("bare", size)]
        ratio = median([c / b for c, b in zip(comp, base, strict=True)])
        per = median(comp) / size
        print(
            f"  {size:>8} {median(comp) * 1000:>10.0f}ms {median(base) * 1000:>10.0f}ms "
            f"{verdict(ratio, GOAL):>24} {per * 1000:>9.2f} ms (bare {median(base) / size * 1000:.2f})"
        )
        results[str(size)] = {
            "component_s": median(comp),
            "bare_s": median(base),
            "ratio": ratio,
            "range_component_s": spread(comp),
        }

    sizes = sorted(args.sizes)
    if len(sizes) >= 3:
        print("\nmarginal cost per added service (linear growth keeps it flat):")
        marginals: dict[str, list[float]] = {"component": [], "bare": []}
        for lo, hi in itertools.pairwise(sizes):
            for label in ("component", "bare"):
                slope = (median(times[(label, hi)]) - median(times[(label, lo)])) / (hi - lo)
                print(f"  {label:9} {lo:>3} -> {hi:<3} {slope * 1000:8.2f} ms/service")
                marginals[label].append(slope)
        drift = {label: max(m) / min(m) for label, m in marginals.items()}
        relative = drift["component"] / drift["bare"]
        linear = "linear" if relative <= LINEAR_TOLERANCE else "NOT linear"
        print(
            f"  marginal drift: component {drift['component']:.2f}x, bare {drift['bare']:.2f}x "
            "(the SDK's own growth, shared by both)"
        )
        print(
            f"  component drift relative to bare: {relative:.2f}x "
            f"(<= {LINEAR_TOLERANCE}x: {linear} beyond what the SDK does anyway)"
        )
        results["marginal_drift"] = drift
        results["relative_drift"] = relative
    print("\nRESULT " + json.dumps(results, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
