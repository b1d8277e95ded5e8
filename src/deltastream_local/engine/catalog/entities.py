"""Entities: topics (Kafka), streams (Kinesis) and other objects inside a store
(docs/reference/other-kinds.md#entities).

    CREATE ENTITY <path> [IN STORE s] [WITH ('kafka.partitions' = n, 'kafka.replicas' = n,
        'kafka.topic.<config>' = '<v>', 'kafka.key.descriptor' = '<source>', …)]
    CREATE ENTITY <path> [IN STORE s] [WITH ('kinesis.shards' = n)]
    DROP | DESCRIBE ENTITY <path> [IN STORE s]
    LIST ENTITIES [IN <path>] [IN STORE s]
    PRINT ENTITY <path> [IN STORE s] [WITH ('from_beginning')]
    INSERT INTO ENTITY <path> [IN STORE s] VALUE('<json>')

Without ``IN STORE`` the session's store (``USE STORE``) is meant. Kafka and Confluent Kafka
stores take the ``kafka.*`` keys, Kinesis stores ``kinesis.shards``, other types no keys; a
key of another type is refused naming the store's type. ``kafka.key.descriptor`` /
``kafka.value.descriptor`` name descriptor sources (they must exist; such a source cannot be
dropped while an entity names it). Each entity keeps its last :data:`BUFFER` records, written
one per ``INSERT INTO ENTITY``; ``PRINT ENTITY`` answers the whole buffer oldest first with
``from_beginning``, else the latest :data:`TAIL` records. Dropping a store takes its entities
(and their records) along: the store is DeltaStream's connection to them.
"""

from __future__ import annotations

import json
from typing import Any

from deltastream_local.engine import ast
from deltastream_local.engine.api import Column
from deltastream_local.engine.catalog.base import CatalogKind, Execution, ObjectKey, Reference
from deltastream_local.engine.catalog.tables.descriptor_sources import require as require_source
from deltastream_local.engine.catalog.tables.stores import StoreRow
from deltastream_local.engine.catalog.tables.stores import require as require_store
from deltastream_local.engine.errors import (
    INVALID_PARAMETER,
    INVALID_RELATION,
    INVALID_STORE,
    SqlError,
    already_exists,
    fqn,
)
from deltastream_local.engine.results import (
    Result,
    artifact_row,
    artifacts,
    bigint,
    bool_text,
    boolean,
    varchar,
)

#: DESCRIBE/DROP of an absent entity (dbt-deltastream treats 3D020 as "absent")
NOT_FOUND = INVALID_RELATION
#: no entity-specific duplicate code is known: the generic duplicate object
DUPLICATE = "42710"
#: records kept per entity, and how many PRINT answers without 'from_beginning'
BUFFER = 1000
TAIL = 10
#: configs a new Kafka topic has unless the statement sets them (shown in DESCRIBE)
KAFKA_DEFAULTS = {"cleanup.policy": "delete", "retention.ms": "604800000"}

