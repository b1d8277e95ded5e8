"""Helpers around a :class:`deltastream_local.testing.LocalServer` for provider tests:
unique names, out-of-band statements and HTTP request counting via ``/_local/stats``."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from deltastream_local.testing import LocalServer


def unique_name(prefix: str = "t") -> str:
    """A fresh object name, so tests can share one server."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def api_requests(server: LocalServer) -> Counter[str]:
    """API requests served so far per route (``"POST /v2/statements"`` …); admin excluded."""
    requests = server.stats()["requests"]
    return Counter({route: int(n) for route, n in requests.items()})


def statement_requests(server: LocalServer) -> int:
    """Statement requests served so far: submissions, polls and partition fetches."""
    return sum(n for route, n in api_requests(server).items() if "/statements" in route)


class RequestCounter:
    """Count the API requests a block sends: ``with RequestCounter(server) as c: ...``;
    then ``c.total`` and ``c.by_route``. Counts every client of the server, so keep other
    traffic out of the block."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.by_route: Counter[str] = Counter()
        self._before: Counter[str] = Counter()

    def __enter__(self) -> RequestCounter:
        self._before = api_requests(self.server)
        return self

    def __exit__(self, *exc: object) -> None:
        after = api_requests(self.server)
        self.by_route = Counter(
            {k: after[k] - self._before.get(k, 0) for k in after if after[k] != self._before[k]}
        )

    @property
    def total(self) -> int:
        return sum(self.by_route.values())


def run_sql(server: LocalServer, statement: str, **fields: Any) -> list[list[Any]]:
    """Run one statement out of band (as another client would) and return its rows; a SQL
    error raises ``RuntimeError`` with the server's message."""
    result = server.run(statement, **fields)
    if result.get("sqlState") != "00000":
        raise RuntimeError(f"{statement!r}: {result.get('sqlState')} {result.get('message')}")
    rows: list[list[Any]] = result.get("data") or []
    return rows
