"""Databases: ``CREATE/DROP DATABASE``, ``ALTER DATABASE … OWNER TO``, ``USE DATABASE``,
``LIST DATABASES``, ``DESCRIBE DATABASE`` and ``deltastream.sys."databases"``.

A new database gets a schema ``public`` (as on the service). Dropping a database that still
holds relations is refused with 2BP01; its (empty) schemas go with it. Both follow from the
other kinds' declared references (``references.drop_dependents``), not from imports.
"""

from __future__ import annotations

import dataclasses

from deltastream_local.engine import ast
from deltastream_local.engine.access import require_can_create, require_role
from deltastream_local.engine.catalog.base import CatalogKind, Execution, SystemTable
from deltastream_local.engine.catalog.references import drop_dependents
from deltastream_local.engine.catalog.tables import schemas
from deltastream_local.engine.catalog.tables.databases import (
    DEFAULT_SCHEMA,
    SCHEMA,
    all_rows,
    exists,
    require,
)
from deltastream_local.engine.errors import (
    DUPLICATE_DATABASE,
    INVALID_DATABASE,
    already_exists,
    fqn,
    not_found,
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


def _create(stmt: ast.CreateDatabase, exe: Execution) -> Result:
    require_can_create(exe.context.role, "database")
    if exists(exe, stmt.name):
        raise already_exists(DUPLICATE_DATABASE, "database", stmt.name)
    owner = exe.context.role
    exe.db.execute(
        "INSERT INTO databases (name, owner, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (stmt.name, owner, exe.now, exe.now),
    )
    schemas.insert(exe, stmt.name, DEFAULT_SCHEMA, owner)
    return artifacts(
        artifact_row(
            "database",
            stmt.name,
            "CREATE DATABASE",
            f"created database {fqn(stmt.name)}",
            [stmt.name],
        )
    )


def _drop(stmt: ast.DropDatabase, exe: Execution) -> Result:
    require(exe, stmt.name)
    drop_dependents(exe, "database", (stmt.name,), f"database {fqn(stmt.name)}")
    exe.db.execute("DELETE FROM databases WHERE name = ?", (stmt.name,))
    return artifacts(
        artifact_row(
            "database",
            stmt.name,
            "DROP DATABASE",
            f"dropped database {fqn(stmt.name)}",
            [stmt.name],
        )
    )


def _alter_owner(stmt: ast.AlterOwner, exe: Execution) -> Result:
    if len(stmt.name.parts) != 1:
        raise not_found(INVALID_DATABASE, "database", *stmt.name.parts)
    name = require(exe, stmt.name.parts[0])
    role = require_role(stmt.role)
    exe.db.execute(
        "UPDATE databases SET owner = ?, updated_at = ? WHERE name = ?", (role, exe.now, name)
    )
    return artifacts(
        artifact_row(
            "database",
            name,
            "ALTER DATABASE",
            f"changed owner of database {fqn(name)} to {role}",
            [name],
        )
    )


def _use(stmt: ast.Use, exe: Execution) -> Result:
    if len(stmt.name.parts) != 1:
        raise not_found(INVALID_DATABASE, "database", *stmt.name.parts)
    name = require(exe, stmt.name.parts[0])
    has_public = schemas.exists(exe, name, DEFAULT_SCHEMA)
    # Switching database also switches to its default schema, like the service's USE.
    context = dataclasses.replace(
        exe.context, database=name, schema=DEFAULT_SCHEMA if has_public else None
    )
    return artifacts(
        artifact_row("database", name, "USE DATABASE", f"using database {fqn(name)}", [name]),
        context=context,
    )


def _system_rows(exe: Execution) -> list[dict[str, str | None]]:
    return [
        {
            "name": name,
            "owner": owner,
            "created_at": format_timestamp(created),
            "updated_at": format_timestamp(updated),
        }
        for name, owner, created, updated in all_rows(exe)
    ]


def _list(stmt: ast.ListObjects, exe: Execution) -> Result:
    columns = (
        varchar("Name"),
        boolean("IsDefault"),
        varchar("Owner"),
        timestamp("CreatedAt"),
        timestamp("UpdatedAt"),
    )
    rows: list[list[str | None]] = [
        [
            name,
            bool_text(name == exe.context.database),
            owner,
            format_timestamp(created),
            format_timestamp(updated),
        ]
        for name, owner, created, updated in all_rows(exe)
    ]
    return Result(columns, rows)


def _describe(stmt: ast.DescribeObject, exe: Execution) -> Result:
    if len(stmt.name.parts) != 1:
        raise not_found(INVALID_DATABASE, "database", *stmt.name.parts)
    name = require(exe, stmt.name.parts[0])
    owner, created, updated = exe.db.execute(
        "SELECT owner, created_at, updated_at FROM databases WHERE name = ?", (name,)
    ).fetchone()
    return properties(
        [
            ("name", name),
            ("owner", owner),
            ("created_at", format_timestamp(created)),
            ("updated_at", format_timestamp(updated)),
        ]
    )


KIND = CatalogKind(
    name="database",
    schema=SCHEMA,
    requires=("schema",),
    statements={
        (ast.CreateDatabase, None): _create,
        (ast.DropDatabase, None): _drop,
        (ast.AlterOwner, "database"): _alter_owner,
        (ast.Use, "database"): _use,
        (ast.DescribeObject, "database"): _describe,
    },
    lists={"databases": _list},
    system_tables=(
        SystemTable(
            "databases",
            (varchar("name"), varchar("owner"), timestamp("created_at"), timestamp("updated_at")),
            _system_rows,
        ),
    ),
)
