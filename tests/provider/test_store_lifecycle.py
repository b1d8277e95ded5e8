"""Store through the real provider process and a real local server, driven like the engine:
per store type preview, create, no-change up, update, refresh, import, drift, replacement on a
type change, delete twice, and no secret anywhere afterwards."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import (
    CheckFailedError,
    EngineLogServer,
    ProviderProcess,
    Resource,
    Secret,
    Stack,
)
from deltastream_pulumi.testing.local import RequestCounter, run_sql, unique_name

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))
from test_store_support import BLOCKS, KEY_PEM

STORE = "deltastream:index:Store"
SECRET_FIELDS = {
    "kafka": ("saslUsername", "saslPassword"),
    "confluentKafka": ("saslUsername", "saslPassword"),
    "kinesis": ("accessKeyId", "secretAccessKey"),
    "postgres": ("password",),
    "snowflake": ("clientKey", "clientKeyPassphrase"),
    "databricks": ("appToken", "accessKeyId", "secretAccessKey"),
    "s3": ("accessKeyId", "secretAccessKey"),
    "clickhouse": ("password",),
    "icebergRest": ("clientSecret",),
}
#: the type a store of each type is switched to in the replacement step
OTHER = {
    "kafka": "postgres",
    "confluentKafka": "kafka",
    "kinesis": "snowflake",
    "postgres": "confluentKafka",
    "snowflake": "kinesis",
    "databricks": "s3",
    "s3": "clickhouse",
    "clickhouse": "icebergRest",
    "icebergRest": "databricks",
}
SYSTEM_TABLES = ("databases", "schemas", "stores", "relations", "queries")


def block_inputs(block: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The block's inputs with its secret fields wrapped as the SDKs send them."""
    values = {**BLOCKS[block][0], **(extra or {})}
    return {k: Secret(v) if k in SECRET_FIELDS[block] else v for k, v in values.items()}


def store(res: str, name: str, block: str, extra: dict[str, Any] | None = None) -> Resource:
    return Resource(STORE, res, {"name": name, block: block_inputs(block, extra)})


def catalog_row(server: LocalServer, name: str) -> list[Any]:
    literal = name.replace("'", "''")
    rows = run_sql(
        server,
        f'SELECT name, type, "status", "owner" FROM deltastream.sys."stores" '
        f"WHERE name = '{literal}';",
    )
    return rows[0] if rows else []


def describe(server: LocalServer, name: str) -> dict[str, Any]:
    body = server.run(f'DESCRIBE STORE "{name}";')
    columns = [c["name"] for c in body["metadata"]["columns"]]
    return dict(zip(columns, body["data"][0], strict=True))


def secret_values(block: str) -> list[str]:
    found = [str(BLOCKS[block][0][f]) for f in SECRET_FIELDS[block] if f in BLOCKS[block][0]]
    if block == "snowflake":
        found.append("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC")  # the key material itself
        assert "MIIEvQ" in KEY_PEM
    return found


def is_secret(outputs: dict[str, Any], block: str, field: str) -> bool:
    value = outputs.get(block)
    if isinstance(value, Secret):
        return True
    return isinstance(value, dict) and isinstance(value.get(field), Secret)


def system_rows(server: LocalServer) -> str:
    dumped = []
    for table in SYSTEM_TABLES:
        body = server.run(f'SELECT * FROM deltastream.sys."{table}";')
        dumped.append(json.dumps(body.get("data") or [], ensure_ascii=False))
    return "\n".join(dumped)


@pytest.mark.parametrize("block", sorted(BLOCKS))
def test_full_lifecycle(
    block: str,
    stack: Stack,
    local_server: LocalServer,
    provider: ProviderProcess,
    engine_log: EngineLogServer,
) -> None:
    name = unique_name(f"st_{block}")
    res = store("s", name, block)

    # preview: planned, nothing sent
    with RequestCounter(local_server) as counter:
        planned = stack.preview([res])
    assert counter.total == 0, counter.by_route
    assert planned.ops() == [("create", "s")]
    assert catalog_row(local_server, name) == []

    # create: ready in the catalog, secrets still secret in state
    step = stack.up([res]).step("s", "create")
    assert step.id == name and step.outputs["state"] == "ready"
    row = catalog_row(local_server, name)
    assert row[0] == name and row[2] == "ready" and row[3] == "sysadmin"
    assert step.outputs["type"] == row[1]
    state = stack.get("s").outputs
    for field in SECRET_FIELDS[block]:
        if field in BLOCKS[block][0]:
            assert is_secret(state, block, field), f"{block}.{field} lost its secretness"

    # lookups: getStores of the store's type lists it, and neither lookup carries a secret
    found = stack.invoke("deltastream:index:getStore", {"name": name})
    listed = stack.invoke("deltastream:index:getStores", {"type": block})["stores"]
    assert name in [s["name"] for s in listed] and {s["type"] for s in listed} == {row[1]}
    looked = json.dumps([found, listed])
    for value in secret_values(block):
        assert value not in looked, f"{value!r} leaked into a lookup"

    # no-change up, twice
    for _ in range(2):
        same = stack.up([res]).step("s")
        assert same.op == "same", same.diff

    # update of a mutable field: one UPDATE STORE, visible in the catalog
    change = BLOCKS[block][1]
    before = provider.stderr_text().count("UPDATE STORE")
    with RequestCounter(local_server) as counter:
        updated = stack.up([store("s", name, block, change)]).step("s")
    assert updated.op == "update", updated.diff
    logged = provider.stderr_text().count("UPDATE STORE") - before
    assert logged == 1, f"{logged} UPDATE STORE statements (provider debug log)"
    assert counter.by_route.get("POST /v2/statements", 0) <= 12, counter.by_route
    shown = describe(local_server, name)
    if "uris" in change:
        assert shown["uris"] == change["uris"]
    else:
        assert json.loads(shown["details"])["warehouse_name"] == change["warehouseName"]
    res = store("s", name, block, change)

    # refresh of an untouched store: no diff
    refreshed = stack.refresh().step("s")
    assert refreshed.op == "same", refreshed.diff

    # import by name into a second resource: non-secret inputs rebuilt, secrets named
    imported = stack.import_(STORE, "adopted", name)
    assert imported.id == name
    assert imported.inputs[block]["uris"] == {**BLOCKS[block][0], **change}["uris"]
    assert any("imported without" in m for m in engine_log.messages()), engine_log.messages()
    stack.state.pop(stack.urn(STORE, "adopted"))

    # drift: dropped out of band → refresh removes it → up recreates it
    run_sql(local_server, f'DROP STORE "{name}";')
    assert stack.refresh().ops() == [("delete", "s")]
    assert stack.up([res]).ops() == [("create", "s")]

    # a type change replaces (delete before replace)
    other = OTHER[block]
    replaced = stack.up([store("s", name, other)]).step("s")
    assert replaced.op == "replace" and replaced.diff is not None
    assert replaced.diff.delete_before_replace
    assert catalog_row(local_server, name)[1] == stack.get("s").outputs["type"]

    # delete, then delete again from the old state
    saved = copy.deepcopy(stack.state)
    stack.destroy()
    assert catalog_row(local_server, name) == []
    stack.state = saved
    stack.destroy()
    assert stack.state == {}

    # no secret value anywhere: provider stderr, engine log, system tables
    leaks = secret_values(block) + secret_values(other)
    stderr, messages, rows = provider.stderr_text(), engine_log.text(), system_rows(local_server)
    for value in leaks:
        assert value not in stderr, f"{value!r} leaked into provider stderr"
        assert value not in messages, f"{value!r} leaked into an engine log message"
        assert value not in rows, f"{value!r} leaked into a system table"


