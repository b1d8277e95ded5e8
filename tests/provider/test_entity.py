"""Entity through the real provider and deltastream-local: created in its store after it and
read back with DESCRIBE ENTITY (all configs, descriptors), replaced when the store, the path
or a setting changes, refused at Check with every problem at once, adopted with the import
line "already exists" prints; getEntities lists children and getEntityData reads the records
INSERT INTO ENTITY wrote."""

from __future__ import annotations

import json
import re

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import (
    CheckFailedError,
    InvokeFailedError,
    ProviderRPCError,
    Resource,
    Stack,
)
from deltastream_pulumi.testing.local import run_sql, unique_name

ENTITY = "deltastream:index:Entity"
STORE = "deltastream:index:Store"


def kafka_store(name: str, res: str = "kafka") -> Resource:
    return Resource(
        STORE, res, {"name": name, "kafka": {"uris": "k:9092", "saslHashFunction": "NONE"}}
    )


def test_an_entity_is_created_in_its_store_and_read_back(
    stack: Stack, local_server: LocalServer
) -> None:
    store = kafka_store(unique_name("k"))
    topic = unique_name("orders")
    entity = Resource(
        ENTITY,
        "orders",
        {
            "store": store.out("name"),
            "entityPaths": [topic],
            "kafkaProperties": {
                "topicPartitions": 3,
                "topicReplicas": 2,
                "configs": {"retention.ms": "1000"},
            },
        },
    )
    done = stack.up([store, entity])
    assert done.ops() == [("create", "kafka"), ("create", "orders")]
    step = done.step("orders")
    kafka = step.outputs["kafkaProperties"]
    assert (kafka["topicPartitions"], kafka["topicReplicas"]) == (3, 2)
    assert kafka["configs"] == {"retention.ms": "1000"}
    assert kafka["allConfigs"] == {"cleanup.policy": "delete", "retention.ms": "1000"}
    assert step.id == f"{stack.get('kafka').outputs['name']}/{topic}"
    described = run_sql(
        local_server,
        f'DESCRIBE ENTITY "{topic}" IN STORE "{stack.get("kafka").outputs["name"]}";',
    )
    assert described[0][2:4] == ["3", "2"]
    assert stack.refresh().step("orders").op == "same"
    assert stack.up([store, entity]).step("orders").op == "same"
    assert stack.destroy().ops() == [("delete", "orders"), ("delete", "kafka")]


@pytest.mark.parametrize("change", ["entityPaths", "store", "kafkaProperties"])
def test_store_path_and_settings_changes_replace(stack: Stack, change: str) -> None:
    stores = [kafka_store(unique_name("k"), "a"), kafka_store(unique_name("k2"), "b")]
    inputs = {
        "store": stores[0].out("name"),
        "entityPaths": [unique_name("t")],
        "kafkaProperties": {"topicPartitions": 1},
    }
    stack.up([*stores, Resource(ENTITY, "e", inputs)])
    changed = {
        **inputs,
        change: {
            "entityPaths": [unique_name("t2")],
            "store": stores[1].out("name"),
            "kafkaProperties": {"topicPartitions": 5},
        }[change],
    }
    planned = stack.preview([*stores, Resource(ENTITY, "e", changed)]).step("e")
    assert planned.op == "replace" and planned.diff is not None
    assert change in planned.diff.replaces
    step = stack.up([*stores, Resource(ENTITY, "e", changed)]).step("e")
    assert step.op == "replace"
    expected = {
        "entityPaths": changed["entityPaths"],
        "store": stack.get("b").outputs["name"],
        "kafkaProperties": 5,
    }[change]
    shown = step.outputs[change]
    assert (shown["topicPartitions"] if change == "kafkaProperties" else shown) == expected
    stack.destroy()


