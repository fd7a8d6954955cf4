"""Text output in the shape of ``pulumi preview --policy-pack``: resource tree, then policies.

All user-derived text goes through ``rich.text.Text`` (never markup) so brackets in names or
messages print literally, and through the redactor so secrets never print.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from rich.console import Console
from rich.text import Text

from .engine_view import urn_name, urn_type
from .mock_engine import Registration
from .policy_model import Diagnostic
from .redact import Redactor

_LEVEL_STYLE = {
    "mandatory": "bold red",
    "remediate": "bold red",
    "advisory": "yellow",
    "disabled": "dim",
}


def display_type(type_: str) -> str:
    """``aws:ecs/taskDefinition:TaskDefinition`` -> ``aws:ecs:TaskDefinition``, as pulumi shows it."""
    parts = type_.split(":")
    if len(parts) == 3 and "/" in parts[1]:
        module, _, tail = parts[1].partition("/")
        if tail and tail.lower() == parts[2].lower():
            return f"{parts[0]}:{module}:{parts[2]}"
    return type_


def shown_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _tree_rows(
    registrations: Sequence[Registration], hidden: set[str]
) -> list[tuple[str, Registration]]:
    visible = [r for r in registrations if r.urn not in hidden]
    urns = {r.urn for r in visible}
    children: dict[str, list[Registration]] = {}
    roots: list[Registration] = []
    for reg in visible:
        if reg.parent and reg.parent in urns:
            children.setdefault(reg.parent, []).append(reg)
        else:
            roots.append(reg)

    rows: list[tuple[str, Registration]] = []

    def walk(reg: Registration, prefix: str, connector: str) -> None:
        rows.append((prefix + connector, reg))
        kids = children.get(reg.urn, [])
        extension = prefix + ("" if not connector else ("   " if connector == "└─ " else "│  "))
        for i, kid in enumerate(kids):
            walk(kid, extension, "└─ " if i == len(kids) - 1 else "├─ ")

    for root in roots:
        walk(root, "", "")
    return rows


def print_tree(
    console: Console, registrations: Sequence[Registration], hidden: set[str], redactor: Redactor
) -> None:
    rows = _tree_rows(registrations, hidden)
    if not rows:
        console.print("No resources were registered.")
        return
    type_width = max(len(p + display_type(r.type)) for p, r in rows)
    name_width = max(len(r.name) for _, r in rows)
    console.print(Text(f"     {'Type':<{type_width}}  {'Name':<{name_width}}  Plan", style="bold"))
    for prefix, reg in rows:
        plan, mark, style = ("read", ">", "cyan") if reg.read else ("create", "+", "green")
        line = Text(f" {mark}   ", style=style)
        line.append(f"{prefix}{display_type(reg.type)}".ljust(type_width))
        line.append("  " + redactor.scrub(reg.name).ljust(name_width) + "  ")
        line.append(plan, style=style)
        console.print(line, soft_wrap=True)


def print_resource_summary(
    console: Console, registrations: Sequence[Registration], hidden: set[str]
) -> None:
    visible = [r for r in registrations if r.urn not in hidden]
    reads = sum(1 for r in visible if r.read)
    console.print()
    console.print(Text("Resources:", style="bold"))
    console.print(Text(f"    + {len(visible) - reads} to create", style="green"))
    if reads:
        console.print(Text(f"    > {reads} to read", style="cyan"))


def resource_label(urn: str) -> str:
    return f"{display_type(urn_type(urn))}: {urn_name(urn)}" if urn else ""


def _ordered(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: 0 if d.is_mandatory else 1)


def print_policies(
    console: Console,
    packs: Sequence[tuple[str, str]],  # (name@version, origin) for every pack that ran
    diagnostics: Sequence[Diagnostic],
    redactor: Redactor,
) -> None:
    console.print()
    console.print(Text("Policies:", style="bold"))
    for label, origin in packs:
        mine = [d for d in diagnostics if f"{d.policy_pack_name}@v{d.policy_pack_version}" == label]
        if any(d.is_mandatory for d in mine):
            head = Text("    ❌ ", style="red")
        elif mine:
            head = Text("    ⚠️  ", style="yellow")
        else:
            head = Text("    ✅ ", style="green")
        head.append(label, style="bold")
        head.append(f" ({origin})")
        console.print(head, soft_wrap=True)
        for d in _ordered(mine):
            line = Text("        - ")
            line.append(f"[{d.enforcement_level}]", style=_LEVEL_STYLE.get(d.enforcement_level, ""))
            line.append(f"  {d.policy_name}")
            target = resource_label(d.urn)
            if target:
                line.append(f"  ({redactor.scrub(target)})", style="dim")
            console.print(line, soft_wrap=True)
            for text_line in redactor.scrub(d.message).splitlines():
                console.print(Text("          " + text_line), soft_wrap=True)


def summary_line(diagnostics: Sequence[Diagnostic]) -> Text:
    mandatory = sum(1 for d in diagnostics if d.is_mandatory)
    advisory = len(diagnostics) - mandatory
    if mandatory:
        return Text(
            f"{mandatory} mandatory and {advisory} advisory policy violation(s)", style="bold red"
        )
    if advisory:
        return Text(f"no mandatory policy violations ({advisory} advisory)", style="yellow")
    return Text("no policy violations", style="green")
