"""``dd-fargate preview``: run the program under mocks and the pack over the analyzer protocol."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .analyzer_host import PolicyPackHost, read_manifest, start_policy_pack
from .engine_view import analyzer_resources, with_default_providers
from .mock_engine import Registration
from .policy_config import load_policy_config, reconcile
from .policy_model import AnalyzerInfo, Diagnostic
from .program import LogLine, run_program
from .project import Project, load_project, load_stack_config
from .redact import Redactor


@dataclass(frozen=True)
class PreviewResult:
    project: Project
    stack: str
    pack_dir: Path
    registrations: list[Registration]  # including synthesized default providers
    hidden: set[str]  # URNs not shown in the tree (default providers, as pulumi does)
    analyzer: AnalyzerInfo
    diagnostics: list[Diagnostic]
    program_logs: list[LogLine] = field(default_factory=list)
    pack_output: list[str] = field(default_factory=list)

    @property
    def has_mandatory(self) -> bool:
        return any(d.is_mandatory for d in self.diagnostics)


def _pack_output(host: PolicyPackHost) -> list[str]:
    logs = [f"{r.severity}: {r.message}" for r in host.engine_logs()]
    return logs + host.stdout_tail() + host.stderr_tail()


def run_preview(
    program_dir: Path,
    pack_dir: Path,
    *,
    stack: str,
    policy_config: Path | None,
    overrides: Sequence[str],
    redactor: Redactor,
) -> PreviewResult:
    # Everything that can be checked without running anything fails first.
    project = load_project(program_dir)
    config = load_stack_config(project, stack, overrides)
    given = load_policy_config(policy_config)
    read_manifest(pack_dir)

    with start_policy_pack(
        pack_dir,
        project=project.name,
        stack=stack,
        config=config.values,
        secret_keys=sorted(config.secret_keys),
        dry_run=True,
    ) as host:
        # The pack boots in its own process while the program runs here.
        run = run_program(project, stack, config, redactor)
        client = host.connect()
        info = client.get_analyzer_info()
        client.configure(
            reconcile(
                info.policies,
                info.initial_config,
                given,
                source=str(policy_config) if policy_config else "policy pack config",
            )
        )
        registrations, hidden = with_default_providers(
            run.registrations, project.name, stack, config.values, config.secret_keys
        )
        resources = analyzer_resources(registrations)
        reads = {r.urn for r in registrations if r.read}
        diagnostics: list[Diagnostic] = []
        for resource in resources:
            if resource.urn not in reads:  # the engine does not analyze reads
                diagnostics.extend(client.analyze(resource))
        diagnostics.extend(client.analyze_stack(resources))
        pack_output = _pack_output(host)

    return PreviewResult(
        project=project,
        stack=stack,
        pack_dir=pack_dir,
        registrations=registrations,
        hidden=hidden,
        analyzer=info,
        diagnostics=diagnostics,
        program_logs=run.logs,
        pack_output=pack_output,
    )
