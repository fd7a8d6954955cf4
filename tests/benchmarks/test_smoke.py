"""Each benchmark script runs end to end at its smallest size and prints its figures.

Structure only: timings are never asserted (the suite must not depend on machine speed).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def result(stdout: str) -> dict[str, object]:
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 1, stdout
    parsed: dict[str, object] = json.loads(lines[0][len("RESULT ") :])
    return parsed


def test_pack_cost_quick() -> None:
    out = run("pack_cost.py", "--quick")
    assert "command: " in out and "machine: nproc=" in out
    assert "diagnostics from ecs-readonly-datadog on these passing inputs: 0" in out
    figures = result(out)
    assert set(figures) >= {"analyze", "analyze_stack"}


def test_component_cost_quick() -> None:
    out = run("component_cost.py", "--quick")
    assert "registers the same custom resources with identical inputs (checked)" in out
    assert set(result(out)) == {"1", "2"}


def test_checkov_compare_skips_cleanly_without_checkov() -> None:
    out = run("checkov_compare.py", "--quick", "--checkov", "/nonexistent/checkov")
    assert "SKIPPED: Checkov not found" in out


def test_checkov_compare_dd_fargate_side_matches_every_category(tmp_path: Path) -> None:
    import checkov_compare as cc

    defs = cc.definitions(len(cc.CATEGORIES))
    files = cc.write_inputs(defs, tmp_path)
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert len(plan["planned_values"]["root_module"]["resources"]) == len(defs)
    _elapsed, verdicts = cc.run_dd_fargate(files)
    for index, (category, _) in enumerate(defs):
        readonly, overall, _policies = verdicts[index]
        assert (readonly, overall) == (category.dd_readonly, category.dd_overall), category.name


def test_noop_floor_has_the_packs_policies_by_kind() -> None:
    import pack_cost

    resource, stack = pack_cost.policy_kinds()
    text = (BENCH / "packs" / f"noop-{resource + stack}" / "__main__.py").read_text()
    assert f"RESOURCE_POLICIES = {resource}\n" in text
    assert f"STACK_POLICIES = {stack}\n" in text


@pytest.mark.parametrize("program", ["services", "bare"])
def test_benchmark_programs_are_pulumi_projects(program: str) -> None:
    assert (BENCH / "programs" / program / "Pulumi.yaml").is_file()
