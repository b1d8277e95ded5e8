"""The boundary between the HTTP layer and the SQL engine of deltastream-local.

The HTTP layer (``deltastream_local.http``) knows requests, statuses, partitions, 202s and
faults; the engine (``deltastream_local.engine``) knows SQL, the catalog, lifecycles and
SQLite. Neither reaches into the other: they meet only through the types below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

#: The one organization the local server has (fixed so clients can pin it in config).
ORGANIZATION_ID = "0b1c3a52-6d0e-4f1a-9c7b-2e5d8f4a1c00"
ORGANIZATION_NAME = "local"
ROLES = ("sysadmin", "orgadmin", "useradmin", "securityadmin", "public")
DEFAULT_ROLE = "sysadmin"


@dataclass(frozen=True)
class Column:
    """One result column as the wire's ``metadata.columns`` entry describes it."""

    name: str
    type: str
    nullable: bool = True


@dataclass(frozen=True)
class SessionContext:
    """The effective context of a statement; echoed back in every 200 response."""

    organization_id: str = ORGANIZATION_ID
    role: str = DEFAULT_ROLE
    database: str | None = None
    schema: str | None = None
    store: str | None = None
    compute_pool: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What one statement produced: rows (all values as strings or None) or a SQL error.

    ``sql_state`` is ``"00000"`` on success; any other code is a SQL error whose
    ``message`` names the object involved. ``context`` is the context after the statement
    (``USE`` changes it).
    """

    sql_state: str
    context: SessionContext
    columns: tuple[Column, ...] = ()
    rows: list[list[str | None]] = field(default_factory=list)
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.sql_state == "00000"


@dataclass
class EngineOptions:
    """Behaviour knobs the CLI flags and the admin endpoint can change at run time."""

    #: seconds a new or updated store spends in its transitional status before ``ready``
    store_ready_delay: float = 0.0
    #: seconds a query spends ``starting`` before ``running`` (and terminating before
    #: ``terminated``)
    query_start_delay: float = 0.0
    #: seconds a new relation spends before reaching its ready state
    relation_ready_delay: float = 0.0
    #: seconds a new function source spends ``processing`` before ``ready`` (or ``error``)
    function_source_ready_delay: float = 0.0
    #: a store becomes ready only if a TCP connect to each of its URIs succeeds
    verify_store_connectivity: bool = False
    #: queries whose SQL contains this substring go ``errored`` instead of ``running``
    fail_queries_matching: str | None = None
    #: queries already ``running`` whose SQL contains this substring go ``errored`` (a query
    #: that fails later, e.g. its source topic vanished); the failure persists
    fail_running_queries_matching: str | None = None
    #: seconds a store connectivity check waits for each TCP connect
    store_connect_timeout: float = 2.0


class Engine(Protocol):
    """The SQL engine: parses and executes one statement against the persistent catalog."""

    options: EngineOptions

    @property
    def writes(self) -> int:
        """Statements so far whose transaction changed the catalog (tests assert that
        something, e.g. a preview, wrote nothing)."""
        ...

    def execute(
        self,
        statement: str,
        context: SessionContext,
        attachments: Mapping[str, bytes],
    ) -> Outcome:
        """Run one statement (or a ``;``-separated batch; the last outcome is returned).

        Never raises for bad SQL: parse errors, unknown statements and bad parameters are
        Outcomes with a SQL error code. Thread-safe: the HTTP layer calls it from many threads.
        """
        ...

    def close(self) -> None:
        """Flush and close the catalog storage."""
        ...
