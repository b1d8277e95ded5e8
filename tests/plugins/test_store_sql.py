"""The exact statements a Store sends, and how it waits, against a real deltastream-local.

Every test drives :class:`StoreKind` (or a lookup) over a real
:class:`~deltastream_http.client.DeltaStreamClient` and a real clock, through the pass-through
:class:`~test_store_support.Recording` runner, so each assertion on SQL text (statement shape,
key order, literal escaping, roles) is also a statement the server accepted. The server
verifies connectivity: stores pointing at a socket a test listens on become ``ready`` after
``DELAY`` seconds, stores pointing at an unused port end ``errored``.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from test_store_support import (
    CA_PEM,
    KEY_PEM,
    Log,
    describe,
    drive,
    free_port,
    listening,
    store_rows,
)

from deltastream_core.errors import IncompleteError, ObjectFailedError
from deltastream_core.model import structure
from deltastream_core.ports import Statement
from deltastream_local.testing import LocalServer
from deltastream_plugins.store.kind import StoreKind
from deltastream_plugins.store.lookups import GetStores, GetStoresArgs
from deltastream_plugins.store.models import StoreInputs

KIND = StoreKind()
#: seconds a new or updated store stays ``pending`` on the module's server
DELAY = 0.5


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer("--store-ready-delay", str(DELAY), "--verify-store-connectivity") as started:
        yield started


@pytest.fixture
def port() -> Iterator[int]:
    """A real listening socket: a store whose ``uris`` points here connects and gets ready."""
    with listening() as bound:
        yield bound


def inputs(**raw: Any) -> StoreInputs:
    return structure(StoreInputs, raw)


def kafka(port: int) -> dict[str, str]:
    return {"uris": f"127.0.0.1:{port}", "saslHashFunction": "sha512", "saslUsername": "alice"}


def writes(sent: list[Statement]) -> list[Statement]:
    return [s for s in sent if not s.sql.startswith("SELECT")]


def selects(sent: list[Statement]) -> int:
    return sum(s.sql.startswith("SELECT") for s in sent)


def catalog_row(server: LocalServer, name: str) -> dict[str, Any] | None:
    return next((r for r in store_rows(server) if r["name"] == name), None)


def test_kafka_create_is_one_statement_in_fixed_order_with_attachment(
    server: LocalServer, port: int
) -> None:
    name = 'my "store"'
    args = inputs(
        name=name,
        owner="orgadmin",
        kafka={
            **kafka(port),
            "saslPassword": "pa'ss",
            "tlsVerifyServerHostname": False,
            "tlsCaCertFile": CA_PEM,
            "schemaRegistryName": "sr",
        },
    )
    sent: list[Statement] = []
    roles: list[str | None] = []
    server.reset_stats()
    started = time.monotonic()
    out = drive(server, lambda ctx: KIND.create(ctx, args), recording=sent, roles=roles)
    took = time.monotonic() - started

    [create] = writes(sent)
    assert create is sent[0]
    assert create.sql == (
        'CREATE STORE "my ""store""" WITH ( \'type\' = KAFKA, '
        f"'uris' = '127.0.0.1:{port}', "
        "'kafka.sasl.hash_function' = SHA512, 'kafka.sasl.username' = 'alice', "
        "'kafka.sasl.password' = 'pa''ss', 'schema_registry.name' = 'sr', "
        "'tls.verify_server_hostname' = FALSE, 'tls.ca_cert_file' = '@cacert' );"
    )
    assert create.attachments == {"@cacert": CA_PEM.encode()}
    assert set(create.secrets) == {"alice", "pa'ss"}
    assert "pa''ss" not in create.redacted() and "alice" not in create.redacted()
    # created as the owner; the catalog lookups run as the caller's role
    assert roles[0] == "orgadmin" and set(roles[1:]) == {None}

    # waited on the catalog while the store was pending: polled more than once, yet only a
    # handful of times, and ready soon after the server's delay
    assert 2 <= selects(sent) <= 8, [s.sql[:20] for s in sent]
    assert DELAY <= took < DELAY + 1.5
    # every statement is one request: nothing hidden behind the recorder
    assert server.request_count("POST /v2/statements") == len(sent)

    row = catalog_row(server, name)
    assert row is not None and row["owner"] == "orgadmin" and row["status"] == "ready"
    assert out.state == "ready" and out.type == "Kafka" and out.owner == "orgadmin"
    # the catalog's UTC timestamp, as RFC 3339 at second precision (as the official provider)
    raw = str(row["created_at"])
    assert raw.endswith("Z") and out.created_at == raw[:19].replace(" ", "T") + "Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", out.created_at)
    assert json.loads(describe(server, name)["details"])["sasl_hash_function"] == "SHA512"
    drive(server, lambda ctx: KIND.delete(ctx, name, out))


