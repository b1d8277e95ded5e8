"""Schemas: ``CREATE SCHEMA … [IN DATABASE …]``, ``DROP SCHEMA``, ``ALTER SCHEMA … OWNER TO``,
``USE SCHEMA``, ``LIST SCHEMAS``, ``DESCRIBE SCHEMA`` and ``deltastream.sys."schemas"``.

A schema name is ``"s"`` (in the context's database) or ``"db"."s"``.
"""

from __future__ import annotations

import dataclasses

from deltastream_local.engine import ast
from deltastream_local.engine.access import require_role
from deltastream_local.engine.catalog import databases, relations
from deltastream_local.engine.catalog.base import CatalogKind, Execution, SystemTable
from deltastream_local.engine.errors import (
    DEPENDENT_OBJECTS_STILL_EXIST,
    DUPLICATE_SCHEMA,
    INVALID_SCHEMA,
    SqlError,
    already_exists,
    fqn,
    not_found,
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

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS schemas (
        database_name TEXT NOT NULL,
        name TEXT NOT NULL,
        owner TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (database_name, name)
    )""",
)


def exists(exe: Execution, database: str, name: str) -> bool:
    row = exe.db.execute(
        "SELECT 1 FROM schemas WHERE database_name = ? AND name = ?", (database, name)
    ).fetchone()
    return row is not None


def insert(exe: Execution, database: str, name: str, owner: str) -> None:
    exe.db.execute(
        "INSERT INTO schemas (database_name, name, owner, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (database, name, owner, exe.now, exe.now),
    )


def delete_all(exe: Execution, database: str) -> None:
    exe.db.execute("DELETE FROM schemas WHERE database_name = ?", (database,))


def require(exe: Execution, database: str, name: str) -> tuple[str, str]:
    """Check the database then the schema exist (3D002 / 3D003 naming them)."""
    databases.require(exe, database)
    if not exists(exe, database, name):
        raise not_found(INVALID_SCHEMA, "schema", database, name)
    return database, name


def context_schema(exe: Execution, database: str) -> str:
    """The context's schema, for relation names without a schema part."""
    if not exe.context.schema:
        raise SqlError(
            INVALID_SCHEMA, "no schema is set: qualify the name or set a schema in the context"
        )
    require(exe, database, exe.context.schema)
    return exe.context.schema


def resolve(exe: Execution, name: ast.QualifiedName) -> tuple[str, str]:
    """``"s"`` → (context database, s); ``"d"."s"`` → (d, s). Does not check existence."""
    if len(name.parts) == 1:
        return databases.context_database(exe), name.parts[0]
    if len(name.parts) == 2:
        return name.parts[0], name.parts[1]
    raise not_found(INVALID_SCHEMA, "schema", *name.parts)


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
    dependents = relations.names_in(exe, database, name)
    if dependents:
        raise SqlError(
            DEPENDENT_OBJECTS_STILL_EXIST,
            f"cannot drop schema {fqn(database, name)}: relations still exist in it: "
            + relations.summarize(dependents),
        )
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
