"""What the benchmark scripts share: machine facts, robust statistics, realistic inputs.

Inputs are built with the component's own pure functions (validation + container builders), so
the task definitions the benchmarks send are exactly what `DatadogFargateService` registers.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(__file__).resolve().parent
PACK_DIR = REPO / "policies"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
CLASSIC_TYPE = "aws:ecs/taskDefinition:TaskDefinition"
ACCOUNT = "123456789012"
REGION = "us-east-1"


def machine() -> str:
    """One line naming what the figures were measured on (they mean nothing without it)."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"nproc={os.cpu_count()} python={platform.python_version()} "
        f"{platform.system()} {platform.machine()} {cpu}".strip()
    )


def git_state() -> str:
    """Commit, and whether the code under test had uncommitted changes."""

    def git(*args: str) -> str:
        try:
            out = subprocess.run(
                ["git", *args], cwd=REPO, capture_output=True, text=True, check=False, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return out.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "policies", "components", "cli")
    return commit + (" (uncommitted changes in policies/components/cli)" if dirty else "")


def header(title: str) -> None:
    print(f"== {title}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"machine: {machine()}")
    print(f"code:    {git_state()}")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float]) -> str:
    """min..max, so a reader sees how noisy the repetitions were."""
    return f"{min(values):.3g}..{max(values):.3g}"


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def verdict(ratio: float, goal: float) -> str:
    return f"{ratio:.2f}x (goal <= {goal:.2f}x: {'met' if ratio <= goal else 'MISSED'})"


# --- realistic inputs ---------------------------------------------------------------------------


def service_args(
    name: str, apps: int, variant: int, execute_command: bool = False
) -> dict[str, Any]:
    """DatadogFargateService args with `apps` app containers; `variant` changes image tags and
    environment values, so every variant serializes to different text."""
    containers = []
    for a in range(apps):
        containers.append(
            {
                "name": f"app{a}",
                "image": f"ghcr.io/acme/{name}-app{a}:1.{variant}.{a}",
                "port_mappings": [{"container_port": 8080 + a, "name": f"http{a}"}],
                "writable_paths": ["/tmp", f"/var/cache/app{a}"],
                "environment": {"LOG_LEVEL": "info", "BUILD": f"{variant}-{a}"},
                "secrets": {
                    "DB_PASSWORD": (
                        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}/db-{a}-AbCdEf"
                    )
                },
                "health_check": {"command": ["CMD-SHELL", f"curl -f localhost:{8080 + a}/health"]},
                "user": "1000:1000",
                "memory": 256,
            }
        )
    return {
        "cluster_arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod",
        "subnet_ids": ["subnet-0a1", "subnet-0b2"],
        "security_group_ids": ["sg-0123"],
        "cpu": 4096,
        "memory": 8192,
        "containers": containers,
        "datadog": {
            "api_key_secret_arn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:dd-AbCdEf",
            "env": "prod",
            "service": name,
            "version": f"1.{variant}",
        },
        "tags": {"service": name, "build": str(variant)},
        "enable_execute_command": execute_command,
    }


def task_definition_props(
    name: str, apps: int, variant: int, execute_command: bool = False
) -> dict[str, Any]:
    """The wire inputs of the component's TaskDefinition in a first preview (role ARNs unknown),
    built by the component's own validation and container builders."""
    from datadog_fargate import containers
    from datadog_fargate.validation import validate

    spec = validate(name, service_args(name, apps, variant, execute_command))  # type: ignore[arg-type]
    definitions = containers.container_definitions(spec, REGION)
    return {
        "cpu": str(spec.cpu),
        "memory": str(spec.memory),
        "family": spec.family,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
        "executionRoleArn": UNKNOWN,
        "taskRoleArn": UNKNOWN,
        "tags": dict(spec.tags),
        "containerDefinitions": json.dumps(definitions),
        "volumes": [{"name": v} for v in containers.volume_names(spec)],
    }
