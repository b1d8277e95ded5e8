"""The ``queries`` and ``query_relations`` tables: query rows, their lifecycle computed from
timestamps, starting a query (``CREATE … AS SELECT``, ``INSERT INTO``, applications) and the
live queries that hold on to a relation."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from deltastream_local.engine import ast
from deltastream_local.engine.catalog.base import Execution
from deltastream_local.engine.catalog.tables.relations import RelationId, RelationInfo
from deltastream_local.engine.errors import INVALID_QUERY, SqlError, fqn
from deltastream_local.engine.results import artifact_row

STARTING = "starting"
RUNNING = "running"
ERRORED = "errored"
TERMINATE_REQUESTED = "terminate_requested"
TERMINATED = "terminated"
#: states in which a query holds on to its relations
LIVE_STATES = frozenset({STARTING, RUNNING, TERMINATE_REQUESTED})

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS queries (
        id TEXT PRIMARY KEY,
        name TEXT,
        kind TEXT NOT NULL,
        version INTEGER NOT NULL,
        sql TEXT NOT NULL,
        owner TEXT NOT NULL,
        intended_state TEXT NOT NULL,
        properties TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        running_at REAL NOT NULL,
        terminate_requested_at REAL,
        error_message TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS query_relations (
        query_id TEXT NOT NULL,
        role TEXT NOT NULL,
        database_name TEXT NOT NULL,
        schema_name TEXT NOT NULL,
        name TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS query_relations_by_relation"
    " ON query_relations (database_name, schema_name, name)",
)


@dataclass(frozen=True)
class QueryRow:
    id: str
    name: str | None
    kind: str
    version: int
    sql: str
    owner: str
    intended_state: str
    created_at: float
    updated_at: float
    running_at: float
    terminate_requested_at: float | None
    error_message: str | None

    def state(self, now: float, delay: float) -> str:
        if self.terminate_requested_at is not None:
            if now < self.terminate_requested_at + delay:
                return TERMINATE_REQUESTED
            return TERMINATED
        if now < self.running_at:
            return STARTING
        return ERRORED if self.error_message else RUNNING


COLUMNS = (
    "id, name, kind, version, sql, owner, intended_state, created_at, updated_at, running_at,"
    " terminate_requested_at, error_message"
)


def find(exe: Execution, query_id: str) -> QueryRow | None:
    row = exe.db.execute(f"SELECT {COLUMNS} FROM queries WHERE id = ?", (query_id,)).fetchone()
    return None if row is None else QueryRow(*row)


RUNNING_FAILURE = "query failed while running: simulated failure (fail_running_queries_matching)"


def fail_running_queries(exe: Execution) -> None:
    """Mark running queries matching ``fail_running_queries_matching`` as errored, for good."""
    pattern = exe.options.fail_running_queries_matching
    if not pattern:
        return
    exe.db.execute(
        "UPDATE queries SET error_message = ?, updated_at = ?"
        " WHERE error_message IS NULL AND terminate_requested_at IS NULL"
        " AND running_at <= ? AND instr(sql, ?) > 0",
        (RUNNING_FAILURE, exe.now, exe.now, pattern),
    )


def require(exe: Execution, query_id: str) -> QueryRow:
    found = find(exe, query_id)
    if found is None:
        raise SqlError(INVALID_QUERY, f"query {fqn(query_id)} does not exist")
    return found


def all_rows(exe: Execution) -> list[QueryRow]:
    rows = exe.db.execute(f"SELECT {COLUMNS} FROM queries ORDER BY created_at, id").fetchall()
    return [QueryRow(*row) for row in rows]


def failure(exe: Execution, sql: str) -> str | None:
    pattern = exe.options.fail_queries_matching
    if pattern and pattern in sql:
        return "query failed: simulated failure (the server's fail_queries_matching option)"
    return None


def start(
    exe: Execution,
    *,
    kind: str,
    name: str | None,
    sql: str,
    sinks: list[RelationInfo],
    sources: list[RelationInfo],
    properties: ast.Properties,
) -> str:
    """Record a new query (or application) and its relations; returns its id."""
    query_id = str(uuid.uuid4())
    exe.db.execute(
        f"INSERT INTO queries ({COLUMNS}, properties)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            query_id,
            name,
            kind,
            1,
            sql,
            exe.context.role,
            RUNNING,
            exe.now,
            exe.now,
            exe.now + exe.options.query_start_delay,
            None,
            failure(exe, sql),
            _encode_properties(properties),
        ),
    )
    links = [("sink", info) for info in sinks] + [("source", info) for info in sources]
    exe.db.executemany(
        "INSERT INTO query_relations (query_id, role, database_name, schema_name, name)"
        " VALUES (?, ?, ?, ?, ?)",
        [(query_id, role, *info.id) for role, info in links if not info.is_virtual],
    )
    return query_id


def _encode_properties(props: ast.Properties) -> str:
    return json.dumps({item.key: item.value.value for item in props.items}, ensure_ascii=False)


def artifact(query_id: str, command: str, summary: str | None = None) -> list[str | None]:
    """The artifact row whose ``type`` is ``query`` and ``name`` the query id (PUL/TF read it)."""
    return artifact_row(
        "query", query_id, command, summary or f"started query {query_id}", [query_id]
    )


def active_users(exe: Execution, relation: RelationId) -> list[str]:
    """Ids of live queries that read or write ``relation`` (they block its DROP)."""
    rows = exe.db.execute(
        f"SELECT DISTINCT {', '.join('q.' + c.strip() for c in COLUMNS.split(','))}"
        " FROM queries q JOIN query_relations r ON r.query_id = q.id"
        " WHERE r.database_name = ? AND r.schema_name = ? AND r.name = ?"
        " ORDER BY q.created_at",
        relation,
    ).fetchall()
    delay = exe.options.query_start_delay
    return [row[0] for row in rows if QueryRow(*row).state(exe.now, delay) in LIVE_STATES]
