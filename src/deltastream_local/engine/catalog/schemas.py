"""Schemas: ``CREATE SCHEMA … [IN DATABASE …]``, ``DROP SCHEMA``, ``ALTER SCHEMA … OWNER TO``,
``USE SCHEMA``, ``LIST SCHEMAS``, ``DESCRIBE SCHEMA`` and ``deltastream.sys."schemas"``.

A schema name is ``"s"`` (in the context's database) or ``"db"."s"``.
"""

from __future__ import annotations

import dataclasses

from deltastream_local.engine import ast
from deltastream_local.engine.access import require_role
from deltastream_local.engine.catalog.base import CatalogKind, Execution, Reference, SystemTable
from deltastream_local.engine.catalog.references import drop_dependents
from deltastream_local.engine.catalog.tables import databases
from deltastream_local.engine.catalog.tables.schemas import (
    SCHEMA,
    delete_all,
    exists,
    insert,
    names_in,
    require,
    resolve,
)
from deltastream_local.engine.errors import (
    DUPLICATE_SCHEMA,
    already_exists,
    fqn,
    syntax,
)
from deltastream_local.engine.results import (
    Result,
    artifact_row,
    artifacts,
    bool_text,
    boolean,
    properties,
    timestamp,
    varchar,
)
from deltastream_local.engine.timestamps import format_timestamp


def _create(stmt: ast.CreateSchema, exe: Execution) -> Result:
    if stmt.database is not None:
        if len(stmt.name.parts) != 1:
            raise syntax("parse error: a schema name with IN DATABASE must not be qualified")
        database, name = databases.require(exe, stmt.database), stmt.name.parts[0]
    else:
        database, name = resolve(exe, stmt.name)
        databases.require(exe, database)
    if exists(exe, database, name):
        raise already_exists(DUPLICATE_SCHEMA, "schema", database, name)
    insert(exe, database, name, exe.context.role)
    return artifacts(
        artifact_row(
            "schema",
            name,
            "CREATE SCHEMA",
            f"created schema {fqn(database, name)}",
            [database, name],
        )
    )


def _drop(stmt: ast.DropSchema, exe: Execution) -> Result:
    database, name = require(exe, *resolve(exe, stmt.name))
    drop_dependents(exe, "schema", (database, name), f"schema {fqn(database, name)}")
    exe.db.execute("DELETE FROM schemas WHERE database_name = ? AND name = ?", (database, name))
    return artifacts(
        artifact_row(
            "schema",
            name,
            "DROP SCHEMA",
            f"dropped schema {fqn(database, name)}",
            [database, name],
        )
    )


def _alter_owner(stmt: ast.AlterOwner, exe: Execution) -> Result:
    database, name = require(exe, *resolve(exe, stmt.name))
    role = require_role(stmt.role)
    exe.db.execute(
        "UPDATE schemas SET owner = ?, updated_at = ? WHERE database_name = ? AND name = ?",
        (role, exe.now, database, name),
    )
    return artifacts(
        artifact_row(
            "schema",
            name,
            "ALTER SCHEMA",
            f"changed owner of schema {fqn(database, name)} to {role}",
            [database, name],
        )
    )


def _use(stmt: ast.Use, exe: Execution) -> Result:
    database, name = require(exe, *resolve(exe, stmt.name))
    context = dataclasses.replace(exe.context, database=database, schema=name)
    return artifacts(
        artifact_row(
            "schema", name, "USE SCHEMA", f"using schema {fqn(database, name)}", [database, name]
        ),
        context=context,
    )


def _system_rows(exe: Execution) -> list[dict[str, str | None]]:
    rows = exe.db.execute(
        "SELECT database_name, name, owner, created_at, updated_at FROM schemas"
        " ORDER BY database_name, created_at, name"
    ).fetchall()
    return [
        {
            "name": name,
            "database_name": database,
            "owner": owner,
            "created_at": format_timestamp(created),
            "updated_at": format_timestamp(updated),
        }
        for database, name, owner, created, updated in rows
    ]


def _list(stmt: ast.ListObjects, exe: Execution) -> Result:
    if stmt.scope is not None:
        if stmt.scope_kind != "database" or len(stmt.scope.parts) != 1:
            raise syntax("parse error: LIST SCHEMAS takes IN DATABASE <name>")
        database = databases.require(exe, stmt.scope.parts[0])
    else:
        database = databases.context_database(exe)
    rows = exe.db.execute(
        "SELECT name, owner, created_at, updated_at FROM schemas WHERE database_name = ?"
        " ORDER BY created_at, name",
        (database,),
    ).fetchall()
    is_current = database == exe.context.database
    columns = (
        varchar("Name"),
        boolean("IsDefault"),
        varchar("Owner"),
        timestamp("CreatedAt"),
        timestamp("UpdatedAt"),
    )
    return Result(
        columns,
        [
            [
                name,
                bool_text(is_current and name == exe.context.schema),
                owner,
                format_timestamp(created),
                format_timestamp(updated),
            ]
            for name, owner, created, updated in rows
        ],
    )


def _describe(stmt: ast.DescribeObject, exe: Execution) -> Result:
    database, name = require(exe, *resolve(exe, stmt.name))
    owner, created, updated = exe.db.execute(
        "SELECT owner, created_at, updated_at FROM schemas WHERE database_name = ? AND name = ?",
        (database, name),
    ).fetchone()
    return properties(
        [
            ("name", name),
            ("database_name", database),
            ("owner", owner),
            ("created_at", format_timestamp(created)),
            ("updated_at", format_timestamp(updated)),
        ]
    )


KIND = CatalogKind(
    name="schema",
    schema=SCHEMA,
    requires=("database",),
    # a database's schemas go with it (its relations, declared by that kind, refuse the drop)
    references=(Reference("database", names_in, delete=delete_all),),
    statements={
        (ast.CreateSchema, None): _create,
        (ast.DropSchema, None): _drop,
        (ast.AlterOwner, "schema"): _alter_owner,
        (ast.Use, "schema"): _use,
        (ast.DescribeObject, "schema"): _describe,
    },
    lists={"schemas": _list},
    system_tables=(
        SystemTable(
            "schemas",
            (
                varchar("name"),
                varchar("database_name"),
                varchar("owner"),
                timestamp("created_at"),
                timestamp("updated_at"),
            ),
            _system_rows,
        ),
    ),
)
