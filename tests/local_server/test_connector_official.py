"""The official Python client (``deltastream-connector``) against a real deltastream-local.

``APIConnection.from_dsn`` drops the port (docs/reference/deltastream-api.md#connection-strings), so
the connection is built
directly with ``server_url``. Every response the client receives is validated against the
official OpenAPI spec by wrapping its REST layer.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from deltastream.api.blob import Blob
from deltastream.api.conn import APIConnection
from deltastream.api.error import AuthenticationError, SQLError

from deltastream_local.testing import (
    ORGANIZATION_ID,
    LocalServer,
    local_server_fixture,
    validate_connector_responses,
)

T = TypeVar("T")
Unique = Callable[[str], str]

connector_server = local_server_fixture("--partition-size", "2")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def connect(server: LocalServer, token: str | None = None, **context: Any) -> APIConnection:
    secret = server.token if token is None else token

    async def token_provider() -> str:
        return secret

    return APIConnection(
        server_url=server.url,
        token_provider=token_provider,
        session_id="",
        timezone="UTC",
        organization_id=context.get("organization_id", ORGANIZATION_ID),
        role_name=context.get("role_name", "sysadmin"),
        database_name=context.get("database_name"),
        schema_name=context.get("schema_name"),
        store_name=context.get("store_name"),
    )


async def fetch_all(conn: APIConnection, sql: str) -> list[list[Any]]:
    rows = await conn.query(sql)
    out: list[list[Any]] = []
    async for row in rows:
        assert row is not None
        out.append(list(row))
    return out


def lookup(name: str) -> str:
    columns = 'name, "owner", created_at'
    return f"SELECT {columns} FROM deltastream.sys.\"databases\" WHERE name = '{name}';"


@pytest.fixture
def seen() -> Iterator[list[tuple[str, str, int]]]:
    with validate_connector_responses() as requests:
        yield requests


def test_version(connector_server: LocalServer, seen: list[tuple[str, str, int]]) -> None:
    version = run(connect(connector_server).version())
    assert set(version) == {"major", "minor", "patch"}
    assert seen and seen[-1][2] == 200


def test_bad_token_is_an_authentication_error(connector_server: LocalServer, seen: list) -> None:
    with pytest.raises(AuthenticationError):
        run(connect(connector_server, token="wrong").exec('CREATE DATABASE "nope";'))
    assert seen[-1][2] == 403


def test_exec_and_query_round_trip(
    connector_server: LocalServer, unique: Unique, seen: list
) -> None:
    name = unique("conn")

    async def scenario() -> list[list[Any]]:
        conn = connect(connector_server)
        await conn.exec(f'CREATE DATABASE "{name}";')
        return await fetch_all(conn, lookup(name))

    rows = run(scenario())
    assert len(rows) == 1
    assert rows[0][0] == name
    assert rows[0][1] == "sysadmin"
    assert rows[0][2] is not None  # the timestamp parsed into a value
    # every request was a multipart POST (the client never sends plain JSON)
    assert all(method == "POST" for method, _, _ in seen)


def test_sql_error_raises_sqlerror_with_code(connector_server: LocalServer, unique: Unique) -> None:
    with pytest.raises(SQLError) as info:
        run(connect(connector_server).exec(f'DROP DATABASE "{unique("missing")}";'))
    assert info.value.code == "3D002"  # SqlState is a str enum
    assert "missing_" in str(info.value)


def test_multi_partition_result(
    connector_server: LocalServer, unique: Unique, seen: list[tuple[str, str, int]]
) -> None:
    names = [unique("many") for _ in range(5)]

    async def scenario() -> list[list[Any]]:
        conn = connect(connector_server)
        for name in names:
            await conn.exec(f'CREATE DATABASE "{name}";')
        return await fetch_all(conn, 'SELECT name FROM deltastream.sys."databases";')

    rows = run(scenario())
    assert set(names) <= {row[0] for row in rows}
    partition_gets = [url for method, url, _ in seen if method == "GET" and "partitionID" in url]
    # partition size 2: every partition after the first is fetched by GET
    assert len(partition_gets) == (len(rows) + 1) // 2 - 1 >= 2


def test_context_echo_updates_the_client(connector_server: LocalServer, unique: Unique) -> None:
    name = unique("ctx")

    async def scenario() -> APIConnection:
        conn = connect(connector_server, database_name=name)
        await conn.exec(f'CREATE DATABASE "{name}";')
        return conn

    conn = run(scenario())
    assert conn.rsctx.organization_id == uuid.UUID(ORGANIZATION_ID)
    assert conn.rsctx.database_name == name


def test_attachment_is_uploaded(connector_server: LocalServer, unique: Unique, seen: list) -> None:
    store = unique("sf")
    key = b"-----BEGIN PRIVATE KEY-----\nMIIB\x00\xff\n-----END PRIVATE KEY-----\n"
    statement = (
        f"CREATE STORE \"{store}\" WITH ( 'type' = SNOWFLAKE, "
        "'uris' = 'https://acme.snowflakecomputing.com', 'snowflake.account_id' = 'acme', "
        "'snowflake.role_name' = 'r', 'snowflake.username' = 'u', "
        "'snowflake.warehouse_name' = 'w', 'snowflake.cloud.region' = 'AWS us-east-1', "
        "'snowflake.client.key_file' = '@keyfile' );"
    )
    conn = connect(connector_server)
    run(conn.exec(statement, attachments=[Blob.from_bytes(key, name="@keyfile")]))
    rows = run(
        fetch_all(
            conn,
            f"SELECT name, type FROM deltastream.sys.\"stores\" WHERE name = '{store}';",
        )
    )
    assert [row[0] for row in rows] == [store]
    # without the attachment the same statement is refused
    with pytest.raises(SQLError):
        run(conn.exec(statement.replace(store, unique("sf"))))


def test_202_polled_statement(unique: Unique) -> None:
    with (
        LocalServer("--statement-delay", "1.2", "--async-threshold", "0.1") as server,
        validate_connector_responses() as seen,
    ):
        name = unique("slow")

        async def scenario() -> list[list[Any]]:
            conn = connect(server)
            await conn.exec(f'CREATE DATABASE "{name}";')
            return await fetch_all(conn, lookup(name))

        rows = run(scenario())
        assert rows[0][0] == name
        statuses = [status for _, _, status in seen]
        assert 202 in statuses
        assert any(method == "GET" for method, _, _ in seen)


def test_attachments_travel_with_any_statement(
    connector_server: LocalServer, unique: Unique, seen: list
) -> None:
    """The client's multipart framing with several binary attachments is accepted."""
    name = unique("att")
    blobs = [
        Blob.from_bytes(bytes(range(256)) * 4, name="@cacert"),
        Blob.from_bytes(b"\r\n--boundary-lookalike--\r\n", name="second.pem"),
    ]
    conn = connect(connector_server)
    run(conn.exec(f'CREATE DATABASE "{name}";', attachments=blobs))
    assert run(fetch_all(conn, lookup(name)))[0][0] == name
    assert seen[0][2] == 200
