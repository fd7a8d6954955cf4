"""Run a Pulumi program function under the SDK's real mock engine and record every registration."""

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

T = TypeVar("T")

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


@dataclass
class Registration:
    type: str
    name: str
    urn: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    wire_inputs: dict[str, Any] = field(default_factory=dict)
    """The inputs as the engine forwards them to a policy pack: unknowns as the sentinel string."""


class RecordingMocks(pulumi.runtime.Mocks):
    """In preview, new resources get no id and no computed outputs (so `arn` is unknown), as in a
    first `pulumi preview`; otherwise they get a fake id and ARN."""

    def __init__(self, preview: bool) -> None:
        self.preview = preview
        self.calls: list[str] = []

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        outputs = dict(args.inputs)
        if self.preview:
            return None, outputs
        service = args.typ.split(":")[1].split("/")[0]
        outputs.setdefault("name", args.name)
        outputs["arn"] = f"arn:aws:{service}:{REGION}:{ACCOUNT_ID}:{args.name}"
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        self.calls.append(args.token)
        return {
            "aws:index/getRegion:getRegion": {"region": REGION, "name": REGION, "id": REGION},
            "aws:index/getPartition:getPartition": {
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
            },
            "aws:index/getCallerIdentity:getCallerIdentity": {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/test",
                "userId": "AIDATEST",
            },
        }.get(args.token, {})


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, keeping what `Mocks.new_resource` is not told: parent and dependencies."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(
                Registration(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    parent=request.parent,
                    custom=request.custom,
                    inputs=pulumi.runtime.rpc.deserialize_properties(request.object),
                    dependencies=list(request.dependencies),
                    wire_inputs=json_format.MessageToDict(request.object),
                    property_dependencies={
                        key: list(deps.urns) for key, deps in request.propertyDependencies.items()
                    },
                )
            )
        return response


@dataclass
class Run:
    result: Any
    registrations: list[Registration]
    mocks: RecordingMocks

    def of_type(self, typ: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == typ]

    def one(self, typ: str) -> Registration:
        found = self.of_type(typ)
        assert len(found) == 1, f"expected one {typ}, got {[r.name for r in found]}"
        return found[0]

    def container_definitions(self) -> list[dict[str, Any]]:
        raw = self.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"]
        assert isinstance(raw, str), f"containerDefinitions is not a known string: {raw!r}"
        return json.loads(raw)  # type: ignore[no-any-return]

    def container(self, name: str) -> dict[str, Any]:
        by_name = {c["name"]: c for c in self.container_definitions()}
        return by_name[name]


def run(program: Callable[[], T], *, preview: bool = False, project: str = "test") -> Run:
    """Run `program` as a Pulumi program on a fresh event loop and wait for every registration."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.reset_options(project=project, stack="dev", preview=preview)
    mocks = RecordingMocks(preview)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project=project, stack="dev", preview=preview, monitor=monitor)
    results: list[T] = []
    settings = pulumi.runtime.settings.SETTINGS
    settings.rpc_manager.clear()
    settings.outputs.clear()
    try:
        # run_pulumi_func waits for every outstanding RPC (registrations, invokes, applies).
        _sync_await(run_pulumi_func(lambda: results.append(program())))
    finally:
        # An unclosed loop keeps its selector's file descriptors: hundreds of tests would
        # exhaust select()'s limit of 1024 for later tests in the same process.
        loop.close()
        asyncio.set_event_loop(None)
    return Run(results[0] if results else None, monitor.registrations, mocks)
