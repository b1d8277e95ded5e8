"""Debug traces say what happened (statement, request, retry decision) and never leak secrets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from structlog.testing import capture_logs

from deltastream_core.errors import AlreadyExistsError, AmbiguousOutcomeError
from deltastream_core.ports import Statement
from deltastream_core.secrets import Secret
from deltastream_http import DeltaStreamClient
from deltastream_local.testing import LocalServer

from .helpers import CONTEXT, create_database, list_databases

MakeClient = Callable[..., DeltaStreamClient]
PASSWORD = "pa55-w0rd'quoted"


def _store_with_password(name: str) -> Statement:
    escaped = PASSWORD.replace("'", "''")
    return Statement(
        f"CREATE STORE \"{name}\" WITH ('type' = KAFKA, 'uris' = 'localhost:9092', "
        f"'kafka.sasl.hash_function' = PLAIN, 'kafka.sasl.username' = 'u', "
        f"'kafka.sasl.password' = '{escaped}');",
        secrets=(PASSWORD,),
    )


def _everything(logs: list[dict[str, Any]]) -> str:
    return repr(logs)


def test_nothing_secret_reaches_the_logs(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    """Statements with secrets, failures, retries and probes: the API key, the password and
    the raw SQL never appear in any event; the redacted SQL does."""
    name = unique("store")
    statement = _store_with_password(name)

    async def scenario() -> None:
        async with make_client(token=Secret(server.token)) as client:
            server.set_faults(unavailable_next=1, retry_after=0)
            await client.run(statement, CONTEXT)
            with pytest.raises(AlreadyExistsError) as raised:
                await client.run(statement, CONTEXT)
            assert PASSWORD not in str(raised.value)
            server.set_faults(drop_after_apply_next=1)
            with pytest.raises(AmbiguousOutcomeError):
                await client.run(Statement(f'CREATE DATABASE "{unique("db")}";'), CONTEXT)

    with capture_logs() as logs:
        asyncio.run(scenario())
    text = _everything(logs)
    assert server.token not in text
    assert PASSWORD not in text and PASSWORD.replace("'", "''") not in text
    assert statement.sql not in text
    assert "bearer" not in text.lower() and "authorization" not in text.lower()
    sql_events = [e for e in logs if e["event"] == "deltastream.statement"]
    assert sql_events[0]["sql"] == statement.redacted()
    assert "<redacted>" in sql_events[0]["sql"]
    assert all(e["log_level"] == "debug" for e in logs)


def test_requests_and_retry_decisions_are_traced(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.set_faults(rate_limit_next=1, retry_after=0)

    async def scenario() -> None:
        async with make_client() as client:
            await client.run(list_databases(), CONTEXT)

    with capture_logs() as logs:
        asyncio.run(scenario())
    http = [e for e in logs if e["event"] == "deltastream.http"]
    assert [(e["method"], e["path"], e["status"], e["attempt"]) for e in http] == [
        ("POST", "statements", 429, 1),
        ("POST", "statements", 200, 2),
    ]
    assert http[1]["statement_id"] and http[1]["duration_ms"] >= 0
    (retry,) = [e for e in logs if e["event"] == "deltastream.retry"]
    assert retry["decision"] == "retry" and retry["reason"] == "http 429"
    assert retry["attempt"] == 1 and retry["delay"] == 0


def test_probe_decisions_are_traced(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    server.set_faults(drop_after_apply_next=1)

    async def scenario() -> None:
        async with make_client() as client:
            assert (await client.run(create_database(unique("db")), CONTEXT)).reconciled

    with capture_logs() as logs:
        asyncio.run(scenario())
    decisions = [e["decision"] for e in logs if e["event"] == "deltastream.retry"]
    assert decisions == ["probe", "reconciled"]
    probe = next(e for e in logs if e["event"] == "deltastream.retry")
    assert probe["reason"] in {"RemoteProtocolError", "ReadError"}
