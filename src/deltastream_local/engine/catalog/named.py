"""The stored rows of a kind whose objects are keyed by one name (secrets, schema registries,
a plugin's kinds): find, require, refuse a duplicate, list, delete, and the artifact row a
statement answers with; and :func:`listing`, a ``LIST`` handler over the rows a system table
shows. One definition of what every such kind repeated.

    ROWS = NamedTable("secrets", COLUMNS, "secret", not_found="3D016", duplicate="42P014")

    def _drop(req, exe):
        ROWS.require(exe, req.name)
        ROWS.delete(exe, req.name)
        return ROWS.done(req, f"dropped secret {fqn(req.name)}")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from deltastream_local.engine.catalog.base import Execution, Handler
from deltastream_local.engine.catalog.objects import ObjectRequest
from deltastream_local.engine.errors import already_exists, not_found
from deltastream_local.engine.results import Result, artifact_row, artifacts, varchar


@dataclass(frozen=True)
class NamedTable:
    """One kind's own table, its primary key a ``name`` column."""

    #: the SQLite table, e.g. ``"secrets"``
    table: str
    #: the stored columns as a SELECT lists them, ``name`` first
    columns: str
    #: the object as messages and artifact rows name it, e.g. ``"schema_registry"``
    noun: str
    #: the sqlState of a missing object (e.g. ``3D016``)
    not_found: str
    #: the sqlState of an object that already exists (e.g. ``42P014``)
    duplicate: str

    def find(self, exe: Execution, name: str) -> tuple[Any, ...] | None:
        """The stored row of ``name``, or None."""
        found: tuple[Any, ...] | None = exe.db.execute(
            f"SELECT {self.columns} FROM {self.table} WHERE name = ?", (name,)
        ).fetchone()
        return found

    def require(self, exe: Execution, name: str) -> tuple[Any, ...]:
        """The stored row of ``name``; a missing one is the kind's "not found" error."""
        found = self.find(exe, name)
        if found is None:
            raise not_found(self.not_found, self.noun, name)
        return found

    def refuse_existing(self, exe: Execution, name: str) -> None:
        """Raise the kind's "already exists" error when ``name`` is stored."""
        if self.find(exe, name) is not None:
            raise already_exists(self.duplicate, self.noun, name)

    def all(self, exe: Execution) -> list[tuple[Any, ...]]:
        """Every stored row, ordered by name."""
        rows = exe.db.execute(f"SELECT {self.columns} FROM {self.table} ORDER BY name")
        return list(rows.fetchall())

    def delete(self, exe: Execution, name: str) -> None:
        exe.db.execute(f"DELETE FROM {self.table} WHERE name = ?", (name,))

    def done(self, req: ObjectRequest, summary: str) -> Result:
        """The artifact row answering ``req`` (``CREATE SECRET`` …) with ``summary``."""
        command = f"{req.verb.upper()} {self.noun.upper()}"
        return artifacts(artifact_row(self.noun, req.name, command, summary, [req.name]))


def listing(
    columns: Mapping[str, str | None],
    rows: Callable[[Execution], list[dict[str, str | None]]],
    *,
    nullable: bool = False,
) -> Handler:
    """A ``LIST`` handler answering VARCHAR columns: each heading (``"Name"``) shows the key
    of ``rows``' dicts it maps to (``"name"``), or NULL where it maps to None."""

    def handler(stmt: object, exe: Execution) -> Result:
        shown = [[row[key] if key else None for key in columns.values()] for row in rows(exe)]
        return Result(tuple(varchar(heading, nullable=nullable) for heading in columns), shown)

    return handler
