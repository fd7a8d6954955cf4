"""The ``dd-fargate`` console command.

Exit codes: 0 = no mandatory violations, 1 = mandatory violations, 2 = bad input or a failure
to run (one line on stderr; the traceback only with ``--verbose``).
"""

from __future__ import annotations

import json
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from .errors import UserError
from .redact import Redactor

if TYPE_CHECKING:
    from .check import CheckReport

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2
PROGRESS_MIN_FILES = 20  # below this a bar only flickers

T = TypeVar("T")


def _interactive() -> bool:
    return sys.stdout.isatty()


def _stdout() -> Console:
    # Off a terminal rich would wrap at 80 columns; messages must stay one line each.
    return Console(soft_wrap=True, highlight=False, width=None if _interactive() else 10_000)


def _fail(exc: BaseException, redactor: Redactor, verbose: bool) -> None:
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    if isinstance(exc, UserError):
        line = f"error: {exc}"
        # A failing program carries its own traceback (already redacted); ours would be noise.
        details = getattr(exc, "details", None) or "".join(traceback.format_exception(exc))
    else:
        line = f"error: unexpected failure: {type(exc).__name__}: {exc}"
        details = "".join(traceback.format_exception(exc))
    if verbose:
        err.print(Text(redactor.scrub(details.rstrip())), style="dim")
    err.print(Text(redactor.scrub(line.splitlines()[0] if line else line), style="bold red"))
    raise SystemExit(EXIT_ERROR)


def _guard(redactor: Redactor, verbose: bool, action: Callable[[], T]) -> T:
    try:
        return action()
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception as exc:  # every failure becomes one clear line and exit 2
        _fail(exc, redactor, verbose)
        raise  # unreachable: _fail exits


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Preview Pulumi programs and check ECS task definitions against the
    read-only Datadog policy pack, offline."""


@cli.command()
@click.argument("program_dir", type=click.Path(path_type=Path))
@click.option(
    "--policy-pack",
    "pack_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Policy pack directory (with PulumiPolicy.yaml).",
)
@click.option(
    "--policy-pack-config",
    "policy_config",
    type=click.Path(path_type=Path),
    help='JSON: {"<policy>": "mandatory"} or {"<policy>": {"enforcementLevel": ...}}.',
)
@click.option(
    "--stack", default="dev", show_default=True, help="Stack name (reads Pulumi.<stack>.yaml)."
)
@click.option(
    "--config",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Config override; repeatable. KEY without a namespace gets the project's.",
)
@click.option("--verbose", "-v", is_flag=True, help="Tracebacks, program logs and pack output.")
def preview(
    program_dir: Path,
    pack_dir: Path,
    policy_config: Path | None,
    stack: str,
    overrides: Sequence[str],
    verbose: bool,
) -> None:
    """Run PROGRAM_DIR under Pulumi's mock engine as a first `pulumi preview`
    would, and send every resource through the policy pack's analyzer protocol."""
    from .preview import run_preview
    from .render import (
        print_policies,
        print_resource_summary,
        print_tree,
        shown_path,
        summary_line,
    )

    redactor = Redactor()
    result = _guard(
        redactor,
        verbose,
        lambda: run_preview(
            program_dir,
            pack_dir,
            stack=stack,
            policy_config=policy_config,
            overrides=overrides,
            redactor=redactor,
        ),
    )
    out = _stdout()
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    for log in result.program_logs:
        if log.severity in ("warning", "error", "critical") or (verbose and log.severity == "info"):
            err.print(Text(f"{log.severity}: {redactor.scrub(log.message)}"))
    if verbose:
        for line in result.pack_output:
            err.print(Text(f"policy pack: {redactor.scrub(line)}", style="dim"))

    out.print(
        Text(
            f"Previewing update ({result.stack}) of {result.project.name} with mocks", style="bold"
        )
    )
    out.print()
    print_tree(out, result.registrations, result.hidden, redactor)
    info = result.analyzer
    print_policies(
        out,
        [(f"{info.name}@v{info.version}", f"local: {shown_path(result.pack_dir)}")],
        result.diagnostics,
        redactor,
    )
    print_resource_summary(out, result.registrations, result.hidden)
    out.print()
    out.print(summary_line(result.diagnostics))
    raise SystemExit(EXIT_VIOLATIONS if result.has_mandatory else EXIT_OK)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--policy-pack-config",
    "policy_config",
    type=click.Path(path_type=Path),
    help="Same file and validation as for preview.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--verbose", "-v", is_flag=True, help="Tracebacks and skipped files.")
def check(paths: Sequence[str], policy_config: Path | None, fmt: str, verbose: bool) -> None:
    """Check task definitions in PATHS (files, directories, globs): RegisterTaskDefinition
    requests, describe-task-definition output, containerDefinitions lists or CloudFormation
    templates (JSON/YAML)."""
    from .check import prepare, run_check
    from .check_output import print_text, to_json

    redactor = Redactor()
    files, config = _guard(redactor, verbose, lambda: prepare(paths, policy_config))
    out = _stdout()
    show_progress = fmt == "text" and _interactive() and len(files) >= PROGRESS_MIN_FILES

    def run() -> CheckReport:
        if not show_progress:
            return run_check(files, config, redactor)
        with Progress(
            TextColumn("checking"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=out,
            transient=True,
        ) as bar:
            task = bar.add_task("check", total=len(files))
            return run_check(files, config, redactor, progress=lambda _f: bar.advance(task))

    report = _guard(redactor, verbose, run)
    if fmt == "json":
        click.echo(json.dumps(to_json(report, redactor), indent=2))
    else:
        print_text(out, report, redactor, verbose)
    raise SystemExit(EXIT_VIOLATIONS if report.mandatory else EXIT_OK)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    # Unwind normally so context managers stop the policy pack process we started.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    cli.main(args=list(argv) if argv is not None else None, prog_name="dd-fargate")
