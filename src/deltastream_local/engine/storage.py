"""The catalog's SQLite storage: one connection, one lock, one transaction per statement.

One connection guarded by a lock (rather than a pool) keeps every statement serialisable: a
statement runs inside ``BEGIN IMMEDIATE`` … ``COMMIT``, so concurrent requests can neither lose
nor tear each other's updates. File databases use WAL so a crash mid-write leaves the last
committed state; ``:memory:`` gives a throwaway catalog.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

MEMORY = ":memory:"


class Storage:
    """Owns the SQLite connection; all access goes through :meth:`transaction`."""

    def __init__(self, data: str) -> None:
        if data != MEMORY:
            Path(data).expanduser().parent.mkdir(parents=True, exist_ok=True)
            data = str(Path(data).expanduser())
        # isolation_level=None: we issue BEGIN/COMMIT ourselves; check_same_thread=False: the
        # lock below, not the thread, is what serialises access.
        self._connection = sqlite3.connect(
            data, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        self._lock = threading.RLock()
        self._closed = False
        #: committed transactions that changed at least one row
        self.writes = 0
        with self._lock:
            self._connection.execute("PRAGMA foreign_keys = ON")
            if data != MEMORY:
                self._connection.execute("PRAGMA journal_mode = WAL")
                self._connection.execute("PRAGMA synchronous = NORMAL")

    @property
    def closed(self) -> bool:
        return self._closed

    def initialize(self, schema_statements: Iterable[str]) -> None:
        """Create every kind's tables (idempotent: ``CREATE TABLE IF NOT EXISTS``)."""
        with self.transaction() as db:
            for statement in schema_statements:
                # One statement per execute(): executescript() would COMMIT behind our back.
                db.execute(statement)

    @contextmanager
    def transaction(self, *, dry_run: bool = False) -> Iterator[sqlite3.Connection]:
        """Run the block in one ``BEGIN IMMEDIATE`` transaction; roll back if it raises.

        ``dry_run`` always rolls back: DESCRIBE <statement> uses it so that planning can
        never leave a trace, even by mistake.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("catalog storage is closed")
            self._connection.execute("BEGIN IMMEDIATE")
            changes = self._connection.total_changes
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("ROLLBACK" if dry_run else "COMMIT")
            if not dry_run and self._connection.total_changes != changes:
                self.writes += 1

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._connection.close()
