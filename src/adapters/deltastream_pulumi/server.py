"""Serving the provider over gRPC the way the engine launches plugins
(docs/reference/pulumi-protocol.md#plugin-launch).

Not the SDK's ``main()`` (bug #11: it ignores its ``args`` and takes ``--tracing``'s value for
the engine address): the engine address is the *last argument not starting with ``-``*, the
port is the only thing ever written to stdout, and SIGINT/SIGTERM cancel waits, let in-flight
RPCs answer, then stop the embedded server and the HTTP client before the process exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import grpc.aio
import structlog
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2_grpc

from deltastream_core.registry import Registry
from deltastream_pulumi.engine_log import EngineChannel
from deltastream_pulumi.provider import DeltaStreamProvider
from deltastream_pulumi.schema import package_version
from deltastream_pulumi.servicer import DeltaStreamServicer

log = structlog.get_logger(__name__)

#: seconds in-flight RPCs get to answer after SIGINT/SIGTERM (the engine kills after 5 s)
SHUTDOWN_GRACE = 4.0


def engine_address(args: Sequence[str]) -> str | None:
    """Bug #11: the engine address is the last argument that is not a flag.

    ``--tracing <url>`` and ``-v=9`` come first; a flag's separate value (``--tracing http://t``)
    is never last because the engine always appends its address.
    """
    positional = [a for a in args if a and not a.startswith("-")]
    return positional[-1] if positional else None


async def start(
    args: Sequence[str] = (),
    *,
    registry: Registry | None = None,
    version: str | None = None,
    project_dir: Path | None = None,
    host: str = "127.0.0.1",
) -> tuple[grpc.aio.Server, int, DeltaStreamProvider]:
    """Start the gRPC server on ``host:0``; returns the server, its port and the provider."""
    version = version or package_version()
    engine = EngineChannel(engine_address(args))
    provider = DeltaStreamProvider(
        registry, version=version, engine=engine, project_dir=project_dir
    )
    servicer = DeltaStreamServicer(provider, version=version, engine=engine, args=list(args))
    server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
    port = server.add_insecure_port(f"{host}:0")
    await server.start()
    return server, port, provider


async def serve(args: Sequence[str], port_out: IO[bytes]) -> None:
    """Run until SIGINT/SIGTERM (or the server stops); ``<port>\\n`` goes to ``port_out``."""
    server, port, provider = await start(args)
    port_out.write(f"{port}\n".encode())
    port_out.flush()
    log.info("serving", port=port, engine=engine_address(args), version=provider.version)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    stopped = asyncio.create_task(stop.wait())
    terminated = asyncio.create_task(server.wait_for_termination())
    await asyncio.wait({stopped, terminated}, return_when=asyncio.FIRST_COMPLETED)
    log.info("shutting down")
    # Like the engine's Cancel: waits end at once and steps whose write applied answer a
    # partial failure (their id); the grace lets those answers and in-flight writes finish
    # before the client closes, so no applied write goes unanswered.
    await provider.cancel()
    await server.stop(grace=SHUTDOWN_GRACE)
    try:
        await asyncio.wait_for(provider.aclose(), timeout=6.0)
    except Exception as exc:  # shutting down: report, never hang
        log.warning("cleanup failed", error=str(exc))
    for task in (stopped, terminated):
        task.cancel()
