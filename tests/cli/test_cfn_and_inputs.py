"""CloudFormation -> ECS API conversion, input shape detection and the preview wire helpers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from dd_fargate.cfn import CfnLoader, Intrinsic, task_definition_from_cfn
from dd_fargate.errors import UserError
from dd_fargate.inputs import task_definitions
from dd_fargate.project import load_project, load_stack_config
from dd_fargate.redact import MASK, Redactor
from dd_fargate.wire import (
    OUTPUT_SIG,
    RESOURCE_SIG,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    for_analyzer,
    secret,
    secret_strings,
)
from hypothesis import given
from hypothesis import strategies as st


def test_member_names_convert_case_insensitively_from_the_botocore_model() -> None:
    td = task_definition_from_cfn(
        {
            "ContainerDefinitions": [
                {
                    "Name": "app",
                    "ReadonlyRootFilesystem": True,
                    "MountPoints": [
                        {"SourceVolume": "v", "ContainerPath": "/tmp", "ReadOnly": False}
                    ],
                    "DependsOn": [{"ContainerName": "init", "Condition": "SUCCESS"}],
                    "DockerLabels": {"Com.Example.Label": "x"},
                    "LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": "g"}},
                }
            ],
            "Volumes": [{"Name": "v", "EFSVolumeConfiguration": {"FilesystemId": "fs-1"}}],
            "EphemeralStorage": {"SizeInGiB": 30},
        }
    )
    (container,) = td["containerDefinitions"]
    assert container["readonlyRootFilesystem"] is True
    assert container["mountPoints"] == [
        {"sourceVolume": "v", "containerPath": "/tmp", "readOnly": False}
    ]
    assert container["dependsOn"] == [{"containerName": "init", "condition": "SUCCESS"}]
    assert container["dockerLabels"] == {"Com.Example.Label": "x"}  # map keys are user data
    assert container["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "g"},
    }
    assert td["volumes"] == [{"name": "v", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}]
    assert td["ephemeralStorage"] == {"sizeInGiB": 30}


def test_scalars_coerce_like_cloudformation_and_unknown_keys_stay_visible() -> None:
    td = task_definition_from_cfn(
        {
            "Cpu": 256,
            "ContainerDefinitions": [
                {
                    "Name": "a",
                    "Essential": "false",
                    "Cpu": "128",
                    "ReadonlyRootFileSystem": "yes",
                    "ReadOnlyRootFilesystm": True,
                }
            ],
        }
    )
    assert td["cpu"] == "256"
    (c,) = td["containerDefinitions"]
    assert c["essential"] is False and c["cpu"] == 128
    assert c["readonlyRootFilesystem"] == "yes"  # not coercible: left for the rules to report
    assert c["readOnlyRootFilesystm"] is True  # a typo is not silently mapped onto a real member


def test_intrinsics_become_unknown_in_json_and_yaml_forms() -> None:
    text = """
Resources:
  T:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: !Sub "${AWS::StackName}-td"
      ContainerDefinitions:
        - Name: agent
          Image: !Join [":", [public.ecr.aws/datadog/agent, !Ref Tag]]
          Secrets: [{Name: DD_API_KEY, ValueFrom: {"Fn::GetAtt": [Secret, Arn]}}]
          Environment: !If [Prod, [], []]
"""
    data = yaml.load(text, Loader=CfnLoader)
    assert isinstance(data["Resources"]["T"]["Properties"]["Family"], Intrinsic)
    (found,) = task_definitions(data, Path("t.yaml"))
    assert found.resource == "T" and found.fmt == "cloudformation"
    (c,) = found.definition["containerDefinitions"]
    assert found.definition["family"] == UNKNOWN
    assert c["image"] == UNKNOWN and c["environment"] == UNKNOWN
    assert c["secrets"] == [{"name": "DD_API_KEY", "valueFrom": UNKNOWN}]


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        ({"family": "f", "containerDefinitions": []}, "register-request"),
        ({"taskDefinition": {"containerDefinitions": []}}, "describe-output"),
        ([{"name": "a", "image": "b"}], "container-list"),
        (
            {"Resources": {"T": {"Type": "AWS::ECS::TaskDefinition", "Properties": {}}}},
            "cloudformation",
        ),
    ],
)
def test_shape_detection(data: object, fmt: str) -> None:
    (found,) = task_definitions(data, Path("x.json"))
    assert found.fmt == fmt


@pytest.mark.parametrize("data", [{"name": "pkg"}, [], [1, 2], "text", None, {"Resources": {}}])
def test_unrecognised_shapes_yield_nothing(data: object) -> None:
    assert task_definitions(data, Path("x.json")) == []


def test_for_analyzer_matches_engine_marshalling() -> None:
    props = {
        "__defaults": ["name"],
        "nested": {"__internal": 1, "keep": 2},
        "role": {SIG_KEY: RESOURCE_SIG, "urn": "urn:a", "id": ""},
        "component": {SIG_KEY: RESOURCE_SIG, "urn": "urn:c"},
        "known": {SIG_KEY: RESOURCE_SIG, "urn": "urn:b", "id": "role-1"},
        "out": {SIG_KEY: OUTPUT_SIG, "value": "v", "secret": True},
        "pending": {SIG_KEY: OUTPUT_SIG},
        "token": secret("s3cr3t"),
    }
    assert for_analyzer(props) == {
        "nested": {"keep": 2},
        "role": UNKNOWN,
        "component": "urn:c",
        "known": "role-1",
        "out": {SIG_KEY: SECRET_SIG, "value": "v"},
        "pending": UNKNOWN,
        "token": {SIG_KEY: SECRET_SIG, "value": "s3cr3t"},
    }


@given(st.text(min_size=3, alphabet=st.characters(blacklist_categories=["Cs"])), st.text())
def test_redactor_masks_every_occurrence(value: str, around: str) -> None:
    redactor = Redactor()
    redactor.add(secret_strings({"a": [secret({"x": value})]}))
    text = redactor.scrub(f"{around}{value}{around}{value}")
    assert value not in text.replace(MASK, "") or value in MASK
    assert text.count(MASK) >= 2


def test_stack_config_forms(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.yaml").write_text(
        "name: proj\nruntime:\n  name: python\nconfig:\n  size:\n    default: 2\n  aws:region: us-west-2\n"
    )
    (tmp_path / "Pulumi.prod.yaml").write_text(
        "config:\n  proj:flag: true\n  tags:\n    a: 1\n  aws:region: eu-west-1\n"
        "  password:\n    secure: v1:abc\n"
    )
    project = load_project(tmp_path)
    config = load_stack_config(project, "prod", ["size=5", "aws:profile=x"])
    assert config.values == {
        "proj:size": "5",
        "aws:region": "eu-west-1",
        "proj:flag": "true",
        "proj:tags": '{"a": 1}',
        "proj:password": "v1:abc",
        "aws:profile": "x",
    }
    assert config.secret_keys == {"proj:password"}
    with pytest.raises(UserError, match="KEY=VALUE"):
        load_stack_config(project, "prod", ["novalue"])


def test_project_main_may_point_to_a_subdirectory(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__main__.py").write_text("")
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\nmain: app\n")
    project = load_project(tmp_path)
    assert project.program_dir == tmp_path.resolve() / "app"
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: nodejs\n")
    with pytest.raises(UserError, match="only Python"):
        load_project(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\nmain: missing\n")
    with pytest.raises(UserError, match="does not exist"):
        load_project(tmp_path)
