"""Paths and helpers shared by the dd-fargate CLI tests (importable as ``cli_helpers``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from dd_fargate.cli import cli

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROBE_PACK = FIXTURES / "probe_pack"
PROBE_PROGRAM = FIXTURES / "probe_program"
POLICY_PACK = REPO / "policies"
SEED_FIRST_ATTEMPT = REPO / "examples" / "seed-first-attempt"


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str


Invoke = Callable[..., Result]


def invoke_cli(*args: object) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def assert_one_line_error(result: Result, *fragments: str) -> None:
    """Exit 2, exactly one non-empty stderr line, no traceback, naming what is wrong."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
