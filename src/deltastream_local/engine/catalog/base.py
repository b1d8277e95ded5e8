"""What a catalog kind is: its tables, its statements, its LISTs, its system tables and the
other kinds' objects it references.

Each object kind (databases, schemas, stores, ...) exposes a :class:`CatalogKind` and is
registered as an entry point of the ``deltastream_local.catalog`` group (the built-in kinds in
this project's ``pyproject.toml``, a plugin's in its own); the registry (``catalog/registry.py``)
loads and validates them and merges them into dispatch tables. A kind finds the objects that
depend on one of its own through :class:`Reference` declarations (``Execution.catalog``), never
by importing the dependent kind. See ``docs/local-server.md`` ("Emulating your own kind").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from deltastream_local.engine import ast
from deltastream_local.engine.api import Column, EngineOptions, SessionContext
from deltastream_local.engine.connectivity import ConnectivityProber
from deltastream_local.engine.results import Result
from deltastream_local.engine.storage import Storage

if TYPE_CHECKING:
    from deltastream_local.engine.catalog.objects import ObjectStatements


@dataclass
class Services:
    """Engine-wide services a handler may hand work to (outside its transaction)."""

    storage: Storage
    prober: ConnectivityProber = field(default_factory=ConnectivityProber)

    def close(self) -> None:
        self.prober.close()


#: The key of a catalog object, as its kind's references use it: ``("db",)`` for a database,
#: ``("db", "schema", "name")`` for a relation, ``("store",)`` for a store.
ObjectKey = tuple[str, ...]


class Catalog(Protocol):
    """What a handler may ask the registry while it runs: who references a kind's objects."""

    def referencing(self, kind: str) -> Sequence[Reference]:
        """The references other kinds declare to objects of ``kind``, in registry order."""
        ...


@dataclass
class Execution:
    """Everything a handler may use while running one statement inside its transaction."""

    db: sqlite3.Connection
    context: SessionContext
    attachments: Mapping[str, bytes]
    options: EngineOptions
    now: float
    #: the loaded kinds, for dependents (see :func:`catalog.references.drop_dependents`)
    catalog: Catalog
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
class Reference:
    """A kind's declaration that its objects refer to objects of kind ``target``.

    ``DROP`` of a target object asks the registry for every reference to its kind: a
    reference without ``delete`` refuses the drop (2BP01) while ``dependents`` finds any; one
    with ``delete`` goes with the target instead (a database's schemas).
    """

    target: str
    #: the referring objects of the target object with this key, as messages show them
    dependents: Callable[[Execution, ObjectKey], Sequence[str]]
    #: how a refusal says it, after the target's name: ``"relations still use it"``
    blocks_as: str = ""
    #: when set, dropping the target deletes its referrers with it instead of refusing
    delete: Callable[[Execution, ObjectKey], None] | None = None
    #: how many dependents a refusal lists before ``", ..."`` (``None``: all)
    shown: int | None = 10


@dataclass(frozen=True)
class CatalogKind:
    """One object kind of the catalog; the registry checks that no two kinds claim the same
    name, statement, LIST word, system table or object keyword."""

    name: str
    #: ``CREATE TABLE IF NOT EXISTS`` statements for this kind's own tables
    schema: Sequence[str] = ()
    statements: Mapping[StatementKey, Handler] = field(default_factory=dict)
    #: ``LIST <word>`` handlers, keyed by the (lower-case) word, e.g. ``"databases"``
    lists: Mapping[str, Handler] = field(default_factory=dict)
    #: ``DESCRIBE <statement>`` planners, keyed like ``statements``
    planners: Mapping[StatementKey, Planner] = field(default_factory=dict)
    system_tables: Sequence[SystemTable] = ()
    #: the other kinds' objects this kind's objects refer to (they block or follow a drop)
    references: Sequence[Reference] = ()
    #: kinds whose tables this kind's statements read or write (loading fails without them)
    requires: Sequence[str] = ()
    #: run at the start of every statement's transaction (e.g. apply a simulated failure)
    before_statement: Callable[[Execution], None] | None = None
    #: the generic statement family this kind claims by its object keyword (``objects.py``)
    objects: ObjectStatements | None = None