_KAFKA_TYPES = ("KAFKA", "CONFLUENT_KAFKA")
_DESCRIPTORS = ("kafka.key.descriptor", "kafka.value.descriptor")

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS entities (
        store TEXT NOT NULL, path TEXT NOT NULL, owner TEXT NOT NULL, settings TEXT NOT NULL,
        created_at REAL NOT NULL, PRIMARY KEY (store, path))""",
    """CREATE TABLE IF NOT EXISTS entity_records (
        store TEXT NOT NULL, path TEXT NOT NULL, seq INTEGER NOT NULL, record TEXT NOT NULL,
        PRIMARY KEY (store, path, seq))""",
)


def _path(name: ast.QualifiedName) -> str:
    return json.dumps(list(name.parts), ensure_ascii=False)


def _store(exe: Execution, given: str | None) -> StoreRow:
    name = given or exe.context.store
    if not name:
        raise SqlError(INVALID_STORE, "no store given: add IN STORE <store> or USE STORE first")
    return require_store(exe, name)


def _settings(exe: Execution, store: str, path: str) -> dict[str, Any] | None:
    found = exe.db.execute(
        "SELECT settings FROM entities WHERE store = ? AND path = ?", (store, path)
    ).fetchone()
    return None if found is None else dict(json.loads(found[0]))


def _require(exe: Execution, store: StoreRow, stmt: ast.EntityStatement) -> dict[str, Any]:
    found = _settings(exe, store.name, _path(stmt.path))
    if found is None:
        raise SqlError(NOT_FOUND, f"entity {stmt.path} does not exist in store {fqn(store.name)}")
    return found


def _count(key: str, value: ast.PropertyValue) -> int:
    text = value.value or ""
    if value.kind not in ("number", "string") or not text.isdigit() or int(text) < 1:
        raise SqlError(INVALID_PARAMETER, f"property '{key}' must be a positive integer")
    return int(text)


def _kafka_settings(exe: Execution, store: StoreRow, props: ast.Properties) -> dict[str, Any]:
    settings: dict[str, Any] = {"partitions": 1, "replicas": 1, "configs": dict(KAFKA_DEFAULTS)}
    for item in props.items:
        if item.key in ("kafka.partitions", "kafka.replicas"):
            settings[item.key.split(".")[1]] = _count(item.key, item.value)
        elif item.key.startswith("kafka.topic.") and len(item.key) > len("kafka.topic."):
            settings["configs"][item.key[len("kafka.topic.") :]] = item.value.value or ""
        elif item.key in _DESCRIPTORS:
            source = item.value.value or ""
            require_source(exe, source)
            settings[item.key.split(".")[1] + "_descriptor"] = source
        else:
            raise _refused(item.key, store)
    return settings


def _kinesis_settings(store: StoreRow, props: ast.Properties) -> dict[str, Any]:
    settings: dict[str, Any] = {"shards": 1}
    for item in props.items:
        if item.key != "kinesis.shards":
            raise _refused(item.key, store)
        settings["shards"] = _count(item.key, item.value)
    return settings


def _refused(key: str, store: StoreRow) -> SqlError:
    accepted = {
        "KAFKA": "kafka.partitions, kafka.replicas, kafka.topic.<config>, "
        "kafka.key.descriptor, kafka.value.descriptor",
        "KINESIS": "kinesis.shards",
    }
    family = "KAFKA" if store.type.keyword in _KAFKA_TYPES else store.type.keyword
    allowed = accepted.get(family)
    why = f"accepted: {allowed}" if allowed else "this store type takes no entity properties"
    return SqlError(
        INVALID_PARAMETER,
        f"property '{key}' is not valid for an entity in {store.type.display} store "
        f"{fqn(store.name)} ({why})",
    )


def _done(stmt: ast.EntityStatement, store: StoreRow, verb: str) -> Result:
    name = ".".join(stmt.path.parts)
    summary = f"{verb} entity {stmt.path} in store {fqn(store.name)}"
    row = artifact_row("entity", name, f"{stmt.kind.upper()} ENTITY", summary, stmt.path.parts)
    return artifacts(row)


def _create(exe: Execution, stmt: ast.EntityStatement) -> Result:
    store = _store(exe, stmt.store)
    path = _path(stmt.path)
    if _settings(exe, store.name, path) is not None:
        raise already_exists(DUPLICATE, "entity", *stmt.path.parts)
    if store.type.keyword in _KAFKA_TYPES:
        settings = _kafka_settings(exe, store, stmt.properties)
    elif store.type.keyword == "KINESIS":
        settings = _kinesis_settings(store, stmt.properties)
    else:
        for item in stmt.properties.items:
            raise _refused(item.key, store)
        settings = {}
    exe.db.execute(
        "INSERT INTO entities (store, path, owner, settings, created_at) VALUES (?, ?, ?, ?, ?)",
        (store.name, path, exe.context.role, json.dumps(settings), exe.now),
    )
    return _done(stmt, store, "created")


def _drop(exe: Execution, stmt: ast.EntityStatement) -> Result:
    store = _store(exe, stmt.store)
    _require(exe, store, stmt)
    key = (store.name, _path(stmt.path))
    exe.db.execute("DELETE FROM entities WHERE store = ? AND path = ?", key)
    exe.db.execute("DELETE FROM entity_records WHERE store = ? AND path = ?", key)
    return _done(stmt, store, "dropped")


def _describe(exe: Execution, stmt: ast.EntityStatement) -> Result:
    """The row shapes the official provider reads by position (Kafka: 7 columns, Kinesis: 3,
    others: the name and the store type)."""
    store = _store(exe, stmt.store)
    settings = _require(exe, store, stmt)
    name = ".".join(stmt.path.parts)
    columns: tuple[Column, ...]
    if store.type.keyword in _KAFKA_TYPES:
        columns = (
            varchar("name"),
            varchar("store_type"),
            bigint("partitions"),
            bigint("replicas"),
            varchar("key_descriptor", nullable=True),
            varchar("value_descriptor", nullable=True),
            varchar("configs"),
        )
        row: list[str | None] = [
            name,
            store.type.display,
            str(settings["partitions"]),
            str(settings["replicas"]),
            settings.get("key_descriptor"),
            settings.get("value_descriptor"),
            json.dumps(settings["configs"], sort_keys=True),
        ]
        return Result(columns, [row])
    if store.type.keyword == "KINESIS":
        columns = (varchar("name"), bigint("shards"), varchar("descriptor", nullable=True))
        return Result(columns, [[name, str(settings["shards"]), None]])
    return Result((varchar("name"), varchar("store_type")), [[name, store.type.display]])


def _insert(exe: Execution, stmt: ast.EntityStatement) -> Result:
    store = _store(exe, stmt.store)
    _require(exe, store, stmt)
    try:
        json.loads(stmt.value or "")
    except ValueError:
        raise SqlError(INVALID_PARAMETER, "VALUE must be one JSON record") from None
    key = (store.name, _path(stmt.path))
    (last,) = exe.db.execute(
        "SELECT COALESCE(MAX(seq), 0) FROM entity_records WHERE store = ? AND path = ?", key
    ).fetchone()
    exe.db.execute(
        "INSERT INTO entity_records (store, path, seq, record) VALUES (?, ?, ?, ?)",
        (*key, last + 1, stmt.value),
    )
    exe.db.execute(
        "DELETE FROM entity_records WHERE store = ? AND path = ? AND seq <= ?",
        (*key, last + 1 - BUFFER),
    )
    return _done(stmt, store, "inserted a record into")


def _print(exe: Execution, stmt: ast.EntityStatement) -> Result:
    store = _store(exe, stmt.store)
    _require(exe, store, stmt)
    unknown = [f for f in stmt.flags if f != "from_beginning"] + list(stmt.properties.keys())
    if unknown:
        raise SqlError(INVALID_PARAMETER, f"property '{unknown[0]}' is not valid for PRINT")
    key = (store.name, _path(stmt.path))
    records = [
        r
        for (r,) in exe.db.execute(
            "SELECT record FROM entity_records WHERE store = ? AND path = ? ORDER BY seq", key
        ).fetchall()
    ]
    if "from_beginning" not in stmt.flags:
        records = records[-TAIL:]
    return Result((varchar("value"),), [[r] for r in records])


_HANDLERS = {
    "create": _create,
    "drop": _drop,
    "describe": _describe,
    "insert": _insert,
    "print": _print,
}


def _run(stmt: ast.EntityStatement, exe: Execution) -> Result:
    return _HANDLERS[stmt.kind](exe, stmt)


def _list(stmt: ast.ListEntities, exe: Execution) -> Result:
    """The children of a path (the store's top level without one): ``name, is_leaf``."""
    store = _store(exe, stmt.store)
    parent = stmt.parent.parts if stmt.parent is not None else ()
    children: dict[str, bool] = {}
    rows = exe.db.execute("SELECT path FROM entities WHERE store = ?", (store.name,))
    for (text,) in rows.fetchall():
        path = tuple(json.loads(text))
        if len(path) > len(parent) and path[: len(parent)] == parent:
            child = path[len(parent)]
            leaf = len(path) == len(parent) + 1
            children[child] = children.get(child, True) and leaf
    columns = (varchar("name"), boolean("is_leaf"))
    return Result(columns, [[n, bool_text(leaf)] for n, leaf in sorted(children.items())])


def _in_store(exe: Execution, key: ObjectKey) -> list[str]:
    rows = exe.db.execute("SELECT path FROM entities WHERE store = ?", (key[0],))
    return [fqn(*json.loads(text)) for (text,) in rows.fetchall()]


def _delete_in_store(exe: Execution, key: ObjectKey) -> None:
    exe.db.execute("DELETE FROM entities WHERE store = ?", (key[0],))
    exe.db.execute("DELETE FROM entity_records WHERE store = ?", (key[0],))


def _naming_source(exe: Execution, key: ObjectKey) -> list[str]:
    """Entities whose key or value descriptor is the descriptor source ``key``."""
    found = []
    for store, text, raw in exe.db.execute("SELECT store, path, settings FROM entities"):
        settings = json.loads(raw)
        if key[0] in (settings.get("key_descriptor"), settings.get("value_descriptor")):
            found.append(f"{fqn(*json.loads(text))} in store {fqn(store)}")
    return found


KIND = CatalogKind(
    name="entity",
    schema=SCHEMA,
    requires=("store", "descriptor_source"),
    references=(
        Reference("descriptor_source", _naming_source, "entities still use it"),
        Reference("store", _in_store, delete=_delete_in_store),
    ),
    statements={(ast.EntityStatement, None): _run, (ast.ListEntities, None): _list},
)
