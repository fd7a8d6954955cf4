"""``dd-fargate check`` on every input format, the JSON schema, config handling, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cli_helpers import FIXTURES, Invoke, assert_one_line_error
from dd_fargate import cli as cli_module

CHECK = FIXTURES / "check"

FINDING = {
    "type": "object",
    "required": [
        "policy",
        "rule",
        "enforcementLevel",
        "container",
        "message",
        "unknown",
        "exempt",
        "exemptionReason",
    ],
    "additionalProperties": False,
    "properties": {
        "policy": {"type": "string"},
        "rule": {"type": "string"},
        "enforcementLevel": {"enum": ["advisory", "mandatory", "remediate"]},
        "container": {"type": ["string", "null"]},
        "message": {"type": "string", "minLength": 1},
        "unknown": {"type": "boolean"},
        "exempt": {"type": "boolean"},
        "exemptionReason": {"type": ["string", "null"]},
    },
}
REPORT_SCHEMA = {
    "type": "object",
    "required": ["schemaVersion", "pack", "summary", "taskDefinitions", "skipped"],
    "additionalProperties": False,
    "properties": {
        "schemaVersion": {"const": 1},
        "pack": {
            "type": "object",
            "required": ["name", "version"],
            "properties": {
                "name": {"const": "ecs-readonly-datadog"},
                "version": {"type": "string"},
            },
        },
        "summary": {
            "type": "object",
            "required": ["files", "taskDefinitions", "mandatory", "advisory", "passed"],
            "additionalProperties": False,
            "properties": {
                "files": {"type": "integer", "minimum": 0},
                "taskDefinitions": {"type": "integer", "minimum": 0},
                "mandatory": {"type": "integer", "minimum": 0},
                "advisory": {"type": "integer", "minimum": 0},
                "passed": {"type": "boolean"},
            },
        },
        "taskDefinitions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["source", "file", "resource", "format", "findings"],
                "additionalProperties": False,
                "properties": {
                    "source": {"type": "string"},
                    "file": {"type": "string"},
                    "resource": {"type": ["string", "null"]},
                    "format": {
                        "enum": [
                            "register-request",
                            "describe-output",
                            "container-list",
                            "cloudformation",
                        ]
                    },
                    "findings": {"type": "array", "items": FINDING},
                },
            },
        },
        "skipped": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["file", "reason"],
                "properties": {"file": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
}


def report(invoke: Invoke, *args: object) -> tuple[int, dict[str, Any]]:
    result = invoke("check", *args, "--format", "json")
    data = json.loads(result.stdout)
    jsonschema.validate(data, REPORT_SCHEMA)
    return result.exit_code, data


def mandatory(entry: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {
        (f["policy"], f["container"])
        for f in entry["findings"]
        if f["enforcementLevel"] == "mandatory"
    }


def test_register_request_seed_working_fails_only_init_read_only(invoke: Invoke) -> None:
    code, data = report(invoke, CHECK / "register-seed-working.json")
    assert code == 1
    (entry,) = data["taskDefinitions"]
    assert entry["format"] == "register-request"
    assert mandatory(entry) == {("ecs-readonly-root-filesystem", "datadog-init")}
    assert data["summary"] == {
        "files": 1,
        "taskDefinitions": 1,
        "mandatory": 1,
        "advisory": 0,
        "passed": False,
    }


def test_describe_output_of_the_fixed_seed_passes(invoke: Invoke) -> None:
    code, data = report(invoke, CHECK / "describe-seed-fixed.json")
    assert code == 0
    (entry,) = data["taskDefinitions"]
    assert entry["format"] == "describe-output" and entry["findings"] == []
    assert data["summary"]["passed"] is True


def test_bare_container_list_first_attempt(invoke: Invoke) -> None:
    code, data = report(invoke, CHECK / "containers-first-attempt.json")
    assert code == 1
    (entry,) = data["taskDefinitions"]
    assert entry["format"] == "container-list"
    assert mandatory(entry) == {
        ("datadog-agent-writable-mounts", "datadog-agent"),
        ("datadog-agent-config-init", "datadog-agent"),
    }


def test_cloudformation_yaml_with_short_tags(invoke: Invoke) -> None:
    code, data = report(invoke, CHECK / "cfn-template.yaml")
    assert code == 1
    by_resource = {e["resource"]: e for e in data["taskDefinitions"]}
    assert set(by_resource) == {"ReadOnlyAgent", "FirstAttempt"}  # the log group is not one
    # PascalCase converted, "true" coerced, !Ref/!Sub/!GetAtt unknown: no mandatory finding.
    assert mandatory(by_resource["ReadOnlyAgent"]) == set()
    assert all(f["unknown"] for f in by_resource["ReadOnlyAgent"]["findings"])
    assert mandatory(by_resource["FirstAttempt"]) == {
        ("datadog-agent-writable-mounts", "datadog-agent"),
        ("datadog-agent-config-init", "datadog-agent"),
    }
    assert by_resource["FirstAttempt"]["source"].endswith("cfn-template.yaml#FirstAttempt")


def test_cloudformation_intrinsic_container_definitions_are_unknown(
    invoke: Invoke, tmp_path: Path
) -> None:
    code, data = report(invoke, CHECK / "cfn-unknown-containers.json")
    assert code == 0  # unknown is advisory by default
    (entry,) = data["taskDefinitions"]
    assert entry["findings"] and all(
        f["unknown"] and f["enforcementLevel"] == "advisory" for f in entry["findings"]
    )
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"datadog-agent-writable-mounts": {"failClosedOnUnknown": True}}))
    code, data = report(
        invoke, CHECK / "cfn-unknown-containers.json", "--policy-pack-config", config
    )
    assert code == 1
    assert mandatory(data["taskDefinitions"][0]) == {("datadog-agent-writable-mounts", None)}


def test_directory_is_searched_recursively_and_non_task_files_skipped(
    invoke: Invoke, tmp_path: Path
) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    (nested / "td.yml").write_text(
        (CHECK / "register-seed-working.json").read_text()
    )  # JSON is YAML
    (tmp_path / "notes.txt").write_text("ignored: not json/yaml")
    (tmp_path / "package.json").write_text('{"name": "x"}')
    code, data = report(invoke, tmp_path)
    assert code == 1
    assert [e["source"] for e in data["taskDefinitions"]] == [str(nested / "td.yml")]
    assert data["skipped"] == [
        {"file": str(tmp_path / "package.json"), "reason": "no task definition found"}
    ]


def test_glob_patterns(invoke: Invoke) -> None:
    code, data = report(invoke, str(CHECK / "describe-*.json"))
    assert code == 0 and [e["format"] for e in data["taskDefinitions"]] == ["describe-output"]
    result = invoke("check", str(CHECK / "nothing-*.json"))
    assert_one_line_error(result, "nothing-*.json", "no files match this pattern")


def test_text_output_layout(invoke: Invoke) -> None:
    result = invoke(
        "check", CHECK / "register-seed-working.json", CHECK / "describe-seed-fixed.json"
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "Checking 2 task definition(s) from 2 file(s) against ecs-readonly-datadog@v"
    )
    assert any(line.startswith("❌ ") and "register-seed-working.json" in line for line in lines)
    assert any(line.startswith("✅ ") and "describe-seed-fixed.json" in line for line in lines)
    assert "    - [mandatory]  ecs-readonly-root-filesystem  (container datadog-init)" in lines
    assert lines[-1] == "1 mandatory and 0 advisory finding(s)"


def test_policy_config_disables_and_downgrades(invoke: Invoke, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"ecs-readonly-root-filesystem": "advisory"}))
    code, data = report(
        invoke, CHECK / "register-seed-working.json", "--policy-pack-config", config
    )
    assert code == 0 and data["summary"]["advisory"] == 1
    config.write_text(json.dumps({"all": "disabled"}))
    code, data = report(
        invoke, CHECK / "register-seed-working.json", "--policy-pack-config", config
    )
    assert code == 0 and data["taskDefinitions"][0]["findings"] == []


def test_unknown_policy_name_in_config(invoke: Invoke, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"ecs-readonly-rootfs": "mandatory"}))
    result = invoke("check", CHECK / "register-seed-working.json", "--policy-pack-config", config)
    assert_one_line_error(result, str(config), "unknown policy name(s) 'ecs-readonly-rootfs'")


def test_config_value_that_breaks_the_schema(invoke: Invoke, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps({"datadog-agent-writable-mounts": {"requiredPaths": ["relative/path"]}})
    )
    result = invoke("check", CHECK / "register-seed-working.json", "--policy-pack-config", config)
    assert_one_line_error(
        result, "datadog-agent-writable-mounts.requiredPaths[0]", "does not match '^/'"
    )


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("broken.json", '{"containerDefinitions": [', "invalid JSON at line 1"),
        ("broken.yaml", "Resources: [unclosed\n", "invalid YAML at line 2"),
        ("binary.json", b"\xff\xfe\x00binary", "not a text file"),
        ("other.json", '{"name": "pkg"}', "no task definition found"),
    ],
)
def test_bad_files(
    invoke: Invoke, tmp_path: Path, name: str, content: str | bytes, fragment: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    assert_one_line_error(invoke("check", path), str(path), fragment)


def test_unparseable_file_found_in_a_directory_is_still_an_error(
    invoke: Invoke, tmp_path: Path
) -> None:
    (tmp_path / "ok.json").write_text((CHECK / "describe-seed-fixed.json").read_text())
    (tmp_path / "bad.yaml").write_text("key: [\n")
    assert_one_line_error(invoke("check", tmp_path), "bad.yaml", "invalid YAML")


def test_missing_path(invoke: Invoke, tmp_path: Path) -> None:
    assert_one_line_error(
        invoke("check", tmp_path / "missing.json"), "missing.json", "no such file or directory"
    )


def test_unreadable_file(invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.json"
    path.write_text("{}")
    real_read_text = Path.read_text

    def read_text(self: Path, *args: Any, **kwargs: Any) -> str:
        if self == path:  # chmod 000 does not stop root, so simulate the permission error
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    assert_one_line_error(invoke("check", path), str(path), "cannot read: Permission denied")


def test_empty_directory(invoke: Invoke, tmp_path: Path) -> None:
    assert_one_line_error(invoke("check", tmp_path), "no *.json, *.yaml or *.yml files found")


def test_progress_bar_path_on_a_terminal(invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_module, "_interactive", lambda: True)
    monkeypatch.setattr(cli_module, "PROGRESS_MIN_FILES", 1)
    result = invoke(
        "check", CHECK / "register-seed-working.json", CHECK / "describe-seed-fixed.json"
    )
    assert result.exit_code == 1
    assert "ecs-readonly-root-filesystem" in result.stdout
    json_mode = invoke("check", CHECK / "describe-seed-fixed.json", "--format", "json")
    json.loads(json_mode.stdout)  # no bar mixed into JSON
