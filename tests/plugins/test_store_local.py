"""The Store kind driven directly against a real deltastream-local (HTTP client, real engine):
every type's lifecycle, the statement count of an update, import, connectivity failures."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from test_store_support import BLOCKS, Log, describe, drive, free_port, listening, store_rows

from deltastream_core.errors import DependentObjectsError, ObjectFailedError
from deltastream_core.model import structure, unstructure
from deltastream_core.ports import Statement
from deltastream_local.testing import LocalServer
from deltastream_plugins.store.kind import StoreKind
from deltastream_plugins.store.lookups import GetStore, GetStoreArgs, GetStores, GetStoresArgs
from deltastream_plugins.store.models import StoreInputs, StoreOutputs

KIND = StoreKind()
DELAY = 0.3


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer("--store-ready-delay", str(DELAY)) as started:
        yield started


@pytest.fixture(scope="module")
def verifying() -> Iterator[LocalServer]:
    with LocalServer("--verify-store-connectivity", "--store-ready-delay", "0.1") as started:
        yield started


def args(name: str, block: str, values: dict[str, Any]) -> StoreInputs:
    return structure(StoreInputs, {"name": name, block: values})


@pytest.mark.parametrize("block", sorted(BLOCKS))
def test_lifecycle_per_type(server: LocalServer, block: str) -> None:
    values, change, _ = BLOCKS[block]
    name = f"life {block} 'q\""
    created = drive(server, lambda ctx: KIND.create(ctx, args(name, block, values)))
    assert created.state == "ready" and created.owner == "sysadmin"
    assert KIND.token == "deltastream:index:Store"

    refreshed = drive(server, lambda ctx: KIND.read(ctx, name, created))
    assert refreshed is not None and refreshed.outputs.created_at == created.created_at

    sent: list[Statement] = []
    news = args(name, block, {**values, **change})
    updated = drive(server, lambda ctx: KIND.update(ctx, name, created, news), recording=sent)
    writes = [s.sql for s in sent if not s.sql.startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith(f"UPDATE STORE {_q(name)} WITH (")
    # only the changed key is named
    assert sum(k in writes[0] for k in ("'uris'", "'snowflake.warehouse_name'")) == 1
    assert writes[0].count(" = ") == 1
    assert updated.state == "ready"
    shown = describe(server, name)
    if "uris" in change:
        assert shown["uris"] == change["uris"]
    else:
        assert json.loads(shown["details"])["warehouse_name"] == change["warehouseName"]

    log = Log()
    imported = drive(server, lambda ctx: KIND.read(ctx, name, None), log=log)
    assert imported is not None
    rebuilt = unstructure(imported.inputs)[block]
    assert rebuilt["uris"] == {**values, **change}["uris"]
    assert any("imported without" in line for line in log.lines)

    drive(server, lambda ctx: KIND.delete(ctx, name, updated))
    drive(server, lambda ctx: KIND.delete(ctx, name, updated))  # already gone: success
    assert drive(server, lambda ctx: KIND.read(ctx, name, updated)) is None
    assert name not in {r["name"] for r in store_rows(server)}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def test_create_waits_for_ready_with_few_requests(server: LocalServer) -> None:
    sent: list[Statement] = []
    values = BLOCKS["postgres"][0]
    out = drive(
        server, lambda ctx: KIND.create(ctx, args("few", "postgres", values)), recording=sent
    )
    assert out.state == "ready"
    assert sent[0].sql.startswith("CREATE STORE \"few\" WITH ( 'type' = POSTGRESQL")
    assert len(sent) <= 12, [s.sql[:30] for s in sent]
    drive(server, lambda ctx: KIND.delete(ctx, "few", out))


def test_switching_kafka_auth_mode_nulls_the_other_keys(server: LocalServer) -> None:
    sasl = {"uris": "k:9092", "saslHashFunction": "PLAIN", "saslUsername": "u", "saslPassword": "p"}
    out = drive(server, lambda ctx: KIND.create(ctx, args("auth", "kafka", sasl)))
    iam = {
        "uris": "k:9092",
        "saslHashFunction": "AWS_MSK_IAM",
        "mskIamRoleArn": "arn:aws:iam::1:role/r",
        "mskAwsRegion": "us-east-1",
    }
    sent: list[Statement] = []
    updated = drive(
        server,
        lambda ctx: KIND.update(ctx, "auth", out, args("auth", "kafka", iam)),
        recording=sent,
    )
    [update] = [s.sql for s in sent if s.sql.startswith("UPDATE")]
    assert "'kafka.sasl.username' = NULL" in update and "'kafka.sasl.password' = NULL" in update
    assert json.loads(describe(server, "auth")["details"])["sasl_hash_function"] == "AWS_MSK_IAM"
    drive(server, lambda ctx: KIND.delete(ctx, "auth", updated))


def test_owner_change_is_applied_in_place(server: LocalServer) -> None:
    values = BLOCKS["postgres"][0]
    out = drive(server, lambda ctx: KIND.create(ctx, args("owned", "postgres", values)))
    news = structure(StoreInputs, {"name": "owned", "owner": "public", "postgres": values})
    sent: list[Statement] = []
    updated = drive(server, lambda ctx: KIND.update(ctx, "owned", out, news), recording=sent)
    assert [s.sql for s in sent if not s.sql.startswith("SELECT")] == [
        'ALTER STORE "owned" OWNER TO "public";'
    ]
    assert updated.owner == "public"
    drive(server, lambda ctx: KIND.delete(ctx, "owned", updated))


def test_unreachable_store_fails_with_status_message_and_leaves_nothing(
    verifying: LocalServer,
) -> None:
    port = free_port()
    values = {**BLOCKS["postgres"][0], "uris": f"postgresql://127.0.0.1:{port}/app"}
    with pytest.raises(ObjectFailedError) as info:
        drive(verifying, lambda ctx: KIND.create(ctx, args("unreachable", "postgres", values)))
    message = str(info.value)
    assert "unreachable" in message and str(port) in message and "dropped" in message
    assert "pg-pass" not in message
    assert "unreachable" not in {r["name"] for r in store_rows(verifying)}


def test_reachable_store_becomes_ready_under_verification(verifying: LocalServer) -> None:
    with listening() as port:
        values = {**BLOCKS["kafka"][0], "uris": f"127.0.0.1:{port}"}
        out = drive(verifying, lambda ctx: KIND.create(ctx, args("reachable", "kafka", values)))
        assert out.state == "ready"
        drive(verifying, lambda ctx: KIND.delete(ctx, "reachable", out))


def test_lookups_are_one_select_ordered_and_name_the_missing_store(server: LocalServer) -> None:
    values = BLOCKS["postgres"][0]
    made: list[StoreOutputs] = []
    for name in ("lk_b", "lk_a"):
        inputs = args(name, "postgres", values)
        made.append(drive(server, functools.partial(KIND.create, args=inputs)))
    sent: list[Statement] = []
    found = drive(server, lambda ctx: GetStore().invoke(ctx, GetStoreArgs("lk_a")), recording=sent)
    assert (found.name, found.type, found.state) == ("lk_a", "Postgres", "ready")
    # the catalog row, then DESCRIBE STORE for the type's settings (as Terraform's data source)
    assert [s.sql.split()[0] for s in sent] == ["SELECT", "DESCRIBE"]
    assert found.uris == values["uris"] and found.tls_enabled is True
    assert "password" not in found.settings and found.settings["uris"] == values["uris"]
    sent.clear()
    listed = drive(server, lambda ctx: GetStores().invoke(ctx, GetStoresArgs()), recording=sent)
    names = [s.name for s in listed.stores]
    assert names == sorted(names) and {"lk_a", "lk_b"} <= set(names) and len(sent) == 1
    with pytest.raises(Exception, match="store 'nope' not found"):
        drive(server, lambda ctx: GetStore().invoke(ctx, GetStoreArgs("nope")))
    for out in made:
        drive(server, functools.partial(KIND.delete, resource_id=out.name, state=out))


def test_a_store_used_by_a_relation_cannot_be_deleted(server: LocalServer) -> None:
    values = BLOCKS["kafka"][0]
    out = drive(server, lambda ctx: KIND.create(ctx, args("used", "kafka", values)))
    assert server.run('CREATE DATABASE "dep_db";')["sqlState"] == "00000"
    body = server.run(
        'CREATE STREAM "dep_db"."public"."s" (a INTEGER) '
        "WITH ('store' = 'used', 'topic' = 't', 'value.format' = 'json');"
    )
    assert body["sqlState"] == "00000", body
    with pytest.raises(DependentObjectsError) as info:
        drive(server, lambda ctx: KIND.delete(ctx, "used", out))
    assert '"dep_db"."public"."s"' in str(info.value)  # the message names the dependent
    server.run('DROP STREAM "dep_db"."public"."s";')
    drive(server, lambda ctx: KIND.delete(ctx, "used", out))
    server.run('DROP DATABASE "dep_db";')


def test_kinesis_without_static_keys_uses_the_service_identity(server: LocalServer) -> None:
    values = {"uris": "https://kinesis.us-east-1.amazonaws.com", "awsAccountId": "123456789012"}
    out = drive(server, lambda ctx: KIND.create(ctx, args("kin_nokeys", "kinesis", values)))
    assert out.state == "ready" and out.type == "Kinesis"
    drive(server, lambda ctx: KIND.delete(ctx, "kin_nokeys", out))


def test_update_to_an_unreachable_uri_is_a_partial_failure(verifying: LocalServer) -> None:
    with listening() as port:
        values = {**BLOCKS["postgres"][0], "uris": f"postgresql://127.0.0.1:{port}/app"}
        out = drive(verifying, lambda ctx: KIND.create(ctx, args("upd_fail", "postgres", values)))
    dead = {**values, "uris": f"postgresql://127.0.0.1:{free_port()}/app"}
    with pytest.raises(ObjectFailedError) as info:
        drive(
            verifying,
            lambda ctx: KIND.update(ctx, "upd_fail", out, args("upd_fail", "postgres", dead)),
        )
    assert getattr(info.value, "resource_id", None) == "upd_fail"  # kept in the stack
    assert info.value.outputs.state == "errored"  # type: ignore[attr-defined]
    drive(verifying, lambda ctx: KIND.delete(ctx, "upd_fail", out))
