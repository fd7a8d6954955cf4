"""The installed ``dd-fargate`` console script, run as a real process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import FIXTURES, POLICY_PACK, REPO, SEED_FIRST_ATTEMPT


def _script() -> str:
    beside = Path(sys.executable).with_name("dd-fargate")
    found = str(beside) if beside.exists() else shutil.which("dd-fargate")
    if found is None:
        pytest.fail("the dd-fargate console script is not installed (pip install -e .)")
    return found


def test_installed_script_previews_the_seed_first_attempt() -> None:
    proc = subprocess.run(
        [_script(), "preview", str(SEED_FIRST_ATTEMPT), "--policy-pack", str(POLICY_PACK)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert proc.returncode == 1, proc.stderr
    assert "[mandatory]  datadog-agent-writable-mounts" in proc.stdout
    assert "[mandatory]  datadog-agent-config-init" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_installed_script_check_json_and_bad_input() -> None:
    ok = subprocess.run(
        [
            _script(),
            "check",
            str(FIXTURES / "check" / "describe-seed-fixed.json"),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)["summary"]["passed"] is True
    bad = subprocess.run(
        [_script(), "check", str(FIXTURES / "check" / "missing.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().count("\n") == 0 and "no such file or directory" in bad.stderr


def test_installed_script_program_failure_is_one_line_even_at_interpreter_exit() -> None:
    # Unretrieved future exceptions are logged by asyncio at garbage collection, which only a
    # real process exit shows; they must not follow the error line.
    proc = subprocess.run(
        [
            _script(),
            "preview",
            str(FIXTURES / "apply_raising_program"),
            "--policy-pack",
            str(FIXTURES / "probe_pack"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.splitlines() == [proc.stderr.strip()]
        and "RuntimeError: exploded in apply" in proc.stderr
    )
