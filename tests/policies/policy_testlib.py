"""Helpers that feed the pack inputs exactly the way pulumi_policy's Analyze does: a protobuf
Struct (every number a float), `json_format.MessageToDict`, `deserialize_properties`, then
`unknown_checking_proxy`, wrapped in a real `ResourceValidationArgs`."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecs_readonly_datadog import DEFAULT_ENFORCEMENT_LEVELS
from ecs_readonly_datadog.normalize import CLASSIC_TYPE
from ecs_readonly_datadog.normalize import NATIVE_TYPE as NATIVE_TYPE
from ecs_readonly_datadog.pack import PACK_NAME, build_policies
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel, ResourceValidationArgs, ResourceValidationPolicy
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import (
    PolicyCustomTimeouts,
    PolicyResourceOptions,
    _PolicyAnalyzerServicer,
)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

FIXTURES = Path(__file__).parent / "fixtures"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

# The per-resource policies; the stack policy ecs-exec-readonly-paths has its own tests.
POLICY_OBJECTS: dict[str, ResourceValidationPolicy] = {
    p.name: p for p in build_policies() if isinstance(p, ResourceValidationPolicy)
}
ALL = tuple(POLICY_OBJECTS)
RULE_POLICIES = ALL[:-1]


def seed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "seed_working.json").read_text())
    return data


def seed_fixed() -> dict[str, Any]:
    """(c): the seed with datadog-init read-only too."""
    td = seed()
    td["containerDefinitions"][0]["readonlyRootFilesystem"] = True
    return td


def seed_first_attempt() -> dict[str, Any]:
    """(a): the article's first try: only the agent, read-only, no volumes, no init."""
    td = seed()
    agent = copy.deepcopy(td["containerDefinitions"][1])
    agent.pop("mountPoints")
    agent.pop("dependsOn")
    td["containerDefinitions"] = [agent]
    td["volumes"] = []
    return td


def classic(task_def: Mapping[str, Any]) -> dict[str, Any]:
    """pulumi-aws inputs: containerDefinitions is one JSON string."""
    props = dict(task_def)
    if not isinstance(props.get("containerDefinitions"), str):
        props["containerDefinitions"] = json.dumps(props["containerDefinitions"])
    return props


def struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(dict(props))
    return message


def wire_props(props: Mapping[str, Any]) -> Any:
    """What a policy sees in `args.props` (the SDK's Analyze path, minus gRPC)."""
    deserialized = deserialize_properties(json_format.MessageToDict(struct(props)))
    return unknown_checking_proxy(deserialized)


def make_args(
    props: Mapping[str, Any],
    resource_type: str = CLASSIC_TYPE,
    *,
    config: Mapping[str, Any] | None = None,
    name: str = "td",
    urn: str | None = None,
) -> ResourceValidationArgs:
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    return ResourceValidationArgs(
        resource_type,
        wire_props(props),
        urn or f"urn:pulumi:dev::app::{resource_type}::{name}",
        name,
        opts,
        None,
        dict(config) if config is not None else None,
    )


@dataclass
class Result:
    violations: list[str]
    unknown: UnknownValueError | None


def run_policy(
    policy: str,
    props: Mapping[str, Any],
    resource_type: str = CLASSIC_TYPE,
    *,
    config: Mapping[str, Any] | None = None,
    name: str = "td",
    urn: str | None = None,
) -> Result:
    """Call the real `ResourceValidationPolicy.validate` the way the SDK does."""
    args = make_args(props, resource_type, config=config, name=name, urn=urn)
    messages: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        assert isinstance(message, str) and message
        messages.append(message)

    try:
        result = POLICY_OBJECTS[policy].validate(args, report)
        assert result is None
    except UnknownValueError as err:
        return Result(messages, err)
    return Result(messages, None)


def run_all(
    props: Mapping[str, Any],
    resource_type: str = CLASSIC_TYPE,
    *,
    configs: Mapping[str, Mapping[str, Any]] | None = None,
    name: str = "td",
) -> dict[str, Result]:
    """Every policy in pack order, on the same URN, as one Analyze request runs them."""
    return {
        policy: run_policy(
            policy, props, resource_type, config=(configs or {}).get(policy), name=name
        )
        for policy in ALL
    }