def test_check_names_every_problem_at_once(stack: Stack) -> None:
    with pytest.raises(CheckFailedError) as info:
        stack.preview(
            [
                Resource(
                    ENTITY,
                    "bad",
                    {
                        "store": "",
                        "entityPaths": [],
                        "kafkaProperties": {
                            "topicPartitions": 0,
                            "topicReplicas": -1,
                            "allConfigs": {"a": "b"},
                        },
                        "kinesisProperties": {"kinesisShards": 0},
                    },
                )
            ]
        )
    assert sorted(info.value.properties) == [
        "",
        "entityPaths",
        "kafkaProperties.allConfigs",
        "kafkaProperties.topicPartitions",
        "kafkaProperties.topicReplicas",
        "kinesisProperties.kinesisShards",
        "store",
    ]


def test_a_setting_of_another_store_type_fails_with_a_clear_error(stack: Stack) -> None:
    store = kafka_store(unique_name("k"))
    wrong = Resource(
        ENTITY,
        "e",
        {
            "store": store.out("name"),
            "entityPaths": ["t"],
            "kinesisProperties": {"kinesisShards": 2},
        },
    )
    with pytest.raises(ProviderRPCError) as info:
        stack.up([store, wrong])
    assert "'kinesis.shards' is not valid for an entity in Kafka store" in info.value.details
    stack.destroy()


def test_an_existing_entity_prints_a_working_import_line(
    stack: Stack, local_server: LocalServer
) -> None:
    store = unique_name("k")
    stack.up([kafka_store(store)])
    run_sql(local_server, f'CREATE ENTITY "a"."b/c" IN STORE "{store}";')
    entity = Resource(ENTITY, "e", {"store": store, "entityPaths": ["a", "b/c"]})
    with pytest.raises(ProviderRPCError) as info:
        stack.up([kafka_store(store), entity])
    match = re.search(r"adopt it: pulumi import (\S+) (\S+) (\S+)$", info.value.details, re.M)
    assert match, info.value.details
    token, name, rid = match.groups()
    assert (token, name) == (ENTITY, "e")
    rid = rid.strip("'")
    imported = stack.import_(ENTITY, "e", rid)
    assert imported.outputs["entityPaths"] == ["a", "b/c"]
    assert imported.outputs["kafkaProperties"]["topicPartitions"] == 1
    assert stack.up([kafka_store(store), entity]).step("e").op == "same"
    stack.destroy()


def test_get_entities_lists_the_children_of_a_path(stack: Stack, local_server: LocalServer) -> None:
    store = unique_name("k")
    stack.up([kafka_store(store)])
    for path in ('"a"', '"b"."c"', '"b"."d"'):
        run_sql(local_server, f'CREATE ENTITY {path} IN STORE "{store}";')
    top = stack.invoke("deltastream:index:getEntities", {"store": store})
    assert top["childEntities"] == ["a", "b"]
    below = stack.invoke("deltastream:index:getEntities", {"store": store, "parentPaths": ["b"]})
    assert below["childEntities"] == ["c", "d"] and below["parentPaths"] == ["b"]
    stack.destroy()


def test_get_entity_data_reads_what_insert_wrote(stack: Stack, local_server: LocalServer) -> None:
    store = kafka_store(unique_name("k"))
    entity = Resource(ENTITY, "ev", {"store": store.out("name"), "entityPaths": ["events"]})
    stack.up([store, entity])
    name = stack.get("kafka").outputs["name"]
    for i in range(15):
        record = json.dumps({"n": i, "who": "it's"}).replace("'", "''")
        run_sql(local_server, f'INSERT INTO ENTITY "events" IN STORE "{name}" VALUE(\'{record}\');')
    args = {"store": name, "entityPaths": ["events"]}
    first = stack.invoke(
        "deltastream:index:getEntityData", {**args, "fromBeginning": True, "numRows": 3}
    )
    assert [json.loads(r) for r in first["rows"]] == [{"n": i, "who": "it's"} for i in range(3)]
    latest = stack.invoke("deltastream:index:getEntityData", args)
    assert [json.loads(r)["n"] for r in latest["rows"]] == list(range(5, 15))
    assert latest["numRows"] == 10 and latest["fromBeginning"] is False
    with pytest.raises(InvokeFailedError) as info:
        stack.invoke("deltastream:index:getEntityData", {**args, "numRows": 201})
    assert "numRows" in str(info.value) and "200" in str(info.value)
    stack.destroy()
