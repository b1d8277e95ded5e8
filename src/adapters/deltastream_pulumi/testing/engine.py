"""A minimal ``pulumirpc.Engine`` gRPC server: the address a provider gets on its command line.

It records every ``Log`` call so tests can assert on progress messages, warnings and the
absence of secrets; the other Engine RPCs answer like a quiet engine would.
"""

from __future__ import annotations

import threading
import time
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

#: ``LogSeverity`` numbers to names (proto: DEBUG=0, INFO=1, WARNING=2, ERROR=3)
SEVERITY_NAMES = {0: "DEBUG", 1: "INFO", 2: "WARNING", 3: "ERROR"}


@dataclass(frozen=True)
class LogRecord:
    """One ``Engine.Log`` call."""

    severity: str
    message: str
    urn: str
    stream_id: int
    ephemeral: bool
    timestamp: float


class _EngineServicer(engine_pb2_grpc.EngineServicer):
    def __init__(self, owner: EngineLogServer) -> None:
        self._owner = owner

    def Log(self, request: Any, context: grpc.ServicerContext) -> Any:
        severity = SEVERITY_NAMES.get(request.severity)
        if severity is None:  # the engine refuses unknown severities
            context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"Unrecognized logging severity: {request.severity}",
            )
        self._owner._record(
            LogRecord(
                severity=severity or "",
                message=request.message,
                urn=request.urn,
                stream_id=request.streamId,
                ephemeral=request.ephemeral,
                timestamp=time.time(),
            )
        )
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: grpc.ServicerContext) -> Any:
        return engine_pb2.GetRootResourceResponse(urn=self._owner.root_urn)

    def SetRootResource(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._owner.root_urn = request.urn
        return engine_pb2.SetRootResourceResponse()

    def StartDebugging(self, request: Any, context: grpc.ServicerContext) -> Any:
        return empty_pb2.Empty()

    def RequirePulumiVersion(self, request: Any, context: grpc.ServicerContext) -> Any:
        return engine_pb2.RequirePulumiVersionResponse()


class EngineLogServer:
    """Serve ``pulumirpc.Engine`` on a free loopback port and record its ``Log`` calls.

    Use as a context manager, or call :meth:`start` / :meth:`stop`::

        with EngineLogServer() as engine:
            ProviderProcess(engine) ...
            assert not engine.records(severity="ERROR")
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[LogRecord] = []
        self._server: grpc.Server | None = None
        self.root_urn = ""
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> EngineLogServer:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="engine"))
        engine_pb2_grpc.add_EngineServicer_to_server(_EngineServicer(self), server)
        self.port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(grace=1.0).wait(2.0)
            self._server = None

    def __enter__(self) -> EngineLogServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def address(self) -> str:
        """``127.0.0.1:<port>``, the argument the engine passes to a plugin."""
        if not self.port:
            raise RuntimeError("EngineLogServer is not started")
        return f"127.0.0.1:{self.port}"

    # -- records -----------------------------------------------------------------------------
    def _record(self, record: LogRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(
        self, severity: str | None = None, *, urn: str | None = None, contains: str | None = None
    ) -> list[LogRecord]:
        """The recorded log calls, optionally filtered by severity name, URN or substring."""
        with self._lock:
            found = list(self._records)
        return [
            r
            for r in found
            if (severity is None or r.severity == severity.upper())
            and (urn is None or r.urn == urn)
            and (contains is None or contains in r.message)
        ]

    def messages(self, severity: str | None = None) -> list[str]:
        """Just the message texts."""
        return [r.message for r in self.records(severity)]

    def mark(self) -> int:
        """A position to pass to :meth:`since`, to look only at what a step logged."""
        with self._lock:
            return len(self._records)

    def since(self, mark: int) -> list[LogRecord]:
        """Records logged after :meth:`mark` returned ``mark``."""
        with self._lock:
            return list(self._records[mark:])

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def text(self) -> str:
        """Every message, one per line, with its severity (for leak assertions and failures)."""
        return "\n".join(f"{r.severity} {r.urn} {r.message}" for r in self.records())