def servicer() -> Any:
    return _PolicyAnalyzerServicer(PACK_NAME, "0.1.0", build_policies(), EnforcementLevel.ADVISORY)


def configure(server: Any, config: Mapping[str, Mapping[str, Any]]) -> None:
    """The engine's Configure RPC: per policy an enforcement level and properties."""
    levels = {
        "advisory": proto.ADVISORY,
        "mandatory": proto.MANDATORY,
        "disabled": proto.DISABLED,
        "remediate": proto.REMEDIATE,
    }
    request = proto.ConfigureAnalyzerRequest()
    for policy, entry in config.items():
        props = {k: v for k, v in entry.items() if k != "enforcementLevel"}
        request.policyConfig[policy].CopyFrom(
            proto.PolicyConfig(
                enforcementLevel=levels[
                    entry.get("enforcementLevel", DEFAULT_ENFORCEMENT_LEVELS[policy])
                ],
                properties=struct(props),
            )
        )
    server.Configure(request, None)


def analyze(
    server: Any, props: Mapping[str, Any], resource_type: str = CLASSIC_TYPE, name: str = "td"
) -> list[Any]:
    request = proto.AnalyzeRequest(
        urn=f"urn:pulumi:dev::app::{resource_type}::{name}",
        type=resource_type,
        name=name,
        properties=struct(props),
    )
    return list(server.Analyze(request, None).diagnostics)


# Builders for small task definitions (plain ECS shape; `classic()` makes pulumi-aws inputs).
AGENT_IMAGE = "public.ecr.aws/datadog/agent:7.86.0"
REQUIRED = ("/etc/datadog-agent", "/opt/datadog-agent/run", "/var/run/datadog")
RECOMMENDED = ("/tmp", "/var/log/datadog")
VOLUME_FOR = {
    "/etc/datadog-agent": "dd-config",
    "/opt/datadog-agent/run": "dd-run",
    "/var/run/datadog": "dd-sockets",
    "/tmp": "dd-tmp",
    "/var/log/datadog": "dd-logs",
}


def agent(name: str = "datadog-agent", **overrides: Any) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": name,
        "image": AGENT_IMAGE,
        "essential": True,
        "readonlyRootFilesystem": True,
        "mountPoints": [
            {"sourceVolume": VOLUME_FOR[p], "containerPath": p} for p in REQUIRED + RECOMMENDED
        ],
        "dependsOn": [{"containerName": "datadog-init", "condition": "SUCCESS"}],
    }
    container.update(overrides)
    return container


def init(name: str = "datadog-init", **overrides: Any) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": name,
        "image": AGENT_IMAGE,
        "essential": False,
        "readonlyRootFilesystem": True,
        "command": ["sh", "-c", "cp -R /etc/datadog-agent/* /opt/datadog-agent-config/"],
        "mountPoints": [
            {"sourceVolume": "dd-config", "containerPath": "/opt/datadog-agent-config"}
        ],
    }
    container.update(overrides)
    return container


def app(name: str = "app", **overrides: Any) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": name,
        "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.2.3",
        "essential": True,
        "readonlyRootFilesystem": True,
        "mountPoints": [
            {"sourceVolume": "dd-sockets", "containerPath": "/var/run/datadog", "readOnly": True}
        ],
    }
    container.update(overrides)
    return container


def task(*containers: Any, volumes: Any = None, family: str = "svc") -> dict[str, Any]:
    if not containers:
        containers = (app(), agent(), init())
    return {
        "family": family,
        "containerDefinitions": list(containers),
        "volumes": [{"name": v} for v in VOLUME_FOR.values()] if volumes is None else volumes,
    }


def messages(
    task_def: Mapping[str, Any], policy: str, config: Mapping[str, Any] | None = None
) -> list[str]:
    """The pure API's messages for one policy (any level, exemptions excluded)."""
    from ecs_readonly_datadog import check_task_definition

    return [
        f.message
        for f in check_task_definition(task_def, config)
        if f.policy == policy and not f.exempt
    ]
