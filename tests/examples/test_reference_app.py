"""The reference app stack (root Pulumi.yaml, program in examples/reference-app) under mocks."""

import json
import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi_harness import run

ROOT = Path(__file__).resolve().parents[2]


def stack_config(stack: str = "dev") -> dict[str, str]:
    """Pulumi.<stack>.yaml as the engine hands config to a program: objects JSON-encoded."""
    raw = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}


@pytest.mark.parametrize("preview", [True, False])
def test_reference_stack_builds_the_component_from_stack_config(preview: bool) -> None:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    program = ROOT / project["main"] / "__main__.py"

    def main() -> None:
        for key, value in stack_config().items():
            pulumi.runtime.set_config(key, value)
        runpy.run_path(str(program), run_name="__main__")

    result = run(main, preview=preview, project=project["name"])
    assert result.one("datadog-fargate:index:DatadogFargateService").name == "checkout"
    definitions: list[dict[str, Any]] = result.container_definitions()
    assert [c["name"] for c in definitions] == ["datadog-init", "datadog-agent", "web"]
    assert all(c["readonlyRootFilesystem"] is True for c in definitions)
    service = result.one("aws:ecs/service:Service").inputs
    assert service["cluster"] == "arn:aws:ecs:us-east-1:123456789012:cluster/dev"
    assert service["networkConfiguration"]["assignPublicIp"] is False
