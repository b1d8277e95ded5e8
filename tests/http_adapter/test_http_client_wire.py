"""What crosses the socket, seen through a passive TCP relay in front of the real server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from importlib import metadata
from urllib.parse import parse_qs, urlsplit

import pytest

from deltastream_core.ports import Statement, StatementContext
from deltastream_core.secrets import Secret
from deltastream_http import DeltaStreamClient
from deltastream_local.testing import LocalServer

from .conftest import count
from .helpers import CONTEXT, create_database, database_exists, drop_database, list_databases
from .tap import TcpTap, header

MakeClient = Callable[..., DeltaStreamClient]


@pytest.fixture
def tap(server: LocalServer) -> Iterator[TcpTap]:
    with TcpTap(server.url) as relay:
        yield relay


def _request_line(head: bytes) -> tuple[str, str]:
    method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
    return method, target


def test_one_tcp_connection_serves_many_statements(
    server: LocalServer, tap: TcpTap, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    """Keep-alive: 10 create/read/drop cycles plus polls and partitions on a single connection,
    and no /version pings (the official provider connects and pings twice per operation)."""
    server.set_options(partition_size=2)

    async def scenario() -> None:
        async with make_client(url=tap.url) as client:
            for _ in range(10):
                name = unique("ka")
                await client.run(create_database(name), CONTEXT)
                assert len(await client.run(database_exists(name), CONTEXT)) == 1
                await client.run(drop_database(name), CONTEXT)
            await client.run(list_databases(), CONTEXT)  # several partitions

    asyncio.run(scenario())
    assert tap.connections == 1
    assert count(server, "GET /v2/version") == 0
    assert count(server, "POST /v2/statements") == 31


def test_user_agent_session_and_auth_headers(
    server: LocalServer, tap: TcpTap, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    server.set_options(async_threshold=0.0, statement_delay=0.1)

    async def scenario() -> None:
        async with make_client(url=tap.url, session_id="sess-42") as client:
            await client.run(create_database(unique("ua")), CONTEXT)

    asyncio.run(scenario())
    heads = tap.requests()
    version = metadata.version("pulumi-deltastream-py")
    assert len(heads) >= 2  # the POST and at least one poll
    for head in heads:
        assert header(head, "User-Agent") == f"pulumi-deltastream-py/{version} session/sess-42"
        assert header(head, "Authorization") == f"Bearer {server.token}"
    method, target = _request_line(heads[1])
    assert method == "GET"
    assert parse_qs(urlsplit(target).query) == {"partitionID": ["0"], "sessionID": ["sess-42"]}
    post_body = tap.all_bytes().split(b"\r\n\r\n", 1)[1]
    request = json.loads(post_body[: int(header(heads[0], "Content-Length") or 0)])
    assert request["parameters"] == {"sessionID": "sess-42"}


def test_plain_statement_is_sent_as_json_with_context_fields(
    server: LocalServer, tap: TcpTap, make_client: MakeClient
) -> None:
    context = StatementContext(organization="local", role="sysadmin", compute_pool=None)

    async def scenario() -> None:
        async with make_client(url=tap.url) as client:
            await client.run(list_databases(), context)

    asyncio.run(scenario())
    (head,) = tap.requests()
    assert header(head, "Content-Type") == "application/json"
    body = tap.all_bytes().split(b"\r\n\r\n", 1)[1]
    assert json.loads(body) == {
        "statement": 'SELECT name FROM deltastream.sys."databases" ORDER BY name;',
        "organization": "local",
        "role": "sysadmin",
    }


def test_attachments_are_sent_as_multipart_parts_named_by_file(
    server: LocalServer, tap: TcpTap, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    name = unique("store")
    sql = (
        f"CREATE STORE \"{name}\" WITH ('type' = KAFKA, 'uris' = 'localhost:9092', "
        "'tls.ca_cert_file' = '@cacert');"
    )

    async def scenario() -> None:
        async with make_client(url=tap.url) as client:
            await client.run(Statement(sql, attachments={"@cacert": b"CERT-BYTES"}), CONTEXT)

    asyncio.run(scenario())
    (head,) = tap.requests()
    assert (header(head, "Content-Type") or "").startswith("multipart/form-data; boundary=")
    wire = tap.all_bytes()
    assert b'name="request"\r\nContent-Type: application/json' in wire
    assert (
        b'name="attachments"; filename="@cacert"\r\nContent-Type: application/octet-stream'
        b"\r\n\r\nCERT-BYTES"
    ) in wire


def test_api_key_travels_only_in_the_authorization_header(
    server: LocalServer, tap: TcpTap, make_client: MakeClient
) -> None:
    async def scenario() -> None:
        async with make_client(url=tap.url, token=Secret(server.token)) as client:
            await client.run(list_databases(), CONTEXT)

    asyncio.run(scenario())
    wire = tap.all_bytes()
    assert wire.count(server.token.encode()) == 1
    assert f"Authorization: Bearer {server.token}".encode() in wire
