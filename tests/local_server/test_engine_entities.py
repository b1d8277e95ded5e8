"""Entities and descriptor sources in deltastream-local: paths in a store, the per-type WITH
keys, DESCRIBE row shapes, LIST ENTITIES, the record buffer of INSERT INTO ENTITY / PRINT
ENTITY, attachments of descriptor sources, and the drop rules between them and stores."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from deltastream_local.engine import create_engine
from deltastream_local.engine.catalog.entities import BUFFER, TAIL
from deltastream_local.engine.session import EngineSession

KAFKA = (
    "CREATE STORE k WITH ('type' = KAFKA, 'uris' = 'localhost:9092',"
    " 'kafka.sasl.hash_function' = NONE)"
)
KINESIS = "CREATE STORE kin WITH ('type' = KINESIS, 'uris' = 'https://kinesis.example')"
POSTGRES = (
    "CREATE STORE pg WITH ('type' = POSTGRESQL, 'uris' = 'postgresql://db:5432/x',"
    " 'postgres.username' = 'u', 'postgres.password' = 'p')"
)
DESC = b"\n\x0borders.proto"


@pytest.fixture
def session() -> Iterator[EngineSession]:
    engine = create_engine(":memory:")
    s = EngineSession(engine)
    s.ok(KAFKA)
    s.ok(KINESIS)
    s.ok(POSTGRES)
    yield s
    engine.close()


def test_a_kafka_topic_is_created_described_and_dropped(session: EngineSession) -> None:
    session.ok(
        'CREATE ENTITY "orders" IN STORE "k" WITH (\'kafka.partitions\' = 3,'
        " 'kafka.replicas' = 2, 'kafka.topic.retention.ms' = '1000')"
    )
    described = session.ok('DESCRIBE ENTITY "orders" IN STORE "k"')
    assert len(described.columns) == 7
    name, kind, partitions, replicas, key, value, configs = described.rows[0]
    assert (name, kind, partitions, replicas, key, value) == (
        "orders",
        "Kafka",
        "3",
        "2",
        None,
        None,
    )
    assert json.loads(configs or "") == {"cleanup.policy": "delete", "retention.ms": "1000"}
    assert session.run('CREATE ENTITY "orders" IN STORE "k"').sql_state == "42710"
    session.ok('DROP ENTITY "orders" IN STORE "k"')
    gone = session.run('DESCRIBE ENTITY "orders" IN STORE "k"')
    assert gone.sql_state == "3D020" and '"orders"' in (gone.message or "")
    assert session.run('DROP ENTITY "orders" IN STORE "k"').sql_state == "3D020"


def test_the_session_store_is_used_without_in_store(session: EngineSession) -> None:
    assert session.run("CREATE ENTITY t").sql_state == "3D006"
    session.ok("USE STORE k")
    session.ok("CREATE ENTITY t")
    assert session.rows("DESCRIBE ENTITY t IN STORE k")[0][2] == "1"


def test_kinesis_and_other_types_take_only_their_keys(session: EngineSession) -> None:
    session.ok("CREATE ENTITY s IN STORE kin WITH ('kinesis.shards' = 4)")
    assert session.rows("DESCRIBE ENTITY s IN STORE kin") == [["s", "4", None]]
    wrong = session.run("CREATE ENTITY s2 IN STORE kin WITH ('kafka.partitions' = 1)")
    assert wrong.sql_state == "3D008"
    assert "'kafka.partitions'" in (wrong.message or "") and "kinesis.shards" in (
        wrong.message or ""
    )
    wrong = session.run("CREATE ENTITY t IN STORE k WITH ('kinesis.shards' = 1)")
    assert wrong.sql_state == "3D008" and "Kafka store" in (wrong.message or "")
    bad = session.run("CREATE ENTITY t IN STORE k WITH ('kafka.partitions' = 0)")
    assert bad.sql_state == "3D008" and "positive integer" in (bad.message or "")
    assert session.run("CREATE ENTITY t IN STORE pg WITH ('x' = 1)").sql_state == "3D008"
    session.ok('CREATE ENTITY "public"."t" IN STORE pg')
    assert session.rows('DESCRIBE ENTITY "public"."t" IN STORE pg') == [["public.t", "Postgres"]]
    assert session.run("CREATE ENTITY t IN STORE nope").sql_state == "3D006"


def test_list_entities_shows_children_and_leaves(session: EngineSession) -> None:
    for path in ('"a"', '"b"."c"', '"b"."d"', '"b"."d"."e"'):
        session.ok(f"CREATE ENTITY {path} IN STORE pg")
    assert session.rows("LIST ENTITIES IN STORE pg") == [["a", "true"], ["b", "false"]]
    assert session.rows('LIST ENTITIES IN "b" IN STORE pg') == [["c", "true"], ["d", "false"]]
    assert session.rows('LIST ENTITIES IN "b"."d" IN STORE pg') == [["e", "true"]]
    assert session.rows("LIST ENTITIES IN STORE k") == []


def test_insert_fills_a_buffer_that_print_reads(session: EngineSession) -> None:
    session.ok('CREATE ENTITY "ev" IN STORE "k"')
    for i in range(TAIL + 5):
        session.ok(f'INSERT INTO ENTITY "ev" IN STORE "k" VALUE(\'{{"n": {i}, "s": "it\'\'s"}}\')')
    everything = session.rows('PRINT ENTITY "ev" IN STORE "k" WITH (\'from_beginning\')')
    assert [json.loads(r[0] or "")["n"] for r in everything] == list(range(TAIL + 5))
    assert json.loads(everything[0][0] or "")["s"] == "it's"
    latest = session.rows('PRINT ENTITY "ev" IN STORE "k"')
    assert [json.loads(r[0] or "")["n"] for r in latest] == list(range(5, TAIL + 5))
    assert session.run('INSERT INTO ENTITY "ev" IN STORE "k" VALUE(\'not json\')').sql_state == (
        "3D008"
    )
    assert session.run('INSERT INTO ENTITY "x" IN STORE "k" VALUE(\'{}\')').sql_state == "3D020"
    assert session.run('PRINT ENTITY "ev" IN STORE "k" WITH (\'nope\')').sql_state == "3D008"


def test_the_buffer_keeps_the_last_records(session: EngineSession) -> None:
    session.ok('CREATE ENTITY "big" IN STORE "k"')
    for i in range(BUFFER + 3):
        session.ok(f'INSERT INTO ENTITY "big" IN STORE "k" VALUE(\'{i}\')')
    kept = session.rows('PRINT ENTITY "big" IN STORE "k" WITH (\'from_beginning\')')
    assert len(kept) == BUFFER and kept[0] == ["3"] and kept[-1] == [str(BUFFER + 2)]


def test_dropping_a_store_takes_its_entities_along(session: EngineSession) -> None:
    session.ok('CREATE ENTITY "t" IN STORE "k"')
    session.ok('INSERT INTO ENTITY "t" IN STORE "k" VALUE(\'{}\')')
    session.ok("DROP STORE k")
    session.ok(KAFKA)
    assert session.run('DESCRIBE ENTITY "t" IN STORE "k"').sql_state == "3D020"
    session.ok('CREATE ENTITY "t" IN STORE "k"')
    assert session.rows('PRINT ENTITY "t" IN STORE "k" WITH (\'from_beginning\')') == []


def test_descriptor_sources_need_their_attachment(session: EngineSession) -> None:
    missing = session.run("CREATE DESCRIPTOR_SOURCE ds WITH ('file' = 'orders.desc')")
    assert missing.sql_state == "3D008" and "'orders.desc'" in (missing.message or "")
    other = session.run(
        "CREATE DESCRIPTOR_SOURCE ds WITH ('file' = 'orders.desc')", {"other.desc": DESC}
    )
    assert other.sql_state == "3D008"
    assert session.run("CREATE DESCRIPTOR_SOURCE ds WITH ('description' = 'x')").sql_state == (
        "3D021"
    )
    session.ok(
        "CREATE DESCRIPTOR_SOURCE ds WITH ('file' = 'orders.desc', 'description' = 'it''s')",
        {"orders.desc": DESC},
    )
    rows = session.rows(
        'SELECT name, description, status, file_name FROM deltastream.sys."descriptor_sources"'
    )
    assert rows == [["ds", "it's", "ready", "orders.desc"]]
    assert session.rows("LIST DESCRIPTOR_SOURCES")[0][:3] == ["ds", "it's", "ready"]
    again = session.run(
        "CREATE DESCRIPTOR_SOURCE ds WITH ('file' = 'orders.desc')", {"orders.desc": DESC}
    )
    assert again.sql_state == "42710"
    session.ok("DROP DESCRIPTOR_SOURCE ds")
    assert session.run("DROP DESCRIPTOR_SOURCE ds").sql_state == "3D011"


def test_a_descriptor_source_an_entity_uses_cannot_be_dropped(session: EngineSession) -> None:
    session.ok("CREATE DESCRIPTOR_SOURCE ds WITH ('file' = 'o.desc')", {"o.desc": DESC})
    unknown = session.run("CREATE ENTITY t IN STORE k WITH ('kafka.value.descriptor' = 'nope')")
    assert unknown.sql_state == "3D011"
    session.ok("CREATE ENTITY t IN STORE k WITH ('kafka.value.descriptor' = 'ds')")
    assert session.rows("DESCRIBE ENTITY t IN STORE k")[0][4:6] == [None, "ds"]
    refused = session.run("DROP DESCRIPTOR_SOURCE ds")
    assert refused.sql_state == "2BP01" and '"t" in store "k"' in (refused.message or "")
    session.ok("DROP ENTITY t IN STORE k")
    session.ok("DROP DESCRIPTOR_SOURCE ds")


def test_other_uses_of_the_words_still_parse(session: EngineSession) -> None:
    session.ok("CREATE DATABASE db")
    session.ok(
        "CREATE STREAM db.public.s (value VARCHAR, entities VARCHAR)"
        " WITH ('store' = 'k', 'topic' = 't', 'value.format' = 'json')"
    )
    assert session.run("PRINT something").sql_state == "0A000"
