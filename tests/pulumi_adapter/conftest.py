"""Fixtures: the test registry and the provider served in-process over gRPC."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc.aio
import pytest
from pulumi.runtime.proto import engine_pb2_grpc, provider_pb2_grpc

from deltastream_core.registry import Registry
from deltastream_pulumi import redaction
from deltastream_pulumi.server import start
from pulumi_adapter.widgets import Calls, Engine, GetWidgets, Served, WidgetKind


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def registry(calls: Calls) -> Registry:
    reg = Registry()
    reg.add_kind(WidgetKind(calls))
    reg.add_function(GetWidgets(calls))
    return reg


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _forget_secrets() -> Any:
    yield
    redaction.forget_secrets()


@pytest.fixture
async def served(registry: Registry, tmp_path: Any) -> AsyncIterator[Served]:
    """The provider served over gRPC in this event loop, with a recording Engine."""
    engine = Engine()
    engine_server = grpc.aio.server()
    engine_pb2_grpc.add_EngineServicer_to_server(engine, engine_server)
    engine_port = engine_server.add_insecure_port("127.0.0.1:0")
    await engine_server.start()
    server, port, provider = await start(
        [f"127.0.0.1:{engine_port}"], registry=registry, version="1.2.3", project_dir=tmp_path
    )
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield Served(provider_pb2_grpc.ResourceProviderStub(channel), engine, provider, port)
    finally:
        await channel.close()
        await provider.aclose()
        await server.stop(None)
        await engine_server.stop(None)
