"""SchemaRegistry through the real provider and deltastream-local: a Kafka store naming it is
created after it and destroyed before it (the registry cannot be dropped while named);
switching Confluent for Confluent Cloud replaces it; credentials are never shown."""

from __future__ import annotations

import secrets as token_source

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import (
    CheckFailedError,
    EngineLogServer,
    ProviderProcess,
    Resource,
    Stack,
    assert_secret,
)
from deltastream_pulumi.testing.local import run_sql, unique_name

REGISTRY = "deltastream:index:SchemaRegistry"
STORE = "deltastream:index:Store"


def test_a_store_naming_the_registry_is_ordered_after_it(
    stack: Stack, local_server: LocalServer
) -> None:
    name = unique_name("sr")
    registry = Resource(REGISTRY, "sr", {"name": name, "confluent": {"uris": "https://r:8081"}})
    store = Resource(
        STORE,
        "kafka",
        {
            "name": unique_name("k"),
            "kafka": {
                "uris": "k:9092",
                "saslHashFunction": "NONE",
                "schemaRegistryName": registry.out("name"),
            },
        },
    )
    assert stack.up([registry, store]).ops() == [("create", "sr"), ("create", "kafka")]
    refused = local_server.run(f'DROP SCHEMA_REGISTRY "{name}";')
    assert refused["sqlState"] == "2BP01" and "stores still use it" in refused["message"]
    assert stack.destroy().ops() == [("delete", "kafka"), ("delete", "sr")]


def test_switching_the_type_replaces_and_check_names_every_problem(stack: Stack) -> None:
    name = unique_name("sr")
    stack.up([Resource(REGISTRY, "sr", {"name": name, "confluent": {"uris": "https://r:8081"}})])
    cloud = {"uris": "https://c:443", "key": "k", "secret": "s"}
    switched = Resource(REGISTRY, "sr", {"name": name, "confluentCloud": cloud})
    assert stack.preview([switched]).step("sr").op == "replace"
    with pytest.raises(CheckFailedError) as info:
        stack.preview(
            [
                Resource(
                    REGISTRY,
                    "bad",
                    {"confluent": {"uris": "u", "username": "x"}, "confluentCloud": {"uris": "u"}},
                )
            ]
        )
    assert sorted(info.value.properties) == [
        "",
        "confluent.password",
        "confluentCloud.key",
        "confluentCloud.secret",
    ]


def test_credentials_are_never_shown(
    stack: Stack,
    local_server: LocalServer,
    unconfigured_provider: ProviderProcess,
    engine_log: EngineLogServer,
) -> None:
    user, password = f"u-{token_source.token_hex(8)}", f"p-{token_source.token_hex(8)}"
    name = unique_name("sr")
    block = {"uris": "https://r:8081", "username": user, "password": password}
    stack.up([Resource(REGISTRY, "sr", {"name": name, "confluent": block})])
    assert_secret(stack.get("sr").outputs["confluent"], "username", "password")
    rotated = {**block, "password": f"p2-{token_source.token_hex(8)}"}
    assert (
        stack.up([Resource(REGISTRY, "sr", {"name": name, "confluent": rotated})]).step("sr").op
        == "update"
    )
    seen = [
        repr(stack.invoke("deltastream:index:getSchemaRegistries")),
        repr(stack.invoke("deltastream:index:getSchemaRegistry", {"name": name})),
        repr(run_sql(local_server, 'SELECT * FROM deltastream.sys."schema_registries";')),
        repr(run_sql(local_server, f'DESCRIBE SCHEMA_REGISTRY "{name}";')),
        repr(run_sql(local_server, "LIST SCHEMA_REGISTRIES;")),
        unconfigured_provider.stderr_text(),
        engine_log.text(),
    ]
    stack.destroy()
    for text in seen:
        for value in (user, password, rotated["password"]):
            assert value not in text
