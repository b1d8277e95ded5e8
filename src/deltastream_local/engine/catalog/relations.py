"""Relations: streams, changelogs, tables and materialized views.

``CREATE STREAM|CHANGELOG|TABLE name (columns) WITH (...)``, ``CREATE … AS SELECT`` (which also
starts a query), ``DROP RELATION|STREAM|…``, ``ALTER <kind> … OWNER TO``, ``DESCRIBE RELATION``,
the LISTs, ``deltastream.sys."relations"`` and the ``DESCRIBE <CREATE …>`` plans.

Every CREATE is planned first (all checks, no writes) and then applied: DESCRIBE shows the
plan, so a bad statement fails under DESCRIBE exactly as it would when run. A relation is
``creating`` for ``relation_ready_delay`` seconds, then ``created``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from deltastream_local.engine import ast
from deltastream_local.engine.access import require_role
from deltastream_local.engine.api import ORGANIZATION_ID, SessionContext
from deltastream_local.engine.catalog import databases, queries, schemas, stores
from deltastream_local.engine.catalog.base import CatalogKind, Execution, SystemTable
from deltastream_local.engine.errors import (
    DEPENDENT_OBJECTS_STILL_EXIST,
    DUPLICATE_RELATION,
    INVALID_PARAMETER,
    INVALID_RELATION,
    INVALID_STORE,
    MISSING_PARAMETER,
    SqlError,
    already_exists,
    fqn,
    not_found,
)
from deltastream_local.engine.results import (
    Result,
    artifact_row,
    artifacts,
    boolean,
    properties,
    timestamp,
    varchar,
)
from deltastream_local.engine.timestamps import format_timestamp

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

_KIND_WORDS = {
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
        """The relation object of DESCRIBE plans (contract §3.3), 4-part fqn with the org."""
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


def summarize(relations: list[RelationId], limit: int = 10) -> str:
    """``"d"."s"."a", "d"."s"."b", ...``: a bounded list for error messages."""
    shown = ", ".join(fqn(*relation) for relation in relations[:limit])
    return shown + (", ..." if len(relations) > limit else "")


def resolve_id(scope: Scope, name: ast.QualifiedName) -> RelationId:
    """Complete a 1-, 2- or 3-part name from the context (3D002/3D003 if it cannot)."""
    parts = name.parts
    if len(parts) == 3:
        return (parts[0], parts[1], parts[2])
    exe = _with_context(scope)
    if len(parts) == 2:
        return (databases.context_database(exe), parts[0], parts[1])
    if len(parts) == 1:
        database = databases.context_database(exe)
        return (database, schemas.context_schema(exe, database), parts[0])
    raise not_found(INVALID_RELATION, "relation", *parts)


def _with_context(scope: Scope) -> Execution:
    if scope.context is scope.exe.context:
        return scope.exe
    return Execution(
        scope.exe.db,
        scope.context,
        scope.exe.attachments,
        scope.exe.options,
        scope.exe.now,
        scope.exe.after_commit,
        scope.exe.services,
    )


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


_COLUMNS = (
    "database_name, schema_name, name, relation_type, owner, store_name, properties, columns,"
    " primary_key, sql, created_at, updated_at, ready_at"
)


def _decode(row: tuple[Any, ...]) -> RelationRow:
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
        f"SELECT {_COLUMNS} FROM relations"
        " WHERE database_name = ? AND schema_name = ? AND name = ?",
        relation,
    ).fetchone()
    return None if row is None else _decode(row)


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


def _require_row(exe: Execution, name: ast.QualifiedName, kind: str) -> RelationRow:
    relation = resolve_id(Scope(exe, exe.context), name)
    row = find(exe, relation)
    if row is None:
        raise not_found(INVALID_RELATION, "relation", *relation)
    if kind != "relation" and row.info.type != kind:
        raise SqlError(
            INVALID_RELATION,
            f"relation {fqn(*relation)} is a {row.info.type.replace('_', ' ')},"
            f" not a {kind.replace('_', ' ')}",
        )
    return row


# ---- CREATE: plan, then apply ----------------------------------------------------------------


@dataclass(frozen=True)
class CreatePlan:
    relation: RelationInfo
    properties: ast.Properties
    columns: tuple[ast.ColumnDef, ...] = ()
    primary_key: tuple[str, ...] = ()
    sql: str = ""
    #: for CREATE … AS SELECT: the relations the query reads
    sources: tuple[RelationInfo, ...] = ()
    query_sql: str | None = None


def _property_text(props: ast.Properties, key: str) -> str | None:
    value = props.get(key)
    if value is None or value.value is None:
        return None
    return value.value


def _store_for(scope: Scope, props: ast.Properties, fallback: str | None) -> str:
    store = _property_text(props, "store") or scope.context.store or fallback
    if not store:
        raise SqlError(
            INVALID_STORE,
            "no store is set: give 'store' in WITH (...) or set a store in the context",
        )
    stores.require(scope.exe, store)
    return store


def plan_create(scope: Scope, stmt: ast.CreateRelation | ast.CreateRelationAs) -> CreatePlan:
    """Every check CREATE makes, without writing anything."""
    if isinstance(stmt, ast.CreateRelationAs) and stmt.virtual:
        return _plan_virtual(scope, stmt)
    relation = resolve_id(scope, stmt.name)
    schemas.require(_with_context(scope), relation[0], relation[1])
    if relation in scope.pending or find(scope.exe, relation) is not None:
        raise already_exists(DUPLICATE_RELATION, "relation", *relation)
    if isinstance(stmt, ast.CreateRelation):
        if stmt.kind == "changelog" and not stmt.primary_key:
            raise SqlError(MISSING_PARAMETER, "a CHANGELOG needs a PRIMARY KEY")
        _check_relation_properties(stmt.properties)
        store = _store_for(scope, stmt.properties, None)
        info = RelationInfo(*relation, stmt.kind, store)
        return CreatePlan(info, stmt.properties, stmt.columns, stmt.primary_key, stmt.text)
    sources = _plan_sources(scope, stmt.query)
    _check_relation_properties(stmt.properties)
    physical = [source for source in sources if not source.is_virtual]
    store = _store_for(scope, stmt.properties, physical[0].store if physical else None)
    info = RelationInfo(*relation, stmt.kind, store)
    return CreatePlan(info, stmt.properties, sql=stmt.text, sources=sources, query_sql=stmt.text)


def _plan_virtual(scope: Scope, stmt: ast.CreateRelationAs) -> CreatePlan:
    parts = stmt.name.parts
    if len(parts) == 1:
        relation: RelationId = (VIRTUAL_DATABASE, VIRTUAL_SCHEMA, parts[0])
    elif len(parts) == 3 and parts[0] == VIRTUAL_DATABASE:
        relation = (parts[0], parts[1], parts[2])
    else:
        raise SqlError(
            INVALID_RELATION,
            f"virtual relation {fqn(*parts)} must be named virtual.<schema>.<name>",
        )
    if relation in scope.pending:
        raise already_exists(DUPLICATE_RELATION, "relation", *relation)
    sources = _plan_sources(scope, stmt.query)
    store = _property_text(stmt.properties, "store") or scope.context.store
    if store is not None:
        stores.require(scope.exe, store)
    info = RelationInfo(*relation, stmt.kind, store, is_virtual=True)
    return CreatePlan(info, stmt.properties, sql=stmt.text, sources=sources, query_sql=stmt.text)


def _plan_sources(scope: Scope, query: ast.StreamSelect) -> tuple[RelationInfo, ...]:
    found: list[RelationInfo] = []
    for source in query.sources:
        info = lookup(scope, source.name)
        if info not in found:
            found.append(info)
    return tuple(found)


def _check_relation_properties(props: ast.Properties) -> None:
    for key in ("store", "topic"):
        value = props.get(key)
        if value is not None and value.kind in ("null", "boolean", "number"):
            raise SqlError(INVALID_PARAMETER, f"property '{key}' must be a name")


def apply_create(exe: Execution, plan: CreatePlan) -> None:
    info = plan.relation
    stored_props = {item.key: [item.value.kind, item.value.value] for item in plan.properties.items}
    if info.store is not None and "topic" not in stored_props and info.type != "table":
        stored_props["topic"] = ["string", info.name]  # the service defaults the topic name
    columns = [
        {"name": column.name, "type": column.type, "nullable": not column.not_null}
        for column in plan.columns
    ]
    exe.db.execute(
        f"INSERT INTO relations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            *info.id,
            info.type,
            exe.context.role,
            info.store,
            json.dumps(stored_props, ensure_ascii=False),
            json.dumps(columns, ensure_ascii=False),
            json.dumps(list(plan.primary_key)) if plan.primary_key else None,
            plan.sql,
            exe.now,
            exe.now,
            exe.now + exe.options.relation_ready_delay,
        ),
    )


def creation_row(info: RelationInfo) -> list[str | None]:
    word = _KIND_WORDS.get(info.type, info.type.upper())
    if info.is_virtual:
        return artifact_row(
            info.type,
            info.name,
            f"CREATE VIRTUAL {word}",
            f"planned virtual {word.lower()} {fqn(*info.id)}",
            list(info.id),
        )
    return artifact_row(
        info.type,
        info.name,
        f"CREATE {word}",
        f"created {word.lower()} {fqn(*info.id)}",
        list(info.id),
    )


def _create(stmt: ast.CreateRelation | ast.CreateRelationAs, exe: Execution) -> Result:
    if isinstance(stmt, ast.CreateRelationAs) and stmt.virtual:
        raise SqlError(
            INVALID_RELATION, "virtual relations exist only inside BEGIN APPLICATION … END"
        )
    plan = plan_create(Scope(exe, exe.context), stmt)
    apply_create(exe, plan)
    rows = [creation_row(plan.relation)]
    if plan.query_sql is not None:
        query_id = queries.start(
            exe,
            kind="query",
            name=None,
            sql=plan.query_sql,
            sinks=[plan.relation],
            sources=[s for s in plan.sources if not s.is_virtual],
            properties=ast.Properties(),
        )
        rows.append(queries.artifact(query_id, "CREATE AS SELECT"))
    return artifacts(*rows)


def _describe_create(
    stmt: ast.CreateRelation | ast.CreateRelationAs, exe: Execution
) -> tuple[str, dict[str, Any]]:
    plan = plan_create(Scope(exe, exe.context), stmt)
    body: dict[str, Any] = {"ddl": plan.relation.plan_json()}
    if isinstance(stmt, ast.CreateRelationAs):
        body["sink"] = plan.relation.plan_json()
        body["sources"] = [source.plan_json() for source in plan.sources]
    return "CREATE_" + plan.relation.type.upper(), body


# ---- DROP, ALTER, DESCRIBE, LIST -------------------------------------------------------------


def _drop(stmt: ast.DropRelation, exe: Execution) -> Result:
    row = _require_row(exe, stmt.name, stmt.kind)
    users = queries.active_users(exe, row.info.id)
    if users:
        raise SqlError(
            DEPENDENT_OBJECTS_STILL_EXIST,
            f"cannot drop relation {fqn(*row.info.id)}: queries still use it: " + ", ".join(users),
        )
    exe.db.execute(
        "DELETE FROM relations WHERE database_name = ? AND schema_name = ? AND name = ?",
        row.info.id,
    )
    word = _KIND_WORDS.get(row.info.type, row.info.type.upper())
    return artifacts(
        artifact_row(
            row.info.type,
            row.info.name,
            f"DROP {word}",
            f"dropped {word.lower()} {fqn(*row.info.id)}",
            list(row.info.id),
        )
    )


def _alter_owner(stmt: ast.AlterOwner, exe: Execution) -> Result:
    row = _require_row(exe, stmt.name, stmt.kind)
    role = require_role(stmt.role)
    exe.db.execute(
        "UPDATE relations SET owner = ?, updated_at = ?"
        " WHERE database_name = ? AND schema_name = ? AND name = ?",
        (role, exe.now, *row.info.id),
    )
    word = _KIND_WORDS.get(row.info.type, row.info.type.upper())
    return artifacts(
        artifact_row(
            row.info.type,
            row.info.name,
            f"ALTER {word}",
            f"changed owner of {word.lower()} {fqn(*row.info.id)} to {role}",
            list(row.info.id),
        )
    )


def _describe(stmt: ast.DescribeObject, exe: Execution) -> Result:
    row = _require_row(exe, stmt.name, "relation")
    info = row.info
    return properties(
        [
            ("name", info.name),
            ("type", info.type),
            ("fqn", fqn(*info.id)),
            ("database_name", info.database),
            ("schema_name", info.schema),
            ("store_name", info.store),
            ("state", row.state(exe.now)),
            ("owner", row.owner),
            ("columns", json.dumps(row.columns, ensure_ascii=False)),
            ("primary_key", json.dumps(row.primary_key) if row.primary_key else None),
            (
                "properties",
                json.dumps({k: v for k, (_, v) in row.properties.items()}, ensure_ascii=False),
            ),
            ("created_at", format_timestamp(row.created_at)),
            ("updated_at", format_timestamp(row.updated_at)),
            # the creating statement, so a relation can be adopted (pulumi import) by name
            ("sql", row.sql),
        ]
    )


def _describe_columns(stmt: ast.DescribeObject, exe: Execution) -> Result:
    """``DESCRIBE RELATION COLUMNS``: one row per column in declared order (DBT reads it)."""
    row = _require_row(exe, stmt.name, "relation")
    return Result(
        (varchar("name"), varchar("type"), boolean("nullable")),
        [
            [
                str(col.get("name")),
                str(col.get("type")),
                "true" if col.get("nullable", True) else "false",
            ]
            for col in row.columns
        ],
    )


def _all(exe: Execution) -> list[RelationRow]:
    rows = exe.db.execute(
        f"SELECT {_COLUMNS} FROM relations ORDER BY database_name, schema_name, created_at, name"
    ).fetchall()
    return [_decode(row) for row in rows]


def _system_rows(exe: Execution) -> list[dict[str, str | None]]:
    return [
        {
            "name": row.info.name,
            "database_name": row.info.database,
            "schema_name": row.info.schema,
            "fqn": fqn(*row.info.id),
            "relation_type": row.info.type,
            "owner": row.owner,
            "state": row.state(exe.now),
            "store_name": row.info.store,
            "primary_key": json.dumps(row.primary_key) if row.primary_key else None,
            "created_at": format_timestamp(row.created_at),
            "updated_at": format_timestamp(row.updated_at),
        }
        for row in _all(exe)
    ]


def _lister(only: str | None) -> Any:
    def handler(stmt: ast.ListObjects, exe: Execution) -> Result:
        rows = _all(exe)
        if stmt.scope is not None and stmt.scope_kind == "database":
            database = databases.require(exe, stmt.scope.parts[-1])
            rows = [row for row in rows if row.info.database == database]
        elif stmt.scope is not None:
            database, schema = schemas.require(exe, *schemas.resolve(exe, stmt.scope))
            rows = [row for row in rows if row.info.id[:2] == (database, schema)]
        elif exe.context.database and exe.context.schema:
            here = (exe.context.database, exe.context.schema)
            rows = [row for row in rows if row.info.id[:2] == here]
        if only is not None:
            rows = [row for row in rows if row.info.type == only]
        columns = (
            varchar("Name"),
            varchar("Type"),
            varchar("Database"),
            varchar("Schema"),
            varchar("Store", nullable=True),
            varchar("State"),
            varchar("Owner"),
            timestamp("CreatedAt"),
            timestamp("UpdatedAt"),
            varchar("Path"),
        )
        return Result(
            columns,
            [
                [
                    row.info.name,
                    row.info.type,
                    row.info.database,
                    row.info.schema,
                    row.info.store,
                    row.state(exe.now),
                    row.owner,
                    format_timestamp(row.created_at),
                    format_timestamp(row.updated_at),
                    json.dumps(list(row.info.id), ensure_ascii=False, separators=(",", ":")),
                ]
                for row in rows
            ],
        )

    return handler


_RELATION_KINDS = ("stream", "changelog", "table", "materialized_view")

KIND = CatalogKind(
    name="relation",
    schema=SCHEMA,
    statements={
        (ast.CreateRelation, None): _create,
        (ast.CreateRelationAs, None): _create,
        (ast.DropRelation, None): _drop,
        (ast.DescribeObject, "relation"): _describe,
        (ast.DescribeObject, "relation_columns"): _describe_columns,
        (ast.AlterOwner, "relation"): _alter_owner,
        **{(ast.AlterOwner, kind): _alter_owner for kind in _RELATION_KINDS},
    },
    planners={
        (ast.CreateRelation, None): _describe_create,
        (ast.CreateRelationAs, None): _describe_create,
    },
    lists={
        "relations": _lister(None),
        "streams": _lister("stream"),
        "changelogs": _lister("changelog"),
        "tables": _lister("table"),
        "materialized_views": _lister("materialized_view"),
    },
    system_tables=(
        SystemTable(
            "relations",
            (
                varchar("name"),
                varchar("database_name"),
                varchar("schema_name"),
                varchar("fqn"),
                varchar("relation_type"),
                varchar("owner"),
                varchar("state"),
                varchar("store_name", nullable=True),
                varchar("primary_key", nullable=True),
                timestamp("created_at"),
                timestamp("updated_at"),
            ),
            _system_rows,
        ),
    ),
)
