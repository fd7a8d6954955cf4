"""Start a Python policy pack the way the Pulumi CLI does, and talk to it over gRPC.

Launch (pulumi ``NewPolicyAnalyzer`` + the ``pulumi-analyzer-policy-python`` shim):
``python -u -m pulumi.policy <engine-address> . [-<runtime option>=<value>...]`` with cwd = the
pack directory and env ``PULUMI_CONFIG`` (JSON of ``project:key`` -> string),
``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_DRY_RUN``. The pack prints its port as the first
stdout line. Then ``Handshake`` and ``ConfigureStack`` (both may be unimplemented),
``GetAnalyzerInfo``, ``Configure``, ``Analyze`` per resource, ``AnalyzeStack`` once.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import grpc
import yaml
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from .engine_service import EngineServer, LogRecord
from .errors import UserError
from .policy_model import (
    AnalyzerInfo,
    ConfigSchema,
    Diagnostic,
    EnforcementLevel,
    PolicyConfig,
    PolicyInfo,
)
from .wire import JSONValue, wire_to_struct

# The policy SDK raises its receive limit to 400 MiB; a stack's AnalyzeStack can be large.
_MAX_MESSAGE = 400 * 1024 * 1024
_CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", _MAX_MESSAGE),
    ("grpc.max_send_message_length", _MAX_MESSAGE),
]
_STDERR_TAIL = 40

_LEVEL_TO_PROTO: dict[EnforcementLevel, int] = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "disabled": analyzer_pb2.DISABLED,
    "remediate": analyzer_pb2.REMEDIATE,
}
_PROTO_TO_LEVEL: dict[int, EnforcementLevel] = {v: k for k, v in _LEVEL_TO_PROTO.items()}
_POLICY_TYPES = {
    analyzer_pb2.POLICY_TYPE_RESOURCE: "resource",
    analyzer_pb2.POLICY_TYPE_STACK: "stack",
}


class PolicyPackError(UserError):
    """The pack failed to start, died, or a policy raised while analyzing."""


@dataclass(frozen=True)
class ResourceOptions:
    protect: bool = False
    ignore_changes: tuple[str, ...] = ()
    delete_before_replace: bool | None = None
    additional_secret_outputs: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    custom_timeouts: tuple[float, float, float] | None = None  # create, update, delete seconds
    parent: str = ""


@dataclass(frozen=True)
class ProviderResource:
    urn: str
    type: str
    name: str
    properties: Mapping[str, JSONValue] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalyzerResource:
    """One resource as the engine describes it to an analyzer (properties in wire JSON)."""

    urn: str
    type: str
    name: str
    properties: Mapping[str, JSONValue]
    options: ResourceOptions = field(default_factory=ResourceOptions)
    provider: ProviderResource | None = None
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class PackManifest:
    """What the CLI reads from ``PulumiPolicy.yaml`` before starting the pack."""

    directory: Path
    runtime_options: Mapping[str, Any]
    version: str
    label: str  # the directory as the user gave it, for messages


def read_manifest(pack_dir: Path) -> PackManifest:
    if not pack_dir.is_dir():
        raise UserError("policy pack directory does not exist", pack_dir)
    manifest = pack_dir / "PulumiPolicy.yaml"
    if not manifest.is_file():
        raise UserError("not a policy pack (no PulumiPolicy.yaml)", pack_dir)
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"cannot read PulumiPolicy.yaml: {exc}", manifest) from exc
    runtime = data.get("runtime") if isinstance(data, dict) else None
    name, options = (
        (runtime.get("name"), runtime.get("options") or {})
        if isinstance(runtime, dict)
        else (runtime, {})
    )
    if name != "python":
        raise UserError(f"runtime is {name!r}; only Python policy packs are supported", manifest)
    return PackManifest(
        pack_dir.resolve(), dict(options), str(data.get("version") or ""), str(pack_dir)
    )


def _duration_seconds(text: str) -> float:
    """Go duration strings ("5m", "1h30m", "90s") as the engine parses customTimeouts."""
    if not text:
        return 0.0
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    total, number = 0.0, ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isdigit() or ch == ".":
            number += ch
            i += 1
            continue
        unit = "ms" if text.startswith("ms", i) else ch
        total += float(number or 0) * units.get(unit, 0.0)
        number = ""
        i += len(unit)
    return total


def timeouts_from_strings(
    create: str, update: str, delete: str
) -> tuple[float, float, float] | None:
    if not (create or update or delete):
        return None
    return (_duration_seconds(create), _duration_seconds(update), _duration_seconds(delete))


def _options_pb(opts: ResourceOptions) -> analyzer_pb2.AnalyzerResourceOptions:
    msg = analyzer_pb2.AnalyzerResourceOptions(
        protect=opts.protect,
        ignoreChanges=list(opts.ignore_changes),
        deleteBeforeReplace=bool(opts.delete_before_replace),
        deleteBeforeReplaceDefined=opts.delete_before_replace is not None,
        additionalSecretOutputs=list(opts.additional_secret_outputs),
        aliases=list(opts.aliases),
        parent=opts.parent,
    )
    create, update, delete = opts.custom_timeouts or (0.0, 0.0, 0.0)
    # The engine always sends a CustomTimeouts message (zeros when unset).
    msg.customTimeouts.CopyFrom(
        analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
            create=create, update=update, delete=delete
        )
    )
    return msg


def _provider_pb(provider: ProviderResource | None) -> analyzer_pb2.AnalyzerProviderResource | None:
    if provider is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        urn=provider.urn,
        type=provider.type,
        name=provider.name,
        properties=wire_to_struct(provider.properties),
    )


def _policy_info(p: Any) -> PolicyInfo:
    schema = None
    if p.HasField("configSchema"):
        props = json_format.MessageToDict(p.configSchema.properties)
        schema = ConfigSchema(props, tuple(p.configSchema.required))
    return PolicyInfo(
        name=p.name,
        description=p.description,
        enforcement_level=_PROTO_TO_LEVEL.get(p.enforcementLevel, "advisory"),
        config_schema=schema,
        display_name=p.displayName,
        policy_type=_POLICY_TYPES.get(p.policy_type, "unknown"),  # type: ignore[arg-type]
    )


class AnalyzerClient:
    """Typed calls over the generated ``AnalyzerStub``; gRPC failures become PolicyPackError."""

    def __init__(self, channel: grpc.Channel, label: str, version_override: str = "") -> None:
        self._stub = analyzer_pb2_grpc.AnalyzerStub(channel)
        self._label = label
        self._version = version_override  # PulumiPolicy.yaml's version wins, as in the CLI
        self.on_error: Any = None  # set by the host to append the pack's stderr tail

    def _call(self, method: str, request: Any, *, optional: bool = False) -> Any:
        try:
            return getattr(self._stub, method)(request)
        except grpc.RpcError as exc:
            code = exc.code() if hasattr(exc, "code") else None
            if optional and code == grpc.StatusCode.UNIMPLEMENTED:
                return None
            details = exc.details() if hasattr(exc, "details") else str(exc)
            message = f"{method} failed ({code.name if code else 'error'}): {details}"
            if self.on_error is not None:
                message = self.on_error(message)
            raise PolicyPackError(message, self._label) from exc

    def handshake(self, engine_address: str, pack_dir: str) -> None:
        request = analyzer_pb2.AnalyzerHandshakeRequest(
            engine_address=engine_address, root_directory=pack_dir, program_directory=pack_dir
        )
        self._call("Handshake", request, optional=True)

    def configure_stack(
        self,
        *,
        project: str,
        stack: str,
        organization: str,
        dry_run: bool,
        config: Mapping[str, str],
        secret_keys: Sequence[str],
    ) -> None:
        request = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=stack,
            project=project,
            organization=organization,
            dry_run=dry_run,
            config=dict(config),
            config_secret_keys=list(secret_keys),
        )
        self._call("ConfigureStack", request, optional=True)

    def get_analyzer_info(self) -> AnalyzerInfo:
        resp = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        initial = {
            name: PolicyConfig(
                _PROTO_TO_LEVEL.get(cfg.enforcementLevel),
                json_format.MessageToDict(cfg.properties),
            )
            for name, cfg in resp.initialConfig.items()
        }
        return AnalyzerInfo(
            name=resp.name,
            version=self._version or resp.version,
            supports_config=resp.supportsConfig,
            policies=tuple(sorted((_policy_info(p) for p in resp.policies), key=lambda p: p.name)),
            initial_config=initial,
        )

    def configure(self, config: Mapping[str, PolicyConfig]) -> None:
        if not config:
            return  # the CLI skips Configure when there is nothing to send
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, cfg in config.items():
            entry = request.policyConfig[name]
            entry.enforcementLevel = _LEVEL_TO_PROTO[cfg.enforcement_level or "advisory"]
            entry.properties.update(dict(cfg.properties))
        self._call("Configure", request)

    def _diagnostics(self, resp: Any, urn_override: str | None) -> list[Diagnostic]:
        return [
            Diagnostic(
                policy_name=d.policyName,
                policy_pack_name=d.policyPackName,
                policy_pack_version=self._version or d.policyPackVersion,
                enforcement_level=_PROTO_TO_LEVEL.get(d.enforcementLevel, "advisory"),
                # The engine reports Analyze diagnostics against the analyzed resource.
                urn=urn_override if urn_override is not None else d.urn,
                message=d.message,
                description=d.description,
            )
            for d in resp.diagnostics
        ]

    def analyze(self, resource: AnalyzerResource) -> list[Diagnostic]:
        request = analyzer_pb2.AnalyzeRequest(
            type=resource.type,
            properties=wire_to_struct(resource.properties),
            urn=resource.urn,
            name=resource.name,
            options=_options_pb(resource.options),
            provider=_provider_pb(resource.provider),
        )
        return self._diagnostics(self._call("Analyze", request), resource.urn)

    def analyze_stack(self, resources: Sequence[AnalyzerResource]) -> list[Diagnostic]:
        request = analyzer_pb2.AnalyzeStackRequest()
        for r in resources:
            msg = request.resources.add(
                type=r.type,
                properties=wire_to_struct(r.properties),
                urn=r.urn,
                name=r.name,
                options=_options_pb(r.options),
                provider=_provider_pb(r.provider),
                parent=r.parent,
                dependencies=list(r.dependencies),
            )
            for key, urns in r.property_dependencies.items():
                if urns:  # the engine skips properties with no dependencies
                    msg.propertyDependencies[key].urns.extend(urns)
        resp = self._call("AnalyzeStack", request, optional=True)
        return [] if resp is None else self._diagnostics(resp, None)


class _StreamDrain:
    """Reads a pipe on a thread: hands over the first line, keeps a tail of the rest.

    Both pipes must be drained for the pack's whole life: policies that ``print`` write to
    stdout after the port line, and a full pipe would block the pack.
    """

    def __init__(self, stream: IO[bytes], first_line: bool) -> None:
        self.first: queue.Queue[bytes | None] = queue.Queue(maxsize=1)
        self.tail: deque[str] = deque(maxlen=_STDERR_TAIL)
        self._want_first = first_line
        self._thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self._thread.start()

    def _run(self, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            if self._want_first:
                self._want_first = False
                self.first.put(raw)
                continue
            self.tail.append(raw.decode("utf-8", "replace").rstrip("\n"))
        if self._want_first:
            self.first.put(None)  # EOF before the first line

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


class PolicyPackHost:
    """A running pack process plus its client; use via :func:`start_policy_pack`."""

    def __init__(
        self,
        manifest: PackManifest,
        *,
        project: str,
        stack: str,
        config: Mapping[str, str],
        secret_keys: Sequence[str] = (),
        dry_run: bool = True,
        organization: str = "organization",
        python: str = sys.executable,
    ) -> None:
        self.manifest = manifest
        self.label = manifest.label
        self._config = dict(config)
        self._secret_keys = list(secret_keys)
        self._project, self._stack, self._org = project, stack, organization
        self._dry_run = dry_run
        self.engine = EngineServer()
        args = [python, "-u", "-m", "pulumi.policy", self.engine.address, "."]
        args += [f"-{k}={v}" for k, v in manifest.runtime_options.items() if str(v) != ""]
        env = dict(os.environ)
        if self._config:
            env["PULUMI_CONFIG"] = json.dumps(self._config)
        env.update(
            PULUMI_PROJECT=project,
            PULUMI_STACK=stack,
            PULUMI_DRY_RUN="true" if dry_run else "false",
        )
        try:
            self._proc = subprocess.Popen(
                args,
                cwd=manifest.directory,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            self.engine.stop()
            raise PolicyPackError(f"cannot start {python}: {exc}", self.label) from exc
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._stdout = _StreamDrain(self._proc.stdout, first_line=True)
        self._stderr = _StreamDrain(self._proc.stderr, first_line=False)
        self._channel: grpc.Channel | None = None
        self._client: AnalyzerClient | None = None

    @property
    def pid(self) -> int:
        return self._proc.pid

    def stderr_tail(self) -> list[str]:
        return list(self._stderr.tail)

    def stdout_tail(self) -> list[str]:
        return list(self._stdout.tail)

    def engine_logs(self) -> list[LogRecord]:
        return self.engine.records

    def _with_stderr(self, message: str) -> str:
        self._stderr.join(0.2)
        tail = [line for line in self._stderr.tail if line.strip()]
        if tail:
            message += " | pack stderr: " + " / ".join(tail[-5:])
        return message

    def connect(self, timeout: float = 60.0) -> AnalyzerClient:
        """Wait for the port line, dial, then Handshake and ConfigureStack as the CLI does."""
        if self._client is not None:
            return self._client
        try:
            line = self._stdout.first.get(timeout=timeout)
        except queue.Empty:
            raise PolicyPackError(
                self._with_stderr(f"policy pack did not print its port within {timeout:.0f}s"),
                self.label,
            ) from None
        if line is None:
            code = self._proc.wait(timeout=5)
            raise PolicyPackError(
                self._with_stderr(f"policy pack exited with code {code} before printing its port"),
                self.label,
            )
        text = line.decode("utf-8", "replace").strip()
        if not text.isdigit():
            raise PolicyPackError(
                self._with_stderr(
                    f"policy pack printed {text[:80]!r} instead of its gRPC port "
                    "(nothing may print to stdout before the pack starts)"
                ),
                self.label,
            )
        self._channel = grpc.insecure_channel(f"127.0.0.1:{int(text)}", options=_CHANNEL_OPTIONS)
        try:
            grpc.channel_ready_future(self._channel).result(timeout=timeout)
        except grpc.FutureTimeoutError:
            raise PolicyPackError(
                self._with_stderr(f"cannot connect to the policy pack on port {text}"), self.label
            ) from None
        client = AnalyzerClient(self._channel, self.label, self.manifest.version)
        client.on_error = self._with_stderr
        client.handshake(self.engine.address, str(self.manifest.directory))
        client.configure_stack(
            project=self._project,
            stack=self._stack,
            organization=self._org,
            dry_run=self._dry_run,
            config=self._config,
            secret_keys=self._secret_keys,
        )
        self._client = client
        return client

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
        self._stdout.join(1)
        self._stderr.join(1)
        for pipe in (self._proc.stdout, self._proc.stderr):
            if pipe is not None:
                pipe.close()
        self.engine.stop()


@contextmanager
def start_policy_pack(
    pack_dir: Path,
    *,
    project: str,
    stack: str,
    config: Mapping[str, str] | None = None,
    secret_keys: Sequence[str] = (),
    dry_run: bool = True,
) -> Iterator[PolicyPackHost]:
    """Start the pack process; it is always killed on exit. Call ``connect()`` to use it."""
    host = PolicyPackHost(
        read_manifest(pack_dir),
        project=project,
        stack=stack,
        config=config or {},
        secret_keys=secret_keys,
        dry_run=dry_run,
    )
    try:
        yield host
    finally:
        host.close()
