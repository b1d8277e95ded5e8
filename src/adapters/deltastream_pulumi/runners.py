"""The provider's :class:`~deltastream_core.ports.StatementRunner`, built from its config.

One runner per provider process (one pooled HTTP client). It is created on first use, so
Configure stays instant and a process that only previews never opens a connection or
starts the embedded server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from deltastream_core.ports import ResultSet, Statement, StatementContext, StatementRunner
from deltastream_pulumi.config import ProviderConfig, default_max_concurrent_requests
from deltastream_pulumi.local_server import EmbeddedServer


class ClosableRunner(StatementRunner, Protocol):
    async def aclose(self) -> None: ...


class LazyRunner:
    """A runner that builds the real one (and the embedded server) on the first statement."""

    def __init__(
        self,
        factory: Callable[[], Awaitable[ClosableRunner]],
        *,
        local: EmbeddedServer | None = None,
    ) -> None:
        self._factory = factory
        self._runner: ClosableRunner | None = None
        self._lock = asyncio.Lock()
        self.local = local

    async def _get(self) -> ClosableRunner:
        if self._runner is None:
            async with self._lock:
                if self._runner is None:
                    self._runner = await self._factory()
        return self._runner

    async def run(self, statement: Statement, context: StatementContext) -> ResultSet:
        runner = await self._get()
        return await runner.run(statement, context)

    async def aclose(self) -> None:
        """Close the HTTP client and stop the embedded server, if they were started."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.aclose()
        if self.local is not None:
            await self.local.stop()


def _client(server: str, api_key: Any, config: ProviderConfig) -> ClosableRunner:
    from deltastream_http.client import DeltaStreamClient  # the HTTP adapter, loaded on demand

    client: ClosableRunner = DeltaStreamClient(
        server,
        api_key,
        session_id=config.session_id,
        insecure_skip_verify=config.insecure_skip_verify,
        max_in_flight=config.max_concurrent_requests or default_max_concurrent_requests(),
    )
    return client


def make_runner(config: ProviderConfig, *, project_dir: Path, stack: str) -> LazyRunner:
    """The runner for ``config``: DeltaStream over HTTP, or the embedded local server."""
    if config.is_local:
        local = EmbeddedServer(project_dir, stack)

        async def start_local() -> ClosableRunner:
            url = await local.start()
            return _client(url, local.token, config)

        return LazyRunner(start_local, local=local)

    server, api_key = config.server, config.api_key
    if not server or api_key is None:
        raise ValueError("server and apiKey are required")  # Configure checks this first

    async def connect() -> ClosableRunner:
        return _client(server, api_key, config)

    return LazyRunner(connect)