def test_snowflake_key_is_an_attachment_never_inline(server: LocalServer, port: int) -> None:
    encoded = base64.b64encode(KEY_PEM.encode()).decode()
    body = KEY_PEM.splitlines()[1]
    args = inputs(
        name="sf",
        snowflake={
            "uris": f"https://127.0.0.1:{port}",
            "accountId": "a",
            "roleName": "r",
            "username": "u",
            "warehouseName": "w",
            "cloudRegion": "AWS us-east-1",
            "clientKey": encoded,
            "clientKeyPassphrase": "pp",
        },
    )
    sent: list[Statement] = []
    out = drive(server, lambda ctx: KIND.create(ctx, args), recording=sent)
    [create] = writes(sent)
    assert "'snowflake.client.key_file' = '@keyfile'" in create.sql
    assert body not in create.sql and encoded not in create.sql
    assert create.attachments == {"@keyfile": KEY_PEM.encode()}
    assert "pp" in create.secrets
    # the server refuses a key_file naming an attachment that was not uploaded: it was
    assert out.state == "ready" and out.type == "Snowflake"
    drive(server, lambda ctx: KIND.delete(ctx, "sf", out))


def test_errored_create_drops_confirms_and_reports_status_message(server: LocalServer) -> None:
    dead = free_port()
    args = inputs(name="bad", kafka={**kafka(dead), "saslPassword": "p"})
    sent: list[Statement] = []
    with pytest.raises(ObjectFailedError) as info:
        drive(server, lambda ctx: KIND.create(ctx, args), recording=sent)
    # the server's status_message (its failed TCP connect), then what was done about it
    assert re.search(
        rf"cannot connect to 127\.0\.0\.1:{dead}: connection refused.*dropped",
        str(info.value),
        re.IGNORECASE,
    ), str(info.value)
    assert [s.sql.split()[0] for s in writes(sent)] == ["CREATE", "DROP"]
    assert sent[-1].sql.startswith("SELECT")  # absence confirmed
    assert catalog_row(server, "bad") is None


def test_update_sends_only_changed_keys_and_nulls_the_other_auth_mode(
    server: LocalServer, port: int
) -> None:
    old = drive(
        server,
        lambda ctx: KIND.create(ctx, inputs(name="s", kafka={**kafka(port), "saslPassword": "p"})),
    )
    news = inputs(
        name="s",
        kafka={
            "uris": f"127.0.0.1:{port}",
            "saslHashFunction": "AWS_MSK_IAM",
            "mskIamRoleArn": "arn:x",
            "mskAwsRegion": "eu",
        },
    )
    sent: list[Statement] = []
    roles: list[str | None] = []
    updated = drive(
        server, lambda ctx: KIND.update(ctx, "s", old, news), recording=sent, roles=roles
    )
    [update] = writes(sent)
    assert update is sent[0] and roles[0] is None
    assert update.sql == (
        "UPDATE STORE \"s\" WITH ( 'kafka.sasl.hash_function' = AWS_MSK_IAM, "
        "'kafka.msk.iam_role_arn' = 'arn:x', 'kafka.msk.aws_region' = 'eu', "
        "'kafka.sasl.username' = NULL, 'kafka.sasl.password' = NULL );"
    )
    # waited for ready again: the update put the store back to pending for DELAY seconds
    assert selects(sent) >= 2 and updated.state == "ready"
    details = json.loads(describe(server, "s")["details"])
    assert details["sasl_hash_function"] == "AWS_MSK_IAM" and "sasl_username" not in details
    drive(server, lambda ctx: KIND.delete(ctx, "s", updated))


