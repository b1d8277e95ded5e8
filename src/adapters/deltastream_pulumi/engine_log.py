"""The :class:`~deltastream_core.ports.EngineLog` port over the engine's ``Engine.Log`` RPC.

Messages are attached to the resource's URN so the CLI shows them on its row. The port is
synchronous (kinds call ``ctx.log.info(...)`` anywhere), so each message is sent by a task on
the running loop and the provider awaits :meth:`ResourceLog.flush` before answering — nothing
blocks the event loop and nothing is lost when the RPC returns.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import grpc
import grpc.aio
import structlog
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from deltastream_pulumi.redaction import scrub

log = structlog.get_logger(__name__)


class EngineChannel:
    """One lazily opened channel to the engine (absent in attach-less unit tests)."""

    def __init__(self, address: str | None) -> None:
        self.address = address or None
        self._channel: grpc.aio.Channel | None = None
        self._stub: Any = None

    def set_address(self, address: str) -> None:
        """Attach mode: the engine tells its address after start-up."""
        if address and address != self.address:
            self.address = address
            self._channel, self._stub = None, None

    def stub(self) -> Any:
        if self.address is None:
            return None
        if self._stub is None:
            self._channel = grpc.aio.insecure_channel(self.address)
            self._stub = engine_pb2_grpc.EngineStub(self._channel)
        return self._stub

    async def close(self) -> None:
        channel, self._channel, self._stub = self._channel, None, None
        if channel is not None:
            await channel.close()


class ResourceLog:
    """Engine log messages for one resource operation (implements ``EngineLog``)."""

    def __init__(self, channel: EngineChannel, urn: str = "") -> None:
        self._channel = channel
        self.urn = urn
        self._pending: set[asyncio.Task[Any]] = set()

    def info(self, message: str) -> None:
        self._send(engine_pb2.INFO, message)

    def warning(self, message: str) -> None:
        self._send(engine_pb2.WARNING, message)

    def _send(self, severity: engine_pb2.LogSeverity.ValueType, message: str) -> None:
        text = scrub(message)
        log.info("engine log", urn=self.urn, severity=severity, message=text)
        stub = self._channel.stub()
        if stub is None:
            return
        request = engine_pb2.LogRequest(severity=severity, message=text, urn=self.urn)
        try:
            task = asyncio.get_running_loop().create_task(self._log(stub, request))
        except RuntimeError:  # no running loop: nothing to schedule on (never in the provider)
            return
        self._pending.add(task)
        task.add_done_callback(self._done)

    @staticmethod
    async def _log(stub: Any, request: engine_pb2.LogRequest) -> None:
        await stub.Log(request)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("engine log failed", error=str(task.exception()))

    async def flush(self, timeout: float = 5.0) -> None:
        """Wait until every message sent so far reached the engine (or ``timeout``)."""
        if self._pending:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait(set(self._pending), timeout=timeout)
