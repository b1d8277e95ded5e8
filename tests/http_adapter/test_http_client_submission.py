"""Statements reach the real server as the contract describes, and their results come back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from deltastream_core.errors import StatementError
from deltastream_core.ports import Statement, StatementContext
from deltastream_http import DeltaStreamClient
from deltastream_local.testing import LocalServer

from .conftest import count, settled_stats
from .helpers import CONTEXT, create_database, database_exists, drop_database

MakeClient = Callable[..., DeltaStreamClient]

CA_STORE = (
    "CREATE STORE \"{name}\" WITH ('type' = KAFKA, 'uris' = 'localhost:9092', "
    "'tls.ca_cert_file' = '@cacert');"
)


def test_create_read_drop_a_database_costs_one_request_each(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    """The Go provider pings /version twice per operation; we send one POST and nothing else."""
    name = unique("db")

    async def scenario() -> None:
        async with make_client() as client:
            created = await client.run(create_database(name), CONTEXT)
            assert created.rows[0][:2] == ("database", name)
            assert created.statement_id and not created.reconciled
            found = await client.run(database_exists(name), CONTEXT)
            assert found.rows == ((name,),)
            await client.run(drop_database(name), CONTEXT)
            assert len(await client.run(database_exists(name), CONTEXT)) == 0

    asyncio.run(scenario())
    stats = settled_stats(server)
    assert stats["requests"] == {"POST /v2/statements": 4}
    assert stats["responses"] == {"200": 4}


def test_attachment_is_uploaded_as_multipart_and_used_by_the_statement(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    """The store names '@cacert' in its WITH clause; it is created only if the file arrived."""
    name = unique("store")

    async def scenario() -> None:
        async with make_client() as client:
            with pytest.raises(StatementError) as missing:
                await client.run(Statement(CA_STORE.format(name=name)), CONTEXT)
            assert missing.value.sql_state == "3D008"
            assert "@cacert" in missing.value.server_message
            created = await client.run(
                Statement(CA_STORE.format(name=name), attachments={"@cacert": b"-----CERT-----"}),
                CONTEXT,
            )
            assert created.statement_id
            described = await client.run(Statement.read(f'DESCRIBE STORE "{name}";'), CONTEXT)
            assert len(described) == 1

    asyncio.run(scenario())


def test_context_fields_choose_role_and_database(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    """``role`` and ``database`` travel with the statement (no USE, no session state)."""
    database, schema = unique("db"), unique("ns")

    async def scenario() -> None:
        async with make_client() as client:
            await client.run(create_database(database), StatementContext(role="useradmin"))
            await client.run(
                Statement(f'CREATE SCHEMA "{schema}";'), StatementContext(database=database)
            )
            owners = await client.run(
                Statement.read(
                    'SELECT database_name, name, owner FROM deltastream.sys."schemas" '
                    f"WHERE database_name = '{database}' ORDER BY name;"
                ),
                CONTEXT,
            )
            assert (database, schema, "sysadmin") in owners.rows
            db_owner = await client.run(
                Statement.read(
                    f"SELECT owner FROM deltastream.sys.\"databases\" WHERE name = '{database}';"
                ),
                CONTEXT,
            )
            assert db_owner.rows == (("useradmin",),)

    asyncio.run(scenario())


def test_version(server: LocalServer, make_client: MakeClient) -> None:
    async def scenario() -> str:
        async with make_client() as client:
            return str(await client.version())

    assert asyncio.run(scenario()) == "2.0.0"
    assert count(server, "GET /v2/version") == 1


def test_records_decode_typed_columns(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    name = unique("db")

    async def scenario() -> None:
        async with make_client() as client:
            await client.run(create_database(name), CONTEXT)
            result = await client.run(
                Statement.read(
                    'SELECT name, created_at FROM deltastream.sys."databases" '
                    f"WHERE name = '{name}';"
                ),
                CONTEXT,
            )
            record = result.first()
            assert record is not None and record["name"] == name
            assert record["created_at"].tzinfo is not None

    asyncio.run(scenario())
