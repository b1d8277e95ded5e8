"""Failures become the core's typed errors, keeping the server's message and sqlState."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from deltastream_core.errors import (
    AlreadyExistsError,
    AuthenticationError,
    DeltaStreamError,
    NotFoundError,
    PermissionError_,
    StatementError,
    TransientError,
)
from deltastream_core.ports import Statement, StatementContext
from deltastream_http import DeltaStreamClient
from deltastream_local.testing import LocalServer

from .conftest import count
from .helpers import CONTEXT, create_database

MakeClient = Callable[..., DeltaStreamClient]


def _run(
    client_factory: MakeClient, statement: Statement, context: StatementContext = CONTEXT
) -> None:
    async def scenario() -> None:
        async with client_factory() as client:
            await client.run(statement, context)

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("sql", "context", "error", "sql_state"),
    [
        ('DROP DATABASE "no_such_db_here";', CONTEXT, NotFoundError, "3D002"),
        ('CREATE DATABASE "{existing}";', CONTEXT, AlreadyExistsError, "42P04"),
        ('CREATE DATABASE "x_perm";', StatementContext(role="public"), PermissionError_, "42501"),
        ("CREATE DATABSE oops;", CONTEXT, StatementError, "42601"),
    ],
    ids=["not-found", "already-exists", "permission", "syntax"],
)
def test_sql_errors_map_by_sql_state(
    server: LocalServer,
    make_client: MakeClient,
    unique: Callable[[str], str],
    sql: str,
    context: StatementContext,
    error: type[StatementError],
    sql_state: str,
) -> None:
    existing = unique("db")
    _run(make_client, create_database(existing))
    with pytest.raises(error) as raised:
        _run(make_client, Statement(sql.format(existing=existing)), context)
    assert type(raised.value) is error
    assert raised.value.sql_state == sql_state
    assert raised.value.statement_id  # the server's id, for support requests
    assert raised.value.server_message and raised.value.server_message in str(raised.value)
    # a SQL error is an answer: never repeated
    assert count(server, "POST /v2/statements") == 2


def test_refused_token_is_an_authentication_error_naming_the_config(
    server: LocalServer, make_client: MakeClient
) -> None:
    wrong = "not-the-right-token-0123456789"
    with pytest.raises(AuthenticationError) as raised:
        _run(lambda: make_client(token=wrong), Statement.read("LIST DATABASES;"))
    message = str(raised.value)
    assert "HTTP 403" in message
    assert "deltastream:apiKey" in message and "DELTASTREAM_API_KEY" in message
    assert wrong not in message and server.token not in message
    assert count(server, "POST /v2/statements") == 1  # not retried


def test_unknown_api_path_is_a_plain_error_with_the_server_message(
    server: LocalServer, make_client: MakeClient
) -> None:
    with pytest.raises(DeltaStreamError) as raised:
        _run(lambda: make_client(url=server.root + "/v3"), Statement.read("LIST DATABASES;"))
    assert not isinstance(raised.value, TransientError | AuthenticationError)
    assert "HTTP 404" in str(raised.value) and "/v3/statements" in str(raised.value)


def test_unreachable_server_is_transient_after_retries(make_client: MakeClient) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransientError) as raised:
        _run(
            lambda: make_client(url=f"http://127.0.0.1:{port}/v2"),
            Statement.read("LIST DATABASES;"),
        )
    assert "Could not connect" in str(raised.value)


def test_secret_values_are_scrubbed_from_server_messages(
    server: LocalServer, make_client: MakeClient
) -> None:
    """The server quotes the statement's text; a secret in it must not reach the error."""
    secret = "hunter2-s3cr3t"
    statement = Statement(f'CREATE DATABASE "{secret}";', secrets=(secret,))
    _run(make_client, statement)
    with pytest.raises(AlreadyExistsError) as raised:
        _run(make_client, statement)
    assert secret not in str(raised.value)
    assert secret not in raised.value.server_message
    assert "<redacted>" in raised.value.server_message
