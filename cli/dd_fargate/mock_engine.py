"""Pulumi's mock engine, extended to record every registration as the real engine sees it.

``Mocks.new_resource`` only gets type, name and deserialized inputs; the analyzer protocol also
needs parent, dependencies, property dependencies, provider and options, and the inputs exactly
as serialized (unknown sentinels and secret wrappers intact). So we subclass the SDK's
``MockMonitor`` and read the ``RegisterResourceRequest`` itself.

Preview semantics: like a first ``pulumi preview``, a new custom resource gets no ID and its
outputs are just its inputs (unknowns stay unknown), so ``id``/``arn`` are unknown to the
program; the SDK resolves outputs missing from the response as unknown during a dry run.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import resource_pb2

from .analyzer_host import ResourceOptions, timeouts_from_strings
from .invokes import DEFAULT_REGION, invoke
from .wire import JSONValue, for_analyzer, struct_to_wire

STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class Registration:
    """One ``RegisterResource`` (or ``ReadResource``) call, in wire form."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    properties: Mapping[str, JSONValue]  # as an analyzer receives them
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    provider_ref: str = ""  # "<provider urn>::<provider id>", empty for the default provider
    version: str = ""  # package version the SDK asked for (names the default provider)
    options: ResourceOptions = field(default_factory=ResourceOptions)
    remote: bool = False
    read: bool = False  # ``Resource.get``: shown, never analyzed (the engine does not either)


class PreviewMocks(Mocks):
    """Invokes return plausible values; ``new_resource`` only serves ``Resource.get`` reads."""

    def __init__(self, config: Mapping[str, str]) -> None:
        self._region = config.get("aws:region") or DEFAULT_REGION

    def call(self, args: MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        return invoke(args.token, args.args, self._region)

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        return args.resource_id or None, dict(args.inputs)


class RecordingMonitor(MockMonitor):
    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self._lock = threading.Lock()
        self.registrations: list[Registration] = []

    def _record(self, registration: Registration) -> None:
        with self._lock:
            self.registrations.append(registration)

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        timeouts = request.customTimeouts
        options = ResourceOptions(
            protect=bool(request.protect),
            ignore_changes=tuple(request.ignoreChanges),
            delete_before_replace=(
                bool(request.deleteBeforeReplace) if request.deleteBeforeReplaceDefined else None
            ),
            additional_secret_outputs=tuple(request.additionalSecretOutputs),
            aliases=tuple(request.aliasURNs),
            custom_timeouts=timeouts_from_strings(
                timeouts.create, timeouts.update, timeouts.delete
            ),
            parent=request.parent,
        )
        self._record(
            Registration(
                urn=urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent=request.parent,
                properties=for_analyzer(struct_to_wire(request.object)),
                dependencies=tuple(request.dependencies),
                property_dependencies={
                    k: tuple(v.urns) for k, v in request.propertyDependencies.items()
                },
                provider_ref=request.provider,
                version=request.version,
                options=options,
                remote=bool(request.remote),
            )
        )
        if request.type == STACK_TYPE:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        # No ID and outputs = inputs, exactly as serialized: unknowns stay unknown.
        return resource_pb2.RegisterResourceResponse(urn=urn, id="", object=request.object)

    def ReadResource(self, request: Any) -> Any:
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        self._record(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=True,
                parent=request.parent,
                properties=for_analyzer(struct_to_wire(request.properties)),
                dependencies=tuple(request.dependencies),
                provider_ref=request.provider,
                version=request.version,
                read=True,
            )
        )
        return response
