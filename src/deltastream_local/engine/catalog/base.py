"""What a catalog kind is: its tables, its statements, its LISTs and its system tables.

Each object kind (databases, schemas, stores, ...) is one module under ``engine/catalog/``
exposing a :class:`CatalogKind`; the registry (``catalog/__init__.py``) merges them into
dispatch tables. Adding a kind (schema registries, secrets, compute pools ...) means writing one
module and adding it to the registry's list.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deltastream_local.engine import ast
from deltastream_local.engine.api import Column, EngineOptions, SessionContext
from deltastream_local.engine.connectivity import ConnectivityProber
from deltastream_local.engine.results import Result
from deltastream_local.engine.storage import Storage


@dataclass
class Services:
    """Engine-wide services a handler may hand work to (outside its transaction)."""

    storage: Storage
    prober: ConnectivityProber = field(default_factory=ConnectivityProber)

    def close(self) -> None:
        self.prober.close()


@dataclass
class Execution:
    """Everything a handler may use while running one statement inside its transaction."""

    db: sqlite3.Connection
    context: SessionContext
    attachments: Mapping[str, bytes]
    options: EngineOptions
    now: float
    #: work to do once the transaction committed (e.g. start a store connectivity probe)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    #: the engine's background services (connectivity probes and the storage they write to)
    services: Services | None = None


#: A statement handler: runs ``statement`` and returns its result, or raises SqlError.
Handler = Callable[[Any, Execution], Result]

#: A DESCRIBE planner: returns ``(kind, plan JSON object)`` without changing anything.
Planner = Callable[[Any, Execution], tuple[str, dict[str, Any]]]

#: Statement dispatch key: the AST class, optionally with the statement's ``kind`` field
#: (``ALTER SCHEMA`` and ``ALTER STORE`` are both :class:`ast.AlterOwner`).
StatementKey = tuple[type[ast.Statement], str | None]


@dataclass(frozen=True)
class SystemTable:
    """``deltastream.sys."<name>"``: its columns and a function producing its rows."""

    name: str
    columns: tuple[Column, ...]
    rows: Callable[[Execution], list[dict[str, str | None]]]


@dataclass(frozen=True)
class CatalogKind:
    """One object kind of the catalog."""

    name: str
    #: ``CREATE TABLE IF NOT EXISTS`` statements for this kind's own tables
    schema: Sequence[str] = ()
    statements: Mapping[StatementKey, Handler] = field(default_factory=dict)
    #: ``LIST <word>`` handlers, keyed by the (lower-case) word, e.g. ``"databases"``
    lists: Mapping[str, Handler] = field(default_factory=dict)
    #: ``DESCRIBE <statement>`` planners, keyed like ``statements``
    planners: Mapping[StatementKey, Planner] = field(default_factory=dict)
    system_tables: Sequence[SystemTable] = ()
