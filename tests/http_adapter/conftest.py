"""Fixtures for the HTTP adapter suite: one real ``deltastream-local`` subprocess per module.

Every test talks to that server over loopback; faults (429, 503, dropped connections,
latency) and slow statements are switched on through its ``/_local`` admin endpoints and
switched off again after each test, so tests can share the server without affecting each
other (object names are unique per test).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from deltastream_core.waiting import SystemClock
from deltastream_http import DeltaStreamClient, PollBackoff, RetryPolicy
from deltastream_local.testing import LocalServer, local_server_fixture

ds_server = local_server_fixture()

#: retries fast enough for tests; Retry-After still wins when the server sends it
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05)


class RecordingClock:
    """The real clock, remembering every sleep the client asked for (to assert on backoff)."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self._real = SystemClock()

    def monotonic(self) -> float:
        return self._real.monotonic()

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await self._real.sleep(seconds)


@pytest.fixture
def server(ds_server: LocalServer) -> Iterator[LocalServer]:
    """The module's server with clean faults, default options and zeroed request counters."""
    options = ds_server.admin("options")
    ds_server.reset_faults()
    ds_server.reset_stats()
    yield ds_server
    ds_server.reset_faults()
    ds_server.set_options(**options)


@pytest.fixture
def unique() -> Callable[[str], str]:
    def make(prefix: str = "obj") -> str:
        return f"{prefix}_{uuid.uuid4().hex[:10]}"

    return make


@pytest.fixture
def clock() -> RecordingClock:
    return RecordingClock()


@pytest.fixture
def make_client(server: LocalServer, clock: RecordingClock) -> Callable[..., DeltaStreamClient]:
    """``make_client(**overrides)``: a client on the server with test-friendly retries."""

    def make(**overrides: Any) -> DeltaStreamClient:
        kwargs: dict[str, Any] = {"retry": FAST_RETRY, "clock": clock, "poll": PollBackoff()}
        kwargs.update(overrides)
        url = kwargs.pop("url", server.url)
        token = kwargs.pop("token", server.token)
        return DeltaStreamClient(url, token, **kwargs)

    return make


def settled_stats(server: LocalServer) -> dict[str, Any]:
    """``/_local/stats`` once it stops changing.

    The server counts a request after it has sent the answer, so a count read right after
    the client got its answer can lag by one; read until two snapshots 30 ms apart agree.
    """
    previous = server.stats()
    for _ in range(30):
        time.sleep(0.03)
        current = server.stats()
        if current["requests"] == previous["requests"]:
            return current
        previous = current
    return previous


def count(server: LocalServer, route: str) -> int:
    """Requests the server saw on ``route`` (e.g. ``"POST /v2/statements"``) since the reset."""
    return int(settled_stats(server)["requests"].get(route, 0))
