"""Relations: streams, changelogs, tables and materialized views.

``CREATE STREAM|CHANGELOG|TABLE name (columns) WITH (...)``, ``CREATE … AS SELECT`` (which also
starts a query), ``DROP RELATION|STREAM|…``, ``ALTER <kind> … OWNER TO``, ``DESCRIBE RELATION``,
the LISTs, ``deltastream.sys."relations"`` and the ``DESCRIBE <CREATE …>`` plans.

Every CREATE is planned first (``relation_plans``) and then applied. A relation is
``creating`` for ``relation_ready_delay`` seconds, then ``created``. A relation refers to its
database, schema and store (declared below): they cannot be dropped while it exists.
"""

from __future__ import annotations

import json
from typing import Any

from deltastream_local.engine import ast
from deltastream_local.engine.access import require_role
from deltastream_local.engine.catalog.base import (
    CatalogKind,
    Execution,
    ObjectKey,
    Reference,
    SystemTable,
)
from deltastream_local.engine.catalog.references import drop_dependents
from deltastream_local.engine.catalog.relation_plans import apply_create, creation_row, plan_create
from deltastream_local.engine.catalog.tables import databases, queries, schemas
from deltastream_local.engine.catalog.tables.relations import (
    KIND_WORDS,
    SCHEMA,
    RelationRow,
    Scope,
    all_rows,
    find,
    names_in,
    names_using_store,
    resolve_id,
)
from deltastream_local.engine.errors import (
    INVALID_RELATION,
    SqlError,
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


# ---- CREATE (planned in relation_plans), DESCRIBE <CREATE …> -------------------------------


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
    drop_dependents(exe, "relation", row.info.id, f"relation {fqn(*row.info.id)}")
    exe.db.execute(
        "DELETE FROM relations WHERE database_name = ? AND schema_name = ? AND name = ?",
        row.info.id,
    )
    word = KIND_WORDS.get(row.info.type, row.info.type.upper())
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
    word = KIND_WORDS.get(row.info.type, row.info.type.upper())
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
        for row in all_rows(exe)
    ]


def _lister(only: str | None) -> Any:
    def handler(stmt: ast.ListObjects, exe: Execution) -> Result:
        rows = all_rows(exe)
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


def _in_database(exe: Execution, key: ObjectKey) -> list[str]:
    return [fqn(*relation) for relation in names_in(exe, key[0])]


def _in_schema(exe: Execution, key: ObjectKey) -> list[str]:
    return [fqn(*relation) for relation in names_in(exe, key[0], key[1])]


def _on_store(exe: Execution, key: ObjectKey) -> list[str]:
    return [fqn(*relation) for relation in names_using_store(exe, key[0])]


KIND = CatalogKind(
    name="relation",
    schema=SCHEMA,
    requires=("database", "schema", "store", "query"),
    references=(
        Reference("database", _in_database, "relations still exist in it"),
        Reference("schema", _in_schema, "relations still exist in it"),
        Reference("store", _on_store, "relations still use it"),
    ),
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
