"""``dd-fargate check``: the pack's rules over task definition files, no Pulumi involved."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import rules
from .errors import UserError
from .inputs import InputFile, TaskDefinitionInput, discover, load
from .policy_config import load_policy_config, reconcile
from .redact import Redactor
from .wire import UNKNOWN, secret_strings

MANDATORY_LEVELS = ("mandatory", "remediate")


@dataclass(frozen=True)
class Checked:
    source: TaskDefinitionInput
    findings: list[rules.Finding]

    @property
    def mandatory(self) -> int:
        return sum(1 for f in self.findings if f.enforcement_level in MANDATORY_LEVELS)


@dataclass(frozen=True)
class CheckReport:
    files: list[InputFile]
    checked: list[Checked]
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def mandatory(self) -> int:
        return sum(c.mandatory for c in self.checked)

    @property
    def advisory(self) -> int:
        return sum(len(c.findings) for c in self.checked) - self.mandatory


Progress = Callable[[InputFile], None]


def _name(source: TaskDefinitionInput) -> str:
    # Used in messages when the definition has no family.
    return source.resource or source.path.stem


def prepare(
    paths: Sequence[str], policy_config: Path | None
) -> tuple[list[InputFile], dict[str, Any]]:
    """Validate everything cheap first: the config file and that every path resolves."""
    given = load_policy_config(policy_config)
    effective = reconcile(
        rules.policy_infos(),
        {},
        given,
        source=str(policy_config) if policy_config else "policy pack config",
    )
    files = discover(paths)
    if not files:
        raise UserError("no *.json, *.yaml or *.yml files found", ", ".join(paths))
    return files, rules.config_document(effective)


def run_check(
    files: list[InputFile],
    config: dict[str, Any],
    redactor: Redactor,
    progress: Progress | None = None,
) -> CheckReport:
    checked: list[Checked] = []
    skipped: list[tuple[Path, str]] = []
    for file in files:
        found = load(file)
        if not found:
            skipped.append((file.path, "no task definition found"))
        for source in found:
            definition = (
                source.definition
                if isinstance(source.definition, dict)
                else {
                    "containerDefinitions": UNKNOWN  # the whole definition is a CFN function
                }
            )
            redactor.add(secret_strings(definition))
            try:
                findings = rules.check(definition, config, _name(source))
            except Exception as exc:  # a rules bug must still name the input that hit it
                raise UserError(f"cannot check: {type(exc).__name__}: {exc}", source.label) from exc
            checked.append(Checked(source, findings))
        if progress is not None:
            progress(file)
    return CheckReport(files, checked, skipped)
