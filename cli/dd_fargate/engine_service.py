"""A minimal ``pulumirpc.Engine`` server: the address the CLI hands every plugin.

The Python policy runtime (``python -m pulumi.policy``) takes the engine address as its first
argument but, in pulumi 3.272 / pulumi-policy 1.21, never dials it (``pulumi.log`` falls back
to stderr) and does not implement ``Handshake``. We still serve a real Engine so the address we
pass is live: a pack that does log through the engine gets its messages collected here.
"""

from __future__ import annotations

import threading
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

_SEVERITY = {
    engine_pb2.DEBUG: "debug",
    engine_pb2.INFO: "info",
    engine_pb2.WARNING: "warning",
    engine_pb2.ERROR: "error",
}


@dataclass(frozen=True)
class LogRecord:
    severity: str
    message: str
    urn: str


class _Engine(engine_pb2_grpc.EngineServicer):
    def __init__(self) -> None:
        self.records: list[LogRecord] = []
        self._lock = threading.Lock()
        self._root = ""

    def Log(self, request: Any, context: Any) -> empty_pb2.Empty:
        with self._lock:
            self.records.append(
                LogRecord(_SEVERITY.get(request.severity, "info"), request.message, request.urn)
            )
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:
        return engine_pb2.GetRootResourceResponse(urn=self._root)

    def SetRootResource(self, request: Any, context: Any) -> Any:
        self._root = request.urn
        return engine_pb2.SetRootResourceResponse()


class EngineServer:
    """Serves ``Engine`` on 127.0.0.1 on a free port until ``stop``."""

    def __init__(self) -> None:
        self._servicer = _Engine()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        engine_pb2_grpc.add_EngineServicer_to_server(self._servicer, self._server)
        port = self._server.add_insecure_port("127.0.0.1:0")
        self.address = f"127.0.0.1:{port}"
        self._server.start()

    @property
    def records(self) -> list[LogRecord]:
        return list(self._servicer.records)

    def stop(self) -> None:
        self._server.stop(grace=None)
