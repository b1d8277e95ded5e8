"""Retries against faults the real server injects: refused requests, lost answers, probes.

The rule under test: a READ is repeated freely; a WRITE is repeated only when it provably
did not run; a WRITE whose answer was lost is settled by its effect probe, never blindly
repeated (no duplicate) and never reported as failed when it applied (no lost create).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from deltastream_core.errors import (
    AmbiguousOutcomeError,
    PermissionError_,
    TransientError,
)
from deltastream_core.ports import EffectProbe, ResultSet, Statement, StatementContext
from deltastream_http import DeltaStreamClient, RetryPolicy
from deltastream_local.testing import LocalServer

from .conftest import RecordingClock, count, settled_stats
from .helpers import CONTEXT, create_database, database_exists, drop_database, list_databases

MakeClient = Callable[..., DeltaStreamClient]
POST = "POST /v2/statements"


def _run(
    client: DeltaStreamClient, statement: Statement, context: StatementContext = CONTEXT
) -> ResultSet:
    async def scenario() -> ResultSet:
        async with client:
            return await client.run(statement, context)

    return asyncio.run(scenario())


def _exists(server: LocalServer, name: str) -> bool:
    body = server.run(f"SELECT name FROM deltastream.sys.\"databases\" WHERE name = '{name}';")
    return bool(body.get("data"))


def test_429_retry_after_is_honoured(
    server: LocalServer, make_client: MakeClient, clock: RecordingClock
) -> None:
    server.set_faults(rate_limit_next=1, retry_after=1)
    result = _run(make_client(), list_databases())
    assert result.statement_id
    assert clock.sleeps == [1.0]  # the server's Retry-After, not our 10 ms backoff
    stats = settled_stats(server)
    assert stats["requests"][POST] == 2
    assert stats["responses"] == {"429": 1, "200": 1}


def test_retry_after_is_capped(
    server: LocalServer, make_client: MakeClient, clock: RecordingClock
) -> None:
    server.set_faults(rate_limit_next=1, retry_after=30)
    _run(make_client(retry=RetryPolicy(max_retry_after=0.2)), list_databases())
    assert clock.sleeps == [0.2]


def test_503_is_retried_even_for_a_write(
    server: LocalServer,
    make_client: MakeClient,
    clock: RecordingClock,
    unique: Callable[[str], str],
) -> None:
    """503 means the server refused without executing: repeating a CREATE is safe."""
    server.set_faults(unavailable_next=2, retry_after=0)
    name = unique("db")
    created = _run(make_client(), create_database(name, probe=False))
    assert created.rows[0][1] == name and not created.reconciled
    assert count(server, POST) == 3
    assert len(clock.sleeps) == 2


def test_refusals_beyond_the_attempt_budget_surface_as_transient(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.set_faults(rate_limit_next=10, retry_after=0)
    with pytest.raises(TransientError) as raised:
        _run(make_client(retry=RetryPolicy(max_attempts=3, base_delay=0.01)), list_databases())
    assert "HTTP 429" in str(raised.value)
    assert raised.value.retry_after == 0
    assert count(server, POST) == 3


def test_lost_answer_to_create_is_reconciled_by_the_probe(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    """The server creates the database, then drops the connection: no error, no duplicate."""
    server.set_faults(drop_after_apply_next=1)
    name = unique("db")
    executed_before = settled_stats(server)["statements"]["executed"]
    result = _run(make_client(), create_database(name))
    assert result.reconciled and len(result) == 0
    stats = settled_stats(server)
    assert stats["faults"] == {"dropped": 1}
    # the dropped CREATE and the probe; the CREATE is not sent again
    assert stats["requests"][POST] == 2
    assert stats["statements"]["executed"] - executed_before == 2
    assert _exists(server, name)


def test_lost_answer_to_drop_is_reconciled_by_the_probe(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    name = unique("db")
    _run(make_client(), create_database(name))
    server.set_faults(drop_after_apply_next=1)
    result = _run(make_client(), drop_database(name))
    assert result.reconciled
    assert not _exists(server, name)


def test_lost_answer_without_a_probe_is_ambiguous(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    server.set_faults(drop_after_apply_next=1)
    name = unique("db")
    with pytest.raises(AmbiguousOutcomeError) as raised:
        _run(make_client(), create_database(name, probe=False))
    assert "pulumi refresh" in str(raised.value)
    assert settled_stats(server)["requests"][POST] == 1
    assert _exists(server, name)  # it did apply: repeating it would have failed or duplicated


def test_write_the_probe_shows_unapplied_is_repeated_and_its_real_error_surfaces(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    """The dropped statement failed on the server (no privilege), so the probe finds nothing:
    the write is sent again, and the answer to the repeat is what the caller sees."""
    server.set_faults(drop_after_apply_next=1)
    name = unique("db")
    with pytest.raises(PermissionError_):
        _run(make_client(), create_database(name), StatementContext(role="public"))
    # dropped CREATE, probe (no rows), repeated CREATE (42501), re-probe (no rows)
    assert count(server, POST) == 4
    assert not _exists(server, name)


def test_lost_answer_to_a_read_is_simply_repeated(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.set_faults(drop_after_apply_next=1)
    result = _run(make_client(), list_databases())
    assert result.statement_id and not result.reconciled
    assert count(server, POST) == 2


def test_probe_failure_leaves_the_outcome_ambiguous(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    """If the effect cannot be checked either, the caller learns it is ambiguous."""
    server.set_faults(drop_after_apply_next=1)
    name = unique("db")
    broken_probe = Statement(
        f'CREATE DATABASE "{name}";',
        probe=EffectProbe(Statement.read('SELECT nothing FROM deltastream.sys."nope";')),
    )
    with pytest.raises(AmbiguousOutcomeError) as raised:
        _run(make_client(), broken_probe)
    assert "checking whether it applied failed" in str(raised.value)


def test_polls_are_retried_through_refusals(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    """A 503 on a poll GET is repeated; the statement's result still arrives once."""
    server.set_options(async_threshold=0.0, statement_delay=0.2)
    server.set_faults(unavailable_next=2, retry_after=0, match="GET /v2/statements/")
    name = unique("db")
    created = _run(make_client(), create_database(name))
    assert created.rows[0][1] == name
    stats = settled_stats(server)
    assert stats["responses"]["503"] == 2
    assert stats["requests"][POST] == 1


def test_database_exists_probe_matches_helper(server: LocalServer, make_client: MakeClient) -> None:
    """Sanity check of the probe the other tests rely on."""
    assert len(_run(make_client(), database_exists("surely_absent_db"))) == 0
