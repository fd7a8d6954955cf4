"""Run a Python Pulumi program in-process under the recording mock engine.

Mirrors what the Python language host does for ``pulumi preview`` on a new stack: cwd and
``sys.path[0]`` are the program directory, config comes in as ``namespace:key`` strings with
secret keys marked, and the program runs as ``__main__``. Process-wide state we touch (cwd,
sys.path, the program's own modules, PULUMI_CONFIG* env vars, the event loop, Pulumi settings)
is restored afterwards so a second run in the same process starts clean.
"""

from __future__ import annotations

import asyncio
import logging
import os
import runpy
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi.runtime
from pulumi.runtime import config as pulumi_config
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func

from .errors import UserError
from .mock_engine import PreviewMocks, RecordingMonitor, Registration
from .project import Project, StackConfig
from .redact import Redactor
from .wire import secret_strings


class ProgramError(UserError):
    """The program raised; ``details`` holds the traceback for ``--verbose``."""

    def __init__(self, message: str, source: str, details: str) -> None:
        super().__init__(message, source)
        self.details = details


@dataclass(frozen=True)
class LogLine:
    severity: str
    message: str


@dataclass(frozen=True)
class ProgramRun:
    registrations: list[Registration]
    logs: list[LogLine]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[LogLine] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(LogLine(record.levelname.lower(), record.getMessage()))


def _local_names(program_dir: Path) -> set[str]:
    """Top-level modules and packages the program can import from its own directory."""
    names = set()
    for child in program_dir.iterdir():
        if child.suffix == ".py":
            names.add(child.stem)
        elif child.is_dir() and child.name.isidentifier():
            names.add(child.name)
    return names


def _under(module: object, directory: Path) -> bool:
    file = getattr(module, "__file__", None) or ""
    return bool(file) and Path(file).resolve().is_relative_to(directory)


@contextmanager
def _isolated(program_dir: Path) -> Iterator[None]:
    saved_path, saved_cwd = list(sys.path), os.getcwd()
    saved_modules = set(sys.modules)
    saved_env = {k: v for k, v in os.environ.items() if k.startswith("PULUMI_CONFIG")}
    for key in saved_env:  # config must come from the stack, not the caller's shell
        del os.environ[key]
    # A same-named module already imported from elsewhere would shadow the program's own one
    # (the language host starts a fresh interpreter, so it never sees such a clash).
    shadowing = {
        name: sys.modules.pop(name)
        for name in _local_names(program_dir)
        if name in sys.modules and not _under(sys.modules[name], program_dir)
    }
    sys.path.insert(0, str(program_dir))
    os.chdir(program_dir)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        os.environ.update(saved_env)
        for name in set(sys.modules) - saved_modules:
            if _under(sys.modules[name], program_dir):
                del sys.modules[name]  # the program's own modules re-import fresh next run
        sys.modules.update(shadowing)


def _where(exc: BaseException, project: Project) -> str:
    """The innermost traceback frame inside the project, as ``path:line`` (relative to cwd)."""
    path, line = project.entry, 0
    for frame in traceback.extract_tb(exc.__traceback__):
        candidate = Path(frame.filename).resolve()
        if candidate.is_relative_to(project.root):
            path, line = candidate, frame.lineno or 0
    try:
        shown = path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        shown = str(path)
    return f"{shown}:{line}" if line else shown


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _drain(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel whatever the program left running so closing the loop is silent."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def run_program(
    project: Project, stack: str, config: StackConfig, redactor: Redactor
) -> ProgramRun:
    monitor = RecordingMonitor(PreviewMocks(config.values))
    collector = _Collect()
    logger = logging.getLogger("dd_fargate.program")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(collector)
    redactor.add(config.values[k] for k in config.secret_keys)

    loop = asyncio.new_event_loop()
    # A failed program leaves futures whose exceptions nobody retrieves; asyncio would log each
    # one (with a traceback, possibly holding secrets) when it is collected, long after our one
    # error line. The first exception is what we report; the echoes are dropped.
    loop.set_exception_handler(lambda _loop, _context: None)
    asyncio.set_event_loop(loop)
    error: BaseException | None = None
    with _isolated(project.program_dir):
        try:
            pulumi.runtime.reset_options(project=project.name, stack=stack, preview=True)
            pulumi_config.set_all_config(dict(config.values), sorted(config.secret_keys))
            pulumi_settings.SETTINGS.rpc_manager.clear()
            pulumi_settings.SETTINGS.outputs.clear()
            pulumi.runtime.set_mocks(
                monitor.mocks,
                project=project.name,
                stack=stack,
                preview=True,
                logger=logger,
                monitor=monitor,
            )
            entry = str(project.entry)

            def program() -> None:
                runpy.run_path(entry, run_name="__main__")

            loop.run_until_complete(run_pulumi_func(program))
        except SystemExit as exc:
            if exc.code not in (None, 0):
                error = exc
        except Exception as exc:  # the program's own failure, reported as one line
            error = exc
        finally:
            _drain(loop)
            loop.close()
            asyncio.set_event_loop(None)
            pulumi_config.set_all_config({}, [])
            pulumi.runtime.reset_options()
            logger.removeHandler(collector)

    registrations = list(monitor.registrations)
    for reg in registrations:
        redactor.add(secret_strings(reg.properties))
    if error is not None:
        details = "".join(traceback.format_exception(error))
        raise ProgramError(
            redactor.scrub(f"program failed: {_describe(error)}"),
            _where(error, project),
            redactor.scrub(details),
        )
    return ProgramRun(registrations, collector.lines)
