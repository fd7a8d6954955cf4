"""Drive the pack's Analyze in-process, for a profiler (the gRPC layer adds nothing to profile).

    /work/prof-venv/bin/py-spy record --format raw -o /tmp/analyze.txt -- \
        python benchmarks/profile_analyze.py --pack policies --calls 2000
    python benchmarks/profile_analyze.py --summarize /tmp/analyze.txt

Uses the SDK's own servicer (`pulumi_policy.policy._PolicyAnalyzerServicer`) over the pack's
policies, with the same distinct 10-container inputs as pack_cost.py.
"""

from __future__ import annotations

import argparse
import collections
import runpy
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchlib import PACK_DIR


def _servicer(pack_dir: Path) -> Any:
    """Run the pack's __main__ with PolicyPack patched to capture its servicer, not serve."""
    import pulumi_policy
    import pulumi_policy.policy as sdk

    captured: list[Any] = []

    class Capture(sdk.PolicyPack):  # type: ignore[misc]
        def __init__(self, name: str, policies: Any, enforcement_level: Any = None, **_: Any):
            captured.append(
                sdk._PolicyAnalyzerServicer(
                    name, "0.0.0", policies, enforcement_level or sdk.EnforcementLevel.ADVISORY
                )
            )

    real = pulumi_policy.PolicyPack
    setattr(pulumi_policy, "PolicyPack", Capture)  # noqa: B010 (a type can't be assigned)
    sys.path.insert(0, str(pack_dir))
    try:
        runpy.run_path(str(pack_dir), run_name="__main__")
    finally:
        setattr(pulumi_policy, "PolicyPack", real)  # noqa: B010
    return captured[0]


def summarize(path: Path, top: int) -> None:
    """Inclusive share of samples per function, from py-spy's raw (collapsed) output."""
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        total += count
        frames = {
            f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0] + ")"
            for f in stack.split(";")
        }
        for frame in frames:
            inclusive[frame] += count
    for frame, count in inclusive.most_common(top):
        print(f"{100 * count / total:5.1f}%  {frame}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pack", type=Path, default=PACK_DIR)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--summarize", type=Path)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    if args.summarize:
        summarize(args.summarize, args.top)
        return 0
    from pack_cost import analyze_requests

    servicer = _servicer(args.pack.resolve())
    requests = analyze_requests(3_000_000, args.calls)
    start = time.perf_counter()
    for request in requests:
        servicer.Analyze(request, None)
    elapsed = time.perf_counter() - start
    print(f"{args.calls} calls, {elapsed / args.calls * 1000:.3f} ms/call", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
