"""The catalog registry: merges every kind's statements, LISTs, planners and system tables.

To add a kind, write its module (see ``base.CatalogKind``) and add its ``KIND`` to
:data:`KINDS`; nothing else dispatches on kinds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TypeVar

from deltastream_local.engine import ast
from deltastream_local.engine.catalog.base import (
    CatalogKind,
    Handler,
    Planner,
    StatementKey,
    SystemTable,
)


def _kinds() -> tuple[CatalogKind, ...]:
    # Imported here so that the kind modules can import each other's helpers freely.
    from deltastream_local.engine.catalog import (
        databases,
        organizations,
        placeholders,
        queries,
        relations,
        roles,
        schemas,
        stores,
    )

    return (
        organizations.KIND,
        roles.KIND,
        databases.KIND,
        schemas.KIND,
        stores.KIND,
        relations.KIND,
        queries.KIND,
        placeholders.SCHEMA_REGISTRIES,
        placeholders.SECRETS,
    )


class Registry:
    """Dispatch tables built from the kinds; duplicates are a programming error."""

    def __init__(self, kinds: Sequence[CatalogKind]) -> None:
        self.kinds = tuple(kinds)
        self._statements: dict[StatementKey, Handler] = {}
        self._planners: dict[StatementKey, Planner] = {}
        self._lists: dict[str, Handler] = {}
        self._tables: dict[str, SystemTable] = {}
        for kind in self.kinds:
            _merge(self._statements, kind.statements, kind.name)
            _merge(self._planners, kind.planners, kind.name)
            _merge(self._lists, kind.lists, kind.name)
            _merge(self._tables, {table.name: table for table in kind.system_tables}, kind.name)

    def schema(self) -> Iterator[str]:
        for kind in self.kinds:
            yield from kind.schema

    def handler(self, statement: ast.Statement) -> Handler | None:
        return _lookup(self._statements, statement)

    def planner(self, statement: ast.Statement) -> Planner | None:
        return _lookup(self._planners, statement)

    def list_handler(self, what: str) -> Handler | None:
        return self._lists.get(what.lower())

    def list_names(self) -> list[str]:
        return sorted(self._lists)

    def system_table(self, name: str) -> SystemTable | None:
        return self._tables.get(name)


T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


def _lookup(table: dict[StatementKey, T], statement: ast.Statement) -> T | None:
    kind = getattr(statement, "kind", None)
    if isinstance(kind, str) and (type(statement), kind) in table:
        return table[(type(statement), kind)]
    return table.get((type(statement), None))


def _merge(target: dict[K, V], source: Mapping[K, V], owner: str) -> None:
    for key, value in source.items():
        if key in target:
            raise ValueError(f"catalog kind {owner!r} registers {key!r} twice")
        target[key] = value


def default_registry() -> Registry:
    return Registry(_kinds())
