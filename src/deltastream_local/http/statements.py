"""Statement execution, result partitions and the wire bodies of ResultSet/StatementStatus.

A statement runs in a background thread; the POST handler waits up to the async threshold
for it and answers 200 (ResultSet, partition 0) or 202 (StatementStatus, ``03000``). Results
stay in memory for ``GET /statements/{id}`` polling and partition fetches, in a bounded LRU
that never evicts a statement still running.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import structlog

from deltastream_local.engine.api import Engine, Outcome, SessionContext

log = structlog.get_logger("deltastream_local.http")

SQLSTATE_OK = "00000"
SQLSTATE_RUNNING = "03000"
SQLSTATE_INTERNAL = "XX000"
SQLSTATE_CANCELLED = "57000"


class StatementRecord:
    """One submitted statement and, once finished, its outcome split into partitions."""

    __slots__ = ("_done", "created_on", "id", "outcome", "partitions")

    def __init__(self) -> None:
        self.id = str(uuid.uuid4())
        self.created_on = int(time.time())
        self.outcome: Outcome | None = None
        self.partitions: list[list[list[str | None]]] = []
        self._done = threading.Event()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None) -> bool:
        return self._done.wait(timeout)

    def finish(self, outcome: Outcome, partition_size: int) -> None:
        rows = outcome.rows if outcome.ok else []
        size = max(1, partition_size)
        self.partitions = [rows[i : i + size] for i in range(0, len(rows), size)]
        self.outcome = outcome
        self._done.set()


def context_json(ctx: SessionContext) -> dict[str, str]:
    """``metadata.context``: the full effective context, omitting unset names."""
    out = {"organizationID": ctx.organization_id, "roleName": ctx.role}
    for key, value in (
        ("databaseName", ctx.database),
        ("schemaName", ctx.schema),
        ("storeName", ctx.store),
        ("computePoolName", ctx.compute_pool),
    ):
        if value:
            out[key] = value
    return out


def status_body(record: StatementRecord) -> dict[str, Any]:
    """The 202 StatementStatus of a statement still running."""
    return {
        "sqlState": SQLSTATE_RUNNING,
        "statementID": record.id,
        "createdOn": record.created_on,
    }


def result_body(record: StatementRecord, partition: int) -> dict[str, Any]:
    """The 200 ResultSet of a finished statement carrying the rows of ``partition``."""
    outcome = record.outcome
    assert outcome is not None
    metadata: dict[str, Any] = {
        "encoding": "json",
        # ``id`` is required by the official spec's ResultSetPartitionInfo (clients ignore it)
        "partitionInfo": [
            {"id": index, "rowCount": len(rows)} for index, rows in enumerate(record.partitions)
        ],
        "columns": [
            {"name": c.name, "type": c.type, "nullable": c.nullable} for c in outcome.columns
        ],
        "context": context_json(outcome.context),
    }
    body: dict[str, Any] = {
        "sqlState": outcome.sql_state,
        "statementID": record.id,
        "createdOn": record.created_on,
        "metadata": metadata,
    }
    if outcome.ok:
        body["data"] = record.partitions[partition] if record.partitions else []
    else:
        body["message"] = outcome.message or f"statement failed with sqlState {outcome.sql_state}"
    return body


def partition_count(record: StatementRecord) -> int:
    """How many partitions a GET may ask for (at least one: partition 0 always exists)."""
    return max(1, len(record.partitions))


class StatementRunner:
    """Runs statements on the engine in background threads and keeps their results."""

    def __init__(
        self,
        engine: Engine,
        *,
        partition_size: Callable[[], int],
        statement_delay: Callable[[str], float],
        max_results: int = 10_000,
    ) -> None:
        self.engine = engine
        self._partition_size = partition_size
        self._statement_delay = statement_delay
        self._max_results = max(1, max_results)
        self._records: OrderedDict[str, StatementRecord] = OrderedDict()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._running = 0
        self._idle = threading.Condition(self._lock)
        self.executed = 0

    # -- records -------------------------------------------------------------------------
    def _remember(self, record: StatementRecord) -> None:
        with self._lock:
            self._records[record.id] = record
            excess = len(self._records) - self._max_results
            if excess > 0:
                for key in list(self._records)[: excess + 16]:
                    if excess <= 0:
                        break
                    if self._records[key].done:
                        del self._records[key]
                        excess -= 1

    def get(self, statement_id: str) -> StatementRecord | None:
        with self._lock:
            record = self._records.get(statement_id)
            if record is not None:
                self._records.move_to_end(statement_id)
            return record

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {
                "executed": self.executed,
                "running": self._running,
                "stored": len(self._records),
                "writes": self.engine.writes,
            }

    # -- execution -----------------------------------------------------------------------
    def finished(self, outcome: Outcome) -> StatementRecord:
        """Record an outcome decided without the engine (bad organization or role)."""
        record = StatementRecord()
        record.finish(outcome, self._partition_size())
        self._remember(record)
        return record

    def submit(
        self,
        statement: str,
        context: SessionContext,
        attachments: Mapping[str, bytes],
        *,
        inline: bool = False,
    ) -> StatementRecord:
        """Start ``statement``; with ``inline``, one without an artificial delay runs right here.

        Inline execution spares a thread start and two cross-thread wake-ups per statement
        (each a costly IPI on a VM). The caller allows it only with a positive async threshold:
        a statement without an artificial delay takes milliseconds here, so it would have been
        answered 200 anyway; a zero threshold promises 202 for everything.
        """
        record = StatementRecord()
        self._remember(record)
        with self._lock:
            self._running += 1
        delay = self._statement_delay(statement)
        if inline and delay <= 0:
            self._run(record, statement, context, attachments, delay)
            return record
        thread = threading.Thread(
            target=self._run,
            args=(record, statement, context, attachments, delay),
            name=f"statement-{record.id[:8]}",
            daemon=True,
        )
        thread.start()
        return record

    def _run(
        self,
        record: StatementRecord,
        statement: str,
        context: SessionContext,
        attachments: Mapping[str, bytes],
        delay: float,
    ) -> None:
        try:
            if delay > 0:
                self._stopping.wait(delay)
            try:
                if self._stopping.is_set():
                    outcome = Outcome(
                        sql_state=SQLSTATE_CANCELLED,
                        context=context,
                        message="statement cancelled: the server is shutting down",
                    )
                else:
                    outcome = self.engine.execute(statement, context, attachments)
                if not isinstance(outcome, Outcome):
                    raise TypeError(f"engine returned {type(outcome).__name__}, not an Outcome")
            except Exception:
                log.exception("engine failed on a statement", statement_id=record.id)
                outcome = Outcome(
                    sql_state=SQLSTATE_INTERNAL,
                    context=context,
                    message="internal error while executing the statement",
                )
            log.debug(
                "statement finished",
                statement_id=record.id,
                sql_state=outcome.sql_state,
                rows=len(outcome.rows),
            )
            record.finish(outcome, self._partition_size())
        finally:
            with self._lock:
                self._running -= 1
                self.executed += 1
                self._idle.notify_all()

    def stop(self, timeout: float) -> bool:
        """Cut artificial delays short and wait up to ``timeout`` s for running statements."""
        self._stopping.set()
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._running > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True
