"""Relations (streams, changelogs, tables, materialized views).

Phase (a) holds only the table and the helpers other kinds use for dependency checks.
"""

from __future__ import annotations

from deltastream_local.engine.catalog.base import CatalogKind, Execution
from deltastream_local.engine.errors import fqn

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
    return [tuple(row) for row in rows]


def names_using_store(exe: Execution, store: str) -> list[RelationId]:
    """The relations backed by a store (a store in use cannot be dropped)."""
    rows = exe.db.execute(
        "SELECT database_name, schema_name, name FROM relations WHERE store_name = ?"
        " ORDER BY database_name, schema_name, name",
        (store,),
    ).fetchall()
    return [tuple(row) for row in rows]


def summarize(relations: list[RelationId], limit: int = 10) -> str:
    """``"d"."s"."a", "d"."s"."b", ...``: a bounded list for error messages."""
    shown = ", ".join(fqn(*relation) for relation in relations[:limit])
    return shown + (", ..." if len(relations) > limit else "")


KIND = CatalogKind(name="relation", schema=SCHEMA)
