"""The ``schemas`` table and the lookups other kinds use (existence, name resolution)."""

from __future__ import annotations

from deltastream_local.engine import ast
from deltastream_local.engine.catalog.base import Execution, ObjectKey
from deltastream_local.engine.catalog.tables import databases
from deltastream_local.engine.errors import INVALID_SCHEMA, SqlError, fqn, not_found

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


def names_in(exe: Execution, database: ObjectKey) -> list[str]:
    """The schemas of a database (they go with it: the schema kind's reference)."""
    rows = exe.db.execute(
        "SELECT name FROM schemas WHERE database_name = ? ORDER BY name", database
    ).fetchall()
    return [fqn(database[0], name) for (name,) in rows]


def delete_all(exe: Execution, database: ObjectKey) -> None:
    exe.db.execute("DELETE FROM schemas WHERE database_name = ?", database)


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
