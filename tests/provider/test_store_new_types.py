"""The experimental store types (databricks, s3, clickhouse, icebergRest) and the lookups'
additions, through the real provider process and a real local server: Check names every
missing or invalid field of every block at once, an update sends only the changed key,
getStores filters by type, getStore returns DESCRIBE STORE's settings, and no secret of a new
type reaches an error, a log, a lookup or a system table. (Their create, update, refresh,
import, drift, replacement and delete run in test_store_lifecycle.test_full_lifecycle.)"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import (
    CheckFailedError,
    EngineLogServer,
    InvokeFailedError,
    ProviderProcess,
    ProviderRPCError,
    Resource,
    Stack,
)
from deltastream_pulumi.testing.local import RequestCounter, unique_name

from .test_store_lifecycle import STORE, describe, store, system_rows

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))
from test_store_support import BLOCKS

NEW = ("databricks", "s3", "clickhouse", "icebergRest")


def failures_of(stack: Stack, resource: Resource) -> dict[str, str]:
    with pytest.raises(CheckFailedError) as info:
        stack.preview([resource])
    return {f.property: f.reason for f in info.value.failures}


def test_check_names_every_missing_field_of_every_new_block_at_once(
    stack: Stack, local_server: LocalServer
) -> None:
    expected = {
        "databricks": {
            "warehouseId",
            "cloudS3Bucket",
            "cloudRegion",
            "appToken",
            "accessKeyId",
            "secretAccessKey",
        },
        "s3": set(),
        "clickhouse": {"username", "password"},
        "icebergRest": {"catalogId", "clientId", "clientSecret"},
    }
    with RequestCounter(local_server) as counter:
        for block in NEW:
            got = failures_of(stack, Resource(STORE, "s", {"name": "", block: {"uris": "u"}}))
            want = {"name"} | {f"{block}.{field}" for field in expected[block]}
            assert set(got) == want, (block, got)
            assert all("required" in got[f"{block}.{f}"] for f in expected[block])
        # no uris, two blocks: all of it reported together
        both = {"databricks": {"warehousePort": 70000}, "s3": {"uris": "u"}}
        got = failures_of(stack, Resource(STORE, "s", {"name": "x", **both}))
    assert counter.total == 0  # Check sends nothing
    assert "databricks.uris" in got and "port number" in got["databricks.warehousePort"]
    assert "databricks and s3" in got[""]


def test_check_rules_of_the_new_types(stack: Stack) -> None:
    s3 = failures_of(
        stack,
        Resource(
            STORE,
            "s",
            {"name": "x", "s3": {"uris": "https://b/", "accessKeyId": "k", "iamExternalId": "e"}},
        ),
    )
    assert set(s3) == {"s3.secretAccessKey", "s3.iamRoleArn"}, s3
    leaked = "pw-in-uri-71c"
    values = {**BLOCKS["clickhouse"][0], "uris": f"jdbc:clickhouse://u:{leaked}@ch:8443"}
    ch = failures_of(stack, Resource(STORE, "s", {"name": "x", "clickhouse": values}))
    assert "clickhouse.password" in ch["clickhouse.uris"] and leaked not in json.dumps(ch)


def test_update_of_a_new_type_sends_only_the_changed_key(
    stack: Stack, local_server: LocalServer, provider: ProviderProcess
) -> None:
    name = unique_name("st_dbx_port")
    stack.up([store("s", name, "databricks")])
    before = provider.stderr_text().count("UPDATE STORE")
    step = stack.up([store("s", name, "databricks", {"warehousePort": 8443})]).step("s")
    assert step.op == "update" and step.outputs["state"] == "ready"
    assert provider.stderr_text().count("UPDATE STORE") - before == 1
    # a bare number (the debug log escapes the quotes)
    assert "\\'databricks.warehouse_port\\' = 8443 );" in provider.stderr_text()
    assert json.loads(describe(local_server, name)["details"])["warehouse_port"] == "8443"
    assert stack.refresh().step("s").op == "same"
    stack.destroy()


def test_get_stores_filters_by_type_case_insensitively(
    stack: Stack, local_server: LocalServer
) -> None:
    names = {block: unique_name(f"st_f_{block}") for block in ("s3", "icebergRest", "postgres")}
    stack.up([store(block, name, block) for block, name in names.items()])
    asked = (
        ("S3", "s3"),
        ("icebergrest", "icebergRest"),
        ("ICEBERG_REST", "icebergRest"),
        ("postgres", "postgres"),
    )
    for wanted, block in asked:
        with RequestCounter(local_server) as counter:
            listed = stack.invoke("deltastream:index:getStores", {"type": wanted})["stores"]
        assert counter.by_route.get("POST /v2/statements") == 1  # one SELECT
        found = [s["name"] for s in listed]
        assert names[block] in found and found == sorted(found), (wanted, found)
        assert not {n for b, n in names.items() if b != block} & set(found)
        assert len({s["type"] for s in listed}) == 1
    with pytest.raises(InvokeFailedError) as info:
        stack.invoke("deltastream:index:getStores", {"type": "mongodb"})
    assert info.value.failures[0].property == "type"
    assert "icebergRest" in str(info.value) and "KAFKA" in str(info.value)
    stack.destroy()


@pytest.mark.parametrize("block", NEW)
def test_get_store_returns_the_describe_settings_never_a_secret(
    block: str, stack: Stack, local_server: LocalServer
) -> None:
    name = unique_name(f"st_d_{block}")
    stack.up([store("s", name, block)])
    found = stack.invoke("deltastream:index:getStore", {"name": name})
    values = BLOCKS[block][0]
    assert found["uris"] == values["uris"] and found["path"] == [name]
    expected = {
        "databricks": {"uris", "warehouseId", "warehousePort", "cloudS3Bucket", "cloudRegion"},
        "s3": {"uris"},
        "clickhouse": {"uris"},
        "icebergRest": {"uris", "catalogId", "clientId", "clientScope"},
    }[block]
    assert set(found["settings"]) == expected
    assert all(found["settings"][k] == str(values[k]) for k in expected)
    text = json.dumps(found)
    for secret in BLOCKS[block][2]:
        assert secret not in text
    stack.destroy()


@pytest.mark.parametrize("block", NEW)
def test_errors_never_carry_a_new_secret(
    block: str,
    stack: Stack,
    local_server: LocalServer,
    provider: ProviderProcess,
    engine_log: EngineLogServer,
) -> None:
    name = unique_name(f"st_e_{block}")
    stack.up([store("a", name, block)])
    # a second resource of the same name: DeltaStream refuses the CREATE (which carried the
    # secrets) with "already exists"
    with pytest.raises(ProviderRPCError) as info:
        stack.up([store("a", name, block), store("b", name, block)])
    message = str(info.value)
    assert "already exists" in message, message
    stack.destroy()
    texts = (message, provider.stderr_text(), engine_log.text(), system_rows(local_server))
    for secret in BLOCKS[block][2]:
        for text in texts:
            assert secret not in text, f"{secret!r} leaked"
