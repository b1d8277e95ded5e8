"""Pending statements (202) are polled early and adaptively; large results come in full."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from deltastream_core.errors import TimeoutError_
from deltastream_http import DeltaStreamClient
from deltastream_local.testing import LocalServer

from .conftest import RecordingClock, count, settled_stats
from .helpers import CONTEXT, create_database, list_databases

MakeClient = Callable[..., DeltaStreamClient]
POLL = "GET /v2/statements/{statementID}"


def test_pending_statement_is_polled_within_50ms_and_backs_off(
    server: LocalServer,
    make_client: MakeClient,
    clock: RecordingClock,
    unique: Callable[[str], str],
) -> None:
    """A 300 ms statement answered 202 costs a handful of polls, not a 1 s (or 5 s) wait."""
    server.set_options(async_threshold=0.0, statement_delay=0.3)
    name = unique("db")

    async def scenario() -> float:
        async with make_client() as client:
            started = time.perf_counter()
            result = await client.run(create_database(name), CONTEXT)
            assert result.rows[0][1] == name
            return time.perf_counter() - started

    elapsed = asyncio.run(scenario())
    polls = count(server, POLL)
    assert settled_stats(server)["responses"].get("202", 0) >= 2  # the POST and at least one poll
    assert clock.sleeps[0] <= 0.05  # the first poll goes out within 50 ms of the 202
    assert all(b > a for a, b in zip(clock.sleeps, clock.sleeps[1:], strict=False))
    assert max(clock.sleeps) <= 1.0
    assert 2 <= polls <= 6, polls
    assert elapsed < 0.3 + 0.25, elapsed  # done soon after the statement is
    assert count(server, "POST /v2/statements") == 1


def test_long_statement_polls_at_most_once_a_second(
    server: LocalServer,
    make_client: MakeClient,
    clock: RecordingClock,
    unique: Callable[[str], str],
) -> None:
    server.set_options(async_threshold=0.0, statement_delay=2.5)

    async def scenario() -> None:
        async with make_client() as client:
            await client.run(create_database(unique("db")), CONTEXT)

    asyncio.run(scenario())
    polls = count(server, POLL)
    assert clock.sleeps[-1] == pytest.approx(1.0)
    assert polls <= 12, polls  # geometric start, then 1/s: far below a busy poll


def test_statement_timeout_bounds_polling(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    server.set_options(async_threshold=0.0, statement_delay=3.0)

    async def scenario() -> None:
        async with make_client(statement_timeout=0.6) as client:
            await client.run(create_database(unique("db")), CONTEXT)

    started = time.perf_counter()
    with pytest.raises(TimeoutError_) as raised:
        asyncio.run(scenario())
    assert time.perf_counter() - started < 1.5
    assert "still running" in str(raised.value)


def test_every_partition_is_fetched_in_order(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    """With 2 rows per partition, a 7+ row result needs GETs of partitions 1..n-1."""
    names = sorted(unique("part") for _ in range(7))

    async def scenario() -> None:
        async with make_client() as client:
            for name in names:
                await client.run(create_database(name), CONTEXT)
            whole = await client.run(list_databases(), CONTEXT)
            server.set_options(partition_size=2)
            server.reset_stats()
            split = await client.run(list_databases(), CONTEXT)
            assert split.rows == whole.rows
            assert split.columns == whole.columns
            assert split.statement_id
            assert set(names) <= {row[0] for row in split.rows}
            expected_partitions = -(-len(whole.rows) // 2)
            assert count(server, POLL) == expected_partitions - 1
            assert count(server, "POST /v2/statements") == 1

    asyncio.run(scenario())


def test_pending_statement_with_partitions(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    """A 202 then a multi-partition result: polls ask for partition 0, then the rest follow."""
    names = [unique("pp") for _ in range(3)]

    async def scenario() -> None:
        async with make_client() as client:
            for name in names:
                await client.run(create_database(name), CONTEXT)
            server.set_options(
                partition_size=1,
                async_threshold=0.0,
                statement_delay=0.2,
                statement_delay_matching="ORDER BY name",
            )
            result = await client.run(list_databases(), CONTEXT)
            assert set(names) <= {row[0] for row in result.rows}
            assert [row[0] for row in result.rows] == sorted(row[0] for row in result.rows)

    asyncio.run(scenario())
