"""``check`` results as text (same look as preview's Policies section) or as JSON.

JSON schema (``schemaVersion`` 1)::

    {"schemaVersion": 1,
     "pack": {"name": str, "version": str},
     "summary": {"files": int, "taskDefinitions": int, "mandatory": int, "advisory": int,
                 "passed": bool},
     "taskDefinitions": [{"source": str, "file": str, "resource": str|null, "format": str,
                          "findings": [{"policy": str, "rule": str, "enforcementLevel": str,
                                        "container": str|null, "message": str,
                                        "unknown": bool, "exempt": bool,
                                        "exemptionReason": str|null}]}],
     "skipped": [{"file": str, "reason": str}]}

``policy`` is the pack policy that reports the finding (exempted findings are reported by the
exemptions policy); ``rule`` is the policy whose rule produced it.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from . import rules
from .check import MANDATORY_LEVELS, CheckReport
from .redact import Redactor

SCHEMA_VERSION = 1
_STYLE = {"mandatory": "bold red", "remediate": "bold red", "advisory": "yellow"}


def to_json(report: CheckReport, redactor: Redactor) -> dict[str, Any]:
    return {
        "schemaVersion": SCHEMA_VERSION,
        "pack": {"name": rules.PACK_NAME, "version": rules.pack_version()},
        "summary": {
            "files": len(report.files),
            "taskDefinitions": len(report.checked),
            "mandatory": report.mandatory,
            "advisory": report.advisory,
            "passed": report.mandatory == 0,
        },
        "taskDefinitions": [
            {
                "source": c.source.label,
                "file": str(c.source.path),
                "resource": c.source.resource,
                "format": c.source.fmt,
                "findings": [
                    {
                        "policy": f.reported_by,
                        "rule": f.policy,
                        "enforcementLevel": f.enforcement_level,
                        "container": f.container,
                        "message": redactor.scrub(f.message),
                        "unknown": f.unknown,
                        "exempt": f.exempt,
                        "exemptionReason": f.exemption_reason,
                    }
                    for f in c.findings
                ],
            }
            for c in report.checked
        ],
        "skipped": [{"file": str(path), "reason": reason} for path, reason in report.skipped],
    }


def print_text(console: Console, report: CheckReport, redactor: Redactor, verbose: bool) -> None:
    label = f"{rules.PACK_NAME}@v{rules.pack_version()}"
    console.print(
        Text(
            f"Checking {len(report.checked)} task definition(s) from {len(report.files)} "
            f"file(s) against {label}",
            style="bold",
        )
    )
    console.print()
    for checked in report.checked:
        findings = sorted(
            checked.findings, key=lambda f: f.enforcement_level not in MANDATORY_LEVELS
        )
        if checked.mandatory:
            head = Text("❌ ", style="red")
        elif findings:
            head = Text("⚠️  ", style="yellow")
        else:
            head = Text("✅ ", style="green")
        head.append(checked.source.label, style="bold")
        head.append(f" ({checked.source.fmt})", style="dim")
        console.print(head)
        for f in findings:
            line = Text("    - ")
            line.append(f"[{f.enforcement_level}]", style=_STYLE.get(f.enforcement_level, ""))
            line.append(f"  {f.reported_by}")
            if f.container:
                line.append(f"  (container {redactor.scrub(f.container)})", style="dim")
            console.print(line)
            for text_line in redactor.scrub(f.message).splitlines():
                console.print(Text("      " + text_line))
    if verbose:
        for path, reason in report.skipped:
            console.print(Text(f"skipped {path}: {reason}", style="dim"))
    console.print()
    if report.mandatory:
        console.print(
            Text(
                f"{report.mandatory} mandatory and {report.advisory} advisory finding(s)",
                style="bold red",
            )
        )
    elif report.advisory:
        console.print(Text(f"no mandatory findings ({report.advisory} advisory)", style="yellow"))
    else:
        console.print(Text("no findings", style="green"))
