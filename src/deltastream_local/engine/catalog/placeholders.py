"""Kinds that exist on the service but not yet here: schema registries.

Their system tables and LISTs answer with the right columns and no rows, so clients that
probe them (TF lookups, SDK listings) get "not found" rather than an error. When a kind is
implemented it gets its own module and leaves this one.
"""

from __future__ import annotations

from deltastream_local.engine import ast
from deltastream_local.engine.catalog.base import CatalogKind, Execution, Handler, SystemTable
from deltastream_local.engine.results import Result, timestamp, varchar


def _no_rows(exe: Execution) -> list[dict[str, str | None]]:
    return []


def _empty_list(*names: str) -> Handler:
    columns = tuple(varchar(name) for name in names)

    def handler(stmt: ast.ListObjects, exe: Execution) -> Result:
        return Result(columns, [])

    return handler


SCHEMA_REGISTRIES = CatalogKind(
    name="schema_registry",
    lists={"schema_registries": _empty_list("Name", "Type", "Url", "Owner")},
    system_tables=(
        SystemTable(
            "schema_registries",
            (
                varchar("name"),
                varchar("type"),
                varchar("status"),
                varchar("owner"),
                timestamp("created_at"),
                timestamp("updated_at"),
            ),
            _no_rows,
        ),
    ),
)
