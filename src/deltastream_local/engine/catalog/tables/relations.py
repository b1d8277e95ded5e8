"""The ``relations`` table: relation rows, their computed state, name resolution and the
lookups other kinds use (a relation by name, the relations in a schema or on a store)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from deltastream_local.engine import ast
from deltastream_local.engine.api import ORGANIZATION_ID, SessionContext
from deltastream_local.engine.catalog.base import Execution
from deltastream_local.engine.catalog.tables import databases, schemas
from deltastream_local.engine.errors import INVALID_RELATION, fqn, not_found

CREATING = "creating"
CREATED = "created"
VIRTUAL_DATABASE = "virtual"
VIRTUAL_SCHEMA = "public"

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS relations (
        database_name TEXT NOT NULL,
        schema_name TEXT NOT NULL,
        name TEXT NOT NULL,
        relation_type TEXT NOT NULL,
        owner TEXT NOT NULL,
        store_name TEXT,
        properties TEXT NOT NULL,
        columns TEXT NOT NULL,
        primary_key TEXT,
        sql TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        ready_at REAL NOT NULL,
        PRIMARY KEY (database_name, schema_name, name)
    )""",
)

RelationId = tuple[str, str, str]

KIND_WORDS = {
    "stream": "STREAM",
    "changelog": "CHANGELOG",
    "table": "TABLE",
    "materialized_view": "MATERIALIZED VIEW",
}


@dataclass(frozen=True)
class RelationInfo:
    """What plans and queries need to know about a relation (stored or being planned)."""

    database: str
    schema: str
    name: str
    type: str
    store: str | None
    is_virtual: bool = False

    @property
    def id(self) -> RelationId:
        return (self.database, self.schema, self.name)

    def plan_json(self, with_virtual: bool = False) -> dict[str, Any]:
        """The relation object of DESCRIBE plans (docs/reference/deltastream-sql.md#describe-plans),
        4-part fqn with the org."""
        shown: dict[str, Any] = {
            "fqn": fqn(ORGANIZATION_ID, *self.id),
            "type": self.type,
            "db_name": self.database,
            "schema_name": self.schema,
            "name": self.name,
            "store_name": self.store,
        }
        if with_virtual:
            shown["is_virtual"] = self.is_virtual
        return shown


@dataclass
class Scope:
    """Name resolution for a statement: the catalog, the statement's context and (inside an
    application) the relations earlier statements of the application plan to create."""

    exe: Execution
    context: SessionContext
    pending: dict[RelationId, RelationInfo] = field(default_factory=dict)


# ---- lookups ---------------------------------------------------------------------------------


def names_in(exe: Execution, database: str, schema: str | None = None) -> list[RelationId]:
    """The relations in a database (or one of its schemas), for 2BP01 messages."""
    if schema is None:
        rows = exe.db.execute(
            "SELECT database_name, schema_name, name FROM relations WHERE database_name = ?"
            " ORDER BY schema_name, name",
            (database,),
        ).fetchall()
    else:
        rows = exe.db.execute(
            "SELECT database_name, schema_name, name FROM relations"
            " WHERE database_name = ? AND schema_name = ? ORDER BY name",
            (database, schema),
        ).fetchall()
    return [(d, s, n) for d, s, n in rows]


def names_using_store(exe: Execution, store: str) -> list[RelationId]:
    """The relations backed by a store (a store in use cannot be dropped)."""
    rows = exe.db.execute(
        "SELECT database_name, schema_name, name FROM relations WHERE store_name = ?"
        " ORDER BY database_name, schema_name, name",
        (store,),
    ).fetchall()
    return [(d, s, n) for d, s, n in rows]


def resolve_id(scope: Scope, name: ast.QualifiedName) -> RelationId:
    """Complete a 1-, 2- or 3-part name from the context (3D002/3D003 if it cannot)."""
    parts = name.parts
    if len(parts) == 3:
        return (parts[0], parts[1], parts[2])
    exe = with_context(scope)
    if len(parts) == 2:
        return (databases.context_database(exe), parts[0], parts[1])
    if len(parts) == 1:
        database = databases.context_database(exe)
        return (database, schemas.context_schema(exe, database), parts[0])
    raise not_found(INVALID_RELATION, "relation", *parts)


def with_context(scope: Scope) -> Execution:
    """The statement's execution with the scope's context (an application may USE another)."""
    if scope.context is scope.exe.context:
        return scope.exe
    return dataclasses.replace(scope.exe, context=scope.context)


@dataclass(frozen=True)
class RelationRow:
    info: RelationInfo
    owner: str
    properties: dict[str, list[Any]]
    columns: list[dict[str, Any]]
    primary_key: list[str] | None
    sql: str
    created_at: float
    updated_at: float
    ready_at: float

    def state(self, now: float) -> str:
        return CREATING if now < self.ready_at else CREATED


COLUMNS = (
    "database_name, schema_name, name, relation_type, owner, store_name, properties, columns,"
    " primary_key, sql, created_at, updated_at, ready_at"
)


def decode(row: tuple[Any, ...]) -> RelationRow:
    (
        database,
        schema,
        name,
        kind,
        owner,
        store,
        props,
        columns,
        key,
        sql,
        created,
        updated,
        ready,
    ) = row
    return RelationRow(
        RelationInfo(database, schema, name, kind, store),
        owner,
        json.loads(props),
        json.loads(columns),
        json.loads(key) if key else None,
        sql,
        created,
        updated,
        ready,
    )


def find(exe: Execution, relation: RelationId) -> RelationRow | None:
    row = exe.db.execute(
        f"SELECT {COLUMNS} FROM relations WHERE database_name = ? AND schema_name = ? AND name = ?",
        relation,
    ).fetchone()
    return None if row is None else decode(row)


def lookup(scope: Scope, name: ast.QualifiedName) -> RelationInfo:
    """An existing relation (or one planned earlier in the application), else 3D020."""
    if len(name.parts) == 3 and name.parts[0] == VIRTUAL_DATABASE:
        relation: RelationId = (name.parts[0], name.parts[1], name.parts[2])
    else:
        relation = resolve_id(scope, name)
    if relation in scope.pending:
        return scope.pending[relation]
    row = find(scope.exe, relation)
    if row is None:
        raise not_found(INVALID_RELATION, "relation", *relation)
    return row.info


def all_rows(exe: Execution) -> list[RelationRow]:
    rows = exe.db.execute(
        f"SELECT {COLUMNS} FROM relations ORDER BY database_name, schema_name, created_at, name"
    ).fetchall()
    return [decode(row) for row in rows]
