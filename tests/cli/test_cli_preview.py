"""``dd-fargate preview`` end to end: program in-process under mocks, pack over gRPC."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest
from cli_helpers import (
    FIXTURES,
    POLICY_PACK,
    PROBE_PACK,
    PROBE_PROGRAM,
    REPO,
    SEED_FIRST_ATTEMPT,
    Invoke,
    assert_one_line_error,
)


def test_probe_program_tree_diagnostics_and_exit_code(invoke: Invoke) -> None:
    result = invoke("preview", PROBE_PROGRAM, "--policy-pack", PROBE_PACK)
    assert result.exit_code == 1, result.stderr  # probe-secret is mandatory
    out = result.stdout
    tree = [line for line in out.splitlines() if line.startswith(" +")]
    assert [line.split()[1:] for line in tree] == [
        ["pulumi:pulumi:Stack", "probe-program-dev", "create"],
        ["├─", "test:index:Group", "group", "create"],
        ["│", "└─", "test:index:Probe", "first", "create"],
        ["└─", "test:index:Probe", "second", "create"],
    ]
    assert not any("pulumi:providers" in line for line in tree)  # default providers are hidden
    assert "❌ probe-pack@v0.0.7" in out
    assert "- [mandatory]  probe-secret  (test:index:Probe: second)" in out
    assert "- [advisory]  probe-unknown  (test:index:Probe: second)" in out
    assert "    + 4 to create" in out


def test_secrets_never_print(invoke: Invoke) -> None:
    result = invoke("preview", PROBE_PROGRAM, "--policy-pack", PROBE_PACK, "--verbose")
    text = result.stdout + result.stderr
    assert "token is [secret]" in text
    assert "hunter2-plaintext" not in text
    assert "c2VjcmV0LWNpcGhlcnRleHQ=" not in text  # the secure: ciphertext isn't printed either


def test_stack_config_and_overrides_reach_the_program(invoke: Invoke) -> None:
    base = invoke("preview", PROBE_PROGRAM, "--policy-pack", PROBE_PACK)
    assert '"count": 3.0' in base.stdout  # probe-program:count from Pulumi.dev.yaml
    over = invoke("preview", PROBE_PROGRAM, "--policy-pack", PROBE_PACK, "--config", "count=5")
    assert '"count": 5.0' in over.stdout


def test_policy_config_file_changes_levels(invoke: Invoke, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"probe-secret": "advisory", "probe-config": {"threshold": 9}}))
    result = invoke(
        "preview", PROBE_PROGRAM, "--policy-pack", PROBE_PACK, "--policy-pack-config", config
    )
    assert result.exit_code == 0, result.stdout
    assert "- [advisory]  probe-secret" in result.stdout
    assert "threshold=9.0" in result.stdout


def test_unknown_policy_name_in_config(invoke: Invoke, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"probe-secrets": "mandatory"}))
    result = invoke(
        "preview", PROBE_PROGRAM, "--policy-pack", PROBE_PACK, "--policy-pack-config", config
    )
    assert_one_line_error(result, str(config), "unknown policy name(s) 'probe-secrets'")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "invalid JSON at line 1"),
        ('["mandatory"]', "must be a JSON object"),
        (
            '{"probe-config": {"threshold": "high"}}',
            "probe-config.threshold: 'high' is not of type 'integer'",
        ),
    ],
)
def test_bad_policy_config_file(
    invoke: Invoke, tmp_path: Path, content: str, fragment: str
) -> None:
    config = tmp_path / "config.json"
    config.write_text(content)
    result = invoke(
        "preview", PROBE_PROGRAM, "--policy-pack", PROBE_PACK, "--policy-pack-config", config
    )
    assert_one_line_error(result, fragment)


def test_missing_policy_config_file(invoke: Invoke, tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = invoke(
        "preview", PROBE_PROGRAM, "--policy-pack", PROBE_PACK, "--policy-pack-config", missing
    )
    assert_one_line_error(result, str(missing), "cannot read policy pack config")


def test_missing_program_directory(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("preview", tmp_path / "absent", "--policy-pack", PROBE_PACK)
    assert_one_line_error(result, "absent", "no such directory")


def test_directory_that_is_not_a_pulumi_project(invoke: Invoke) -> None:
    result = invoke("preview", FIXTURES / "not_a_project", "--policy-pack", PROBE_PACK)
    assert_one_line_error(result, "not_a_project", "not a Pulumi project (no Pulumi.yaml)")


def test_unparseable_pulumi_yaml(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: [unclosed\n")
    result = invoke("preview", tmp_path, "--policy-pack", PROBE_PACK)
    assert_one_line_error(result, "Pulumi.yaml", "invalid YAML")


def test_missing_policy_pack(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("preview", PROBE_PROGRAM, "--policy-pack", tmp_path / "no-pack")
    assert_one_line_error(result, "no-pack", "policy pack directory does not exist")


def test_program_that_raises(invoke: Invoke) -> None:
    program = FIXTURES / "raising_program"
    result = invoke("preview", program, "--policy-pack", PROBE_PACK)
    assert_one_line_error(
        result, "raising_program/__main__.py:7", "ValueError: cannot use token [secret]"
    )
    assert "AAAAAAAAAAAAAAAAc2Vj" not in result.stderr  # the secret config value is masked


def test_program_that_raises_inside_an_apply_still_prints_one_line(invoke: Invoke) -> None:
    result = invoke("preview", FIXTURES / "apply_raising_program", "--policy-pack", PROBE_PACK)
    assert_one_line_error(
        result, "apply_raising_program/__main__.py:7", "RuntimeError: exploded in apply"
    )


def test_program_that_raises_verbose_shows_the_traceback(invoke: Invoke) -> None:
    result = invoke(
        "preview", FIXTURES / "raising_program", "--policy-pack", PROBE_PACK, "--verbose"
    )
    assert result.exit_code == 2
    assert (
        "Traceback" in result.stderr
        and 'raise ValueError(f"cannot use token {token}")' in result.stderr
    )
    assert result.stderr.rstrip().splitlines()[-1].startswith("error: ")
    assert "AAAAAAAAAAAAAAAAc2Vj" not in result.stderr


def test_program_state_is_restored(invoke: Invoke) -> None:
    before_path, before_cwd = list(sys.path), Path.cwd()
    invoke("preview", PROBE_PROGRAM, "--policy-pack", PROBE_PACK)
    invoke("preview", FIXTURES / "raising_program", "--policy-pack", PROBE_PACK)
    assert sys.path == before_path and Path.cwd() == before_cwd
    again = invoke("preview", PROBE_PROGRAM, "--policy-pack", PROBE_PACK)  # runs clean twice
    assert again.exit_code == 1 and "probe-program-dev" in again.stdout


def test_seed_first_attempt_fails_writable_mounts_and_config_init(invoke: Invoke) -> None:
    result = invoke("preview", SEED_FIRST_ATTEMPT, "--policy-pack", POLICY_PACK)
    assert result.exit_code == 1, result.stdout + result.stderr
    mandatory = [line for line in result.stdout.splitlines() if "- [mandatory]" in line]
    named = {line.split()[2] for line in mandatory}
    assert {"datadog-agent-writable-mounts", "datadog-agent-config-init"} <= named
    assert all("(aws:ecs:TaskDefinition: datadog-agent-readonly)" in line for line in mandatory)


def test_reference_stack_passes_with_no_diagnostics(invoke: Invoke) -> None:
    result = invoke("preview", REPO, "--policy-pack", POLICY_PACK)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "- [" not in result.stdout  # no diagnostics at all, advisory included
    assert "no policy violations" in result.stdout


def test_program_modules_are_not_shadowed_by_already_imported_ones(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: shadow\nruntime: python\n")
    (tmp_path / "helpers.py").write_text('NAME = "from-the-program"\n')
    (tmp_path / "__main__.py").write_text(
        "import pulumi\nimport helpers\n\npulumi.ComponentResource('test:index:Named', helpers.NAME)\n"
    )
    stranger = types.ModuleType("helpers")
    monkeypatch.setitem(sys.modules, "helpers", stranger)
    result = invoke("preview", tmp_path, "--policy-pack", PROBE_PACK)
    assert result.exit_code == 0, result.stderr
    assert "from-the-program" in result.stdout
    assert sys.modules["helpers"] is stranger
