"""Benchmark 3: `dd-fargate check` against Checkov's CKV_AWS_336 on the same task definitions.

    python benchmarks/checkov_compare.py --checkov /work/checkov-venv/bin/checkov
    CHECKOV=/path/to/checkov python benchmarks/checkov_compare.py
    python benchmarks/checkov_compare.py --quick     # 40 definitions, one repetition

Checkov is not a dependency of this project: install it in its own venv
(`python3 -m venv /work/checkov-venv && /work/checkov-venv/bin/pip install checkov`) and point
`--checkov` or `CHECKOV` at it; without it this benchmark prints why it is skipped and exits 0.

The same N task definitions (the component's own, then one deliberate change each, from a
fixed list of categories) are written as RegisterTaskDefinition JSON files for dd-fargate and as
one Terraform plan JSON (`aws_ecs_task_definition` resources, `container_definitions` as the
JSON string Terraform holds) for `checkov --framework terraform_plan --check CKV_AWS_336`.
Both commands run end to end, several times; the verdicts are compared definition by
definition: Checkov's against dd-fargate's `ecs-readonly-root-filesystem` (like for like) and
against dd-fargate's overall verdict (any mandatory finding). Every category states what each
tool is expected to say and why; the run checks those claims and prints any surprise.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import header, median, spread, task_definition_props

READONLY = "ecs-readonly-root-filesystem"
MANDATORY = ("mandatory", "remediate")
Containers = Any  # the containerDefinitions value: usually a list of dicts, sometimes not


@dataclass(frozen=True)
class Category:
    name: str
    mutate: Callable[[Containers, random.Random], Containers]
    checkov: str  # expected: PASSED, FAILED or UNKNOWN (not reported)
    dd_readonly: str  # expected from ecs-readonly-root-filesystem: PASSED or FAILED
    dd_overall: str  # expected overall: PASSED or FAILED
    why: str


def _apps(containers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in containers if c["name"] not in ("datadog-agent", "datadog-init")]


def _set_readonly(value: Any) -> Callable[[Containers, random.Random], Containers]:
    def mutate(containers: Containers, rng: random.Random) -> Containers:
        rng.choice(_apps(containers))["readonlyRootFilesystem"] = value
        return containers

    return mutate


def _drop_readonly(containers: Containers, rng: random.Random) -> Containers:
    rng.choice(_apps(containers)).pop("readonlyRootFilesystem")
    return containers


def _typo(containers: Containers, rng: random.Random) -> Containers:
    app = rng.choice(_apps(containers))
    app["readOnlyRootFilesystem"] = app.pop("readonlyRootFilesystem")
    return containers


def _writable_init(containers: Containers, rng: random.Random) -> Containers:
    containers[0]["readonlyRootFilesystem"] = False  # the seed's published definition
    return containers


def _agent_without_mounts(containers: Containers, rng: random.Random) -> Containers:
    containers[1]["mountPoints"] = []
    return containers


def _agent_unseeded(containers: Containers, rng: random.Random) -> Containers:
    containers[1].pop("dependsOn")
    return containers[1:]  # no init container either


def _wrong_type(containers: Containers, rng: random.Random) -> Containers:
    rng.choice(_apps(containers))["cpu"] = "256"
    return containers


def _dangling_depends_on(containers: Containers, rng: random.Random) -> Containers:
    app = rng.choice(_apps(containers))
    app["dependsOn"] = [{"containerName": "migrations", "condition": "SUCCESS"}]
    return containers


def _empty(containers: Containers, rng: random.Random) -> Containers:
    return []


def _string_first(containers: Containers, rng: random.Random) -> Containers:
    broken = [c for c in containers if c["name"] != "datadog-init"]
    broken[-1].pop("readonlyRootFilesystem")
    return ["nginx:1.27", *broken]


def _not_json(containers: Containers, rng: random.Random) -> Containers:
    return json.dumps(containers)[:-3]  # a truncated string: not JSON any more


def _no_agent(containers: Containers, rng: random.Random) -> Containers:
    return [
        {
            "name": "web",
            "image": f"nginx:1.27.{rng.randrange(9)}",
            "essential": True,
            "readonlyRootFilesystem": True,
        }
    ]


_TRUTHY = "Checkov tests truthiness (`not container.get('readonlyRootFilesystem')`), so any "
_NON_AGENT = "CKV_AWS_336 checks only readonlyRootFilesystem; "
CATEGORIES: tuple[Category, ...] = (
    Category(
        "compliant (component output)",
        lambda c, r: c,
        "PASSED",
        "PASSED",
        "PASSED",
        "both pass what DatadogFargateService builds",
    ),
    Category(
        "app readonlyRootFilesystem false",
        _set_readonly(False),
        "FAILED",
        "FAILED",
        "FAILED",
        "both fail a writable root filesystem",
    ),
    Category(
        "app readonlyRootFilesystem missing",
        _drop_readonly,
        "FAILED",
        "FAILED",
        "FAILED",
        "both fail the ECS default (false)",
    ),
    Category(
        "app readonlyRootFilesystem null",
        _set_readonly(None),
        "FAILED",
        "FAILED",
        "FAILED",
        "both fail null (not set)",
    ),
    Category(
        "app readonlyRootFilesystem 0",
        _set_readonly(0),
        "FAILED",
        "FAILED",
        "FAILED",
        "both fail a falsy number",
    ),
    Category(
        'app readonlyRootFilesystem "false"',
        _set_readonly("false"),
        "PASSED",
        "FAILED",
        "FAILED",
        _TRUTHY + 'non-empty string passes, "false" included (DESIGN.md section 5); ECS needs '
        "the boolean true: dd-fargate fails it (and ecs-container-definitions-valid reports a "
        "string where ECS expects a boolean)",
    ),
    Category(
        'app readonlyRootFilesystem "true"',
        _set_readonly("true"),
        "PASSED",
        "FAILED",
        "FAILED",
        _TRUTHY + 'non-empty string passes; dd-fargate requires the boolean true: "true" is '
        "a string, which the ECS API rejects (a boolean member)",
    ),
    Category(
        "app readonlyRootFilesystem 1",
        _set_readonly(1),
        "PASSED",
        "FAILED",
        "FAILED",
        _TRUTHY + "non-zero number passes (DESIGN.md section 5); dd-fargate requires the "
        "boolean true",
    ),
    Category(
        "misspelled key readOnlyRootFilesystem: true",
        _typo,
        "FAILED",
        "FAILED",
        "FAILED",
        "both fail (the real key is missing); dd-fargate also names the misspelled key, which "
        "the AWS provider drops silently",
    ),
    Category(
        "datadog-init writable (the seed's working definition)",
        _writable_init,
        "FAILED",
        "FAILED",
        "FAILED",
        "both fail the writable init container",
    ),
    Category(
        "agent read-only without writable mounts",
        _agent_without_mounts,
        "PASSED",
        "PASSED",
        "FAILED",
        _NON_AGENT + "dd-fargate's datadog-agent-writable-mounts fails an Agent that would die "
        "at start-up (50-ecs.sh exited 123)",
    ),
    Category(
        "agent without the config-seeding init container",
        _agent_unseeded,
        "PASSED",
        "PASSED",
        "FAILED",
        _NON_AGENT + "dd-fargate's datadog-agent-config-init fails an unseeded "
        "/etc/datadog-agent (default checks silently missing)",
    ),
    Category(
        'wrong type: app cpu "256"',
        _wrong_type,
        "PASSED",
        "PASSED",
        "FAILED",
        _NON_AGENT + "dd-fargate's ecs-container-definitions-valid checks the ECS model",
    ),
    Category(
        "dependsOn names a container that does not exist",
        _dangling_depends_on,
        "PASSED",
        "PASSED",
        "FAILED",
        _NON_AGENT + "dd-fargate's ecs-container-definitions-valid checks cross references",
    ),
    Category(
        "empty containerDefinitions []",
        _empty,
        "UNKNOWN",
        "PASSED",
        "FAILED",
        "Checkov reports nothing (UNKNOWN: no containers); dd-fargate's read-only rule has no "
        "container to fail, ecs-container-definitions-valid fails an empty task",
    ),
    Category(
        "first entry a string, a writable container after it",
        _string_first,
        "PASSED",
        "FAILED",
        "FAILED",
        "Checkov only looks past the first entry when it is a list or an object, so the "
        "writable container after a string passes; dd-fargate checks every entry",
    ),
    Category(
        "containerDefinitions not valid JSON",
        _not_json,
        "PASSED",
        "FAILED",
        "FAILED",
        "Checkov keeps an unparseable string as a plain value and passes it; dd-fargate says "
        "the JSON is invalid and that nothing could be checked",
    ),
    Category(
        "plain app, no agent, read-only",
        _no_agent,
        "PASSED",
        "PASSED",
        "PASSED",
        "both pass; dd-fargate's Datadog policies have no Agent to check",
    ),
)


def definitions(count: int, seed: int = 336) -> list[tuple[Category, dict[str, Any]]]:
    """`count` task definitions, categories in turn, each from a differently sized component
    task definition (1-3 apps)."""
    rng = random.Random(seed)
    out = []
    for index in range(count):
        category = CATEGORIES[index % len(CATEGORIES)]
        props = task_definition_props(f"td{index:04d}", rng.randint(1, 3), index)
        containers = category.mutate(json.loads(props["containerDefinitions"]), rng)
        out.append(
            (
                category,
                {
                    "family": props["family"],
                    "containerDefinitions": copy.deepcopy(containers),
                    "volumes": props["volumes"],
                    "cpu": props["cpu"],
                    "memory": props["memory"],
                    "networkMode": "awsvpc",
                    "requiresCompatibilities": ["FARGATE"],
                },
            )
        )
    return out


def write_inputs(defs: Sequence[tuple[Category, dict[str, Any]]], root: Path) -> Path:
    files = root / "task-definitions"
    files.mkdir()
    resources, changes = [], []
    for index, (_, td) in enumerate(defs):
        (files / f"td{index:04d}.json").write_text(json.dumps(td))
        cds = td["containerDefinitions"]
        values = {
            "family": td["family"],
            "container_definitions": cds if isinstance(cds, str) else json.dumps(cds),
            "volume": [{"name": v["name"]} for v in td["volumes"]],
            "cpu": td["cpu"],
            "memory": td["memory"],
            "network_mode": "awsvpc",
            "requires_compatibilities": ["FARGATE"],
        }
        address = f"aws_ecs_task_definition.td{index:04d}"
        common = {
            "address": address,
            "mode": "managed",
            "type": "aws_ecs_task_definition",
            "name": f"td{index:04d}",
            "provider_name": "registry.terraform.io/hashicorp/aws",
        }
        resources.append({**common, "schema_version": 1, "values": values, "sensitive_values": {}})
        changes.append(
            {
                **common,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values,
                    "after_unknown": {"arn": True, "revision": True},
                },
            }
        )
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {"resources": resources}},
        "resource_changes": changes,
        "configuration": {"root_module": {"resources": []}},
    }
    (root / "plan.json").write_text(json.dumps(plan))
    return files


def run_dd_fargate(files: Path) -> tuple[float, dict[int, tuple[str, str, list[str]]]]:
    """(seconds, index -> (read-only verdict, overall verdict, mandatory policies))."""
    command = [str(Path(sys.executable).parent / "dd-fargate"), "check", str(files)]
    start = time.perf_counter()
    done = subprocess.run([*command, "--format", "json"], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"error: dd-fargate check exited {done.returncode}: {done.stderr}")
    verdicts = {}
    for entry in json.loads(done.stdout)["taskDefinitions"]:
        index = int(Path(entry["file"]).stem[2:])
        mandatory = [f for f in entry["findings"] if f["enforcementLevel"] in MANDATORY]
        readonly = any(f["rule"] == READONLY for f in mandatory)
        verdicts[index] = (
            "FAILED" if readonly else "PASSED",
            "FAILED" if mandatory else "PASSED",
            sorted({f["rule"] for f in mandatory}),
        )
    return elapsed, verdicts


def run_checkov(checkov: str, plan: Path) -> tuple[float, dict[int, str]]:
    command = [checkov, "-f", str(plan), "--framework", "terraform_plan"]
    command += ["--check", "CKV_AWS_336", "-o", "json", "--skip-download"]
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE")  # offline: no platform look-ups
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"error: checkov exited {done.returncode}: {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    results = (report[0] if isinstance(report, list) else report)["results"]
    verdicts = {}
    for key, verdict in (("passed_checks", "PASSED"), ("failed_checks", "FAILED")):
        for check in results.get(key, []):
            verdicts[int(check["resource"].rsplit(".td", 1)[1])] = verdict
    return elapsed, verdicts


def find_checkov(given: str | None) -> str | None:
    candidate = given or os.environ.get("CHECKOV") or shutil.which("checkov")
    if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
        return candidate
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--checkov", help="the checkov executable (or env CHECKOV, or PATH)")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the inputs here instead of a temp dir")
    parser.add_argument("--quick", action="store_true", help="40 definitions, one repetition")
    args = parser.parse_args(argv)
    if args.quick:
        args.count, args.repeats = 40, 1

    header(f"dd-fargate check vs Checkov CKV_AWS_336 on {args.count} task definitions")
    checkov = find_checkov(args.checkov)
    if checkov is None:
        print(
            "SKIPPED: Checkov not found (give --checkov PATH or set CHECKOV; it is kept out of "
            "this project's dependencies: python3 -m venv /work/checkov-venv && "
            "/work/checkov-venv/bin/pip install checkov)"
        )
        return 0
    version = subprocess.run([checkov, "--version"], capture_output=True, text=True)
    print(f"checkov: {checkov} {version.stdout.strip()}")

    defs = definitions(args.count)
    root = args.keep or Path(tempfile.mkdtemp(prefix="checkov-compare-"))
    root.mkdir(parents=True, exist_ok=True)
    files = write_inputs(defs, root)
    print(f"inputs:  {files} ({args.count} files), {root / 'plan.json'}")

    dd_times, ck_times = [], []
    dd: dict[int, tuple[str, str, list[str]]] = {}
    ck: dict[int, str] = {}
    for _ in range(args.repeats):  # alternate, so load elsewhere hits both alike
        elapsed, dd = run_dd_fargate(files)
        dd_times.append(elapsed)
        elapsed, ck = run_checkov(checkov, root / "plan.json")
        ck_times.append(elapsed)
    ratio = median([d / c for d, c in zip(dd_times, ck_times, strict=True)])
    print(f"\nwall time of one command over all {args.count}, median of {args.repeats}:")
    print(f"  dd-fargate check   {median(dd_times):7.2f} s  (range {spread(dd_times)} s)")
    print(f"  checkov CKV_AWS_336 {median(ck_times):6.2f} s  (range {spread(ck_times)} s)")
    print(f"  ratio dd-fargate / checkov: {ratio:.2f}x (dd-fargate runs 6 policies, Checkov 1)")

    rows: dict[str, Counter[tuple[str, str, str]]] = {}
    surprises = []
    for index, (category, _) in enumerate(defs):
        got = (ck.get(index, "UNKNOWN"), dd[index][0], dd[index][1])
        rows.setdefault(category.name, Counter())[got] += 1
        if got != (category.checkov, category.dd_readonly, category.dd_overall):
            surprises.append((index, category.name, got, dd[index][2]))

    print("\nverdicts per category (Checkov | dd-fargate read-only rule | dd-fargate overall):")
    like, overall = Counter[str](), Counter[str]()
    for category in CATEGORIES:
        for (ckv, ro, allv), n in sorted(rows.get(category.name, Counter()).items()):
            agree_ro = "agree" if ckv == ro else "DISAGREE"
            agree_all = "agree" if ckv == allv else "DISAGREE"
            like[agree_ro] += n
            overall[agree_all] += n
            print(
                f"  {n:4}  {category.name:52} {ckv:8} | {ro:8} | {allv:8}  "
                f"read-only {agree_ro}, overall {agree_all}"
            )
            if ckv != ro or ckv != allv:
                print(f"        why: {category.why}")
    print(
        f"\nlike for like (CKV_AWS_336 vs ecs-readonly-root-filesystem): {like['agree']} agree, "
        f"{like['DISAGREE']} disagree; overall verdict: {overall['agree']} agree, "
        f"{overall['DISAGREE']} disagree"
    )
    if surprises:
        print(f"\nUNEXPECTED verdicts ({len(surprises)}), the explanations above don't cover:")
        for index, name, got, policies in surprises[:20]:
            print(f"  td{index:04d} {name}: {got} dd-fargate mandatory policies {policies}")
        return 1
    print("every verdict matches its category's stated expectation (checked, not assumed)")
    result = {
        "dd_s": median(dd_times),
        "checkov_s": median(ck_times),
        "ratio": ratio,
        "like_for_like_disagreements": like["DISAGREE"],
        "overall_disagreements": overall["DISAGREE"],
    }
    print("\nRESULT " + json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
