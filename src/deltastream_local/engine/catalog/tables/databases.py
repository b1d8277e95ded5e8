"""The ``databases`` table and the lookups other kinds use (existence, the context's one)."""

from __future__ import annotations

from deltastream_local.engine.catalog.base import Execution
from deltastream_local.engine.errors import INVALID_DATABASE, SqlError, not_found

#: the schema every new database gets (as on the service)
DEFAULT_SCHEMA = "public"

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS databases (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    )""",
)


def exists(exe: Execution, name: str) -> bool:
    return exe.db.execute("SELECT 1 FROM databases WHERE name = ?", (name,)).fetchone() is not None


def require(exe: Execution, name: str) -> str:
    """Return ``name`` if the database exists, else raise 3D002 naming it."""
    if not exists(exe, name):
        raise not_found(INVALID_DATABASE, "database", name)
    return name


def context_database(exe: Execution) -> str:
    """The context's database (which must exist), for names without a database part."""
    if not exe.context.database:
        raise SqlError(
            INVALID_DATABASE,
            "no database is set: qualify the name or set a database in the context",
        )
    return require(exe, exe.context.database)


def all_rows(exe: Execution) -> list[tuple[str, str, float, float]]:
    """``(name, owner, created_at, updated_at)`` of every database, oldest first."""
    return exe.db.execute(
        "SELECT name, owner, created_at, updated_at FROM databases ORDER BY created_at, name"
    ).fetchall()