def test_owner_change_is_alter_owner_and_no_store_keys(server: LocalServer, port: int) -> None:
    values = {**kafka(port), "saslPassword": "p"}
    old = drive(server, lambda ctx: KIND.create(ctx, inputs(name="own", kafka=values)))
    assert old.owner == "sysadmin"
    news = inputs(name="own", owner="public", kafka=values)
    sent: list[Statement] = []
    roles: list[str | None] = []
    out = drive(server, lambda ctx: KIND.update(ctx, "own", old, news), recording=sent, roles=roles)
    assert [s.sql for s in writes(sent)] == ['ALTER STORE "own" OWNER TO "public";']
    assert roles[0] is None  # the current owner's side hands it over, not the new owner
    assert selects(sent) == 1  # no UPDATE STORE, so no wait: one lookup refreshes the row
    assert out.state == "ready" and out.owner == "public"
    row = catalog_row(server, "own")
    assert row is not None and row["owner"] == "public"
    drive(server, lambda ctx: KIND.delete(ctx, "own", out))


def test_delete_of_a_missing_store_succeeds(server: LocalServer, port: int) -> None:
    values = {**kafka(port), "saslPassword": "p"}
    out = drive(server, lambda ctx: KIND.create(ctx, inputs(name="gone", kafka=values)))
    first: list[Statement] = []
    drive(server, lambda ctx: KIND.delete(ctx, "gone", out), recording=first)
    assert [s.sql.split()[0] for s in first] == ["DROP", "SELECT"]  # dropped, absence confirmed
    assert catalog_row(server, "gone") is None
    again: list[Statement] = []
    drive(server, lambda ctx: KIND.delete(ctx, "gone", out), recording=again)
    assert [s.sql for s in again] == ['DROP STORE "gone";']  # not found: success, no wait
    never: list[Statement] = []
    drive(server, lambda ctx: KIND.delete(ctx, "never", out), recording=never)
    assert [s.sql for s in never] == ['DROP STORE "never";']


def test_a_timeout_names_the_store_and_keeps_it_recorded(server: LocalServer, port: int) -> None:
    log = Log()
    sent: list[Statement] = []
    args = inputs(name="slow", kafka={**kafka(port), "saslPassword": "p"})
    server.set_options(store_ready_delay=60)
    try:
        started = time.monotonic()
        with pytest.raises(IncompleteError, match=r"store 'slow' was created.*timed out") as kept:
            drive(server, lambda ctx: KIND.create(ctx, args), log=log, recording=sent, timeout=2.6)
        took = time.monotonic() - started
    finally:
        server.set_options(store_ready_delay=DELAY)
    # the engine hears about the wait once it exceeds 2 s
    [progress] = [line for line in log.lines if "waiting for store 'slow'" in line]
    assert "pending" in progress
    # not dropped: a partial failure carrying its name, so the engine records it
    assert [s.sql.split()[0] for s in writes(sent)] == ["CREATE"]
    assert kept.value.resource_id == "slow" and catalog_row(server, "slow") is not None
    # adaptive polling: several polls in the 2.6 s (not a fixed multi-second tick), but few
    assert 5 <= selects(sent) <= 15, selects(sent)
    assert 2.6 <= took < 5.0
    drive(server, lambda ctx: KIND.delete(ctx, "slow", kept.value.outputs))
    assert catalog_row(server, "slow") is None


def test_get_stores_caps_at_200_with_a_warning() -> None:
    with LocalServer() as crowded:
        for i in range(201):
            body = crowded.run(
                f"CREATE STORE \"s{i:03d}\" WITH ( 'type' = KAFKA, 'uris' = 'k:9092' );"
            )
            assert body["sqlState"] == "00000", body
        log = Log()
        sent: list[Statement] = []
        crowded.reset_stats()
        result = drive(
            crowded, lambda ctx: GetStores().invoke(ctx, GetStoresArgs()), log=log, recording=sent
        )
        assert crowded.request_count("POST /v2/statements") == 1
    names = [s.name for s in result.stores]
    assert names == [f"s{i:03d}" for i in range(200)]
    [select] = sent
    assert select.sql.endswith('ORDER BY "name" LIMIT 201;')
    assert any("more than 200" in line for line in log.lines)