def test_check_reports_every_problem_and_sends_nothing(
    stack: Stack, local_server: LocalServer
) -> None:
    bad = Resource(
        STORE,
        "bad",
        {
            "name": "",
            "kafka": {"uris": "b:1", "saslHashFunction": "SHA512"},
            "postgres": {"uris": "x"},
        },
    )
    with RequestCounter(local_server) as counter, pytest.raises(CheckFailedError) as info:
        stack.preview([bad])
    assert counter.total == 0
    props = set(info.value.properties)
    assert {"name", "kafka.saslUsername", "kafka.saslPassword", "postgres.username"} <= props
    assert any("kafka and postgres" in f.reason for f in info.value.failures)


def test_owner_change_is_an_in_place_update(stack: Stack, local_server: LocalServer) -> None:
    name = unique_name("st_owner")
    stack.up([store("s", name, "postgres")])
    res = Resource(
        STORE, "s", {"name": name, "owner": "public", "postgres": block_inputs("postgres")}
    )
    step = stack.up([res]).step("s")
    assert step.op == "update" and step.outputs["owner"] == "public"
    assert catalog_row(local_server, name)[3] == "public"


def test_lookups_through_the_provider(stack: Stack, local_server: LocalServer) -> None:
    name = unique_name("st_lookup")
    stack.up([store("s", name, "postgres")])
    with RequestCounter(local_server) as counter:
        found = stack.invoke("deltastream:index:getStore", {"name": name})
    # the catalog row, then DESCRIBE STORE for the type-specific settings
    assert counter.by_route.get("POST /v2/statements") == 2
    assert (found["name"], found["type"], found["state"]) == (name, "Postgres", "ready")
    assert found["uris"] == BLOCKS["postgres"][0]["uris"] and found["tlsEnabled"] is True
    assert found["settings"] == {
        "uris": BLOCKS["postgres"][0]["uris"],
        "tlsDisabled": "false",
        "tlsVerifyServerHostname": "true",
    }
    assert found["path"] == [name]
    assert "pg-pass-63ab" not in json.dumps(found)
    listed = stack.invoke("deltastream:index:getStores", {})
    names = [s["name"] for s in listed["stores"]]
    assert name in names and names == sorted(names)
    with pytest.raises(Exception, match="not found") as info:
        stack.invoke("deltastream:index:getStore", {"name": "missing_store"})
    assert "missing_store" in str(info.value)


def test_import_then_adopt_with_secrets(
    stack: Stack, local_server: LocalServer, engine_log: EngineLogServer
) -> None:
    name = unique_name("st_adopt")
    run_sql(
        local_server,
        f"CREATE STORE \"{name}\" WITH ( 'type' = POSTGRESQL, 'uris' = 'postgresql://h:5432/d', "
        "'postgres.username' = 'u', 'postgres.password' = 'adopt-pw-91c' );",
    )
    step = stack.import_(STORE, "s", name)
    assert step.inputs["postgres"] == {"uris": "postgresql://h:5432/d"}
    warning = next(m for m in engine_log.messages() if "imported without" in m)
    assert "postgres.password" in warning and "postgres.username" in warning
    # the program as imported (no secrets yet): nothing to do
    bare = Resource(STORE, "s", {"name": name, "postgres": {"uris": "postgresql://h:5432/d"}})
    assert stack.up([bare]).step("s").op == "same"
    # the program now supplies them: one update sends them
    full = {"uris": "postgresql://h:5432/d", "username": "u", "password": Secret("new-pw-5e0")}
    adopted = Resource(STORE, "s", {"name": name, "postgres": full})
    assert stack.up([adopted]).step("s").op == "update"
    assert stack.up([adopted]).step("s").op == "same"
    assert catalog_row(local_server, name)[2] == "ready"
