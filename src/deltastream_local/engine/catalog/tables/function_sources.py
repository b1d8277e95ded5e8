"""The ``function_sources`` table and a source's computed status (the function kind reads it
before it creates a function on a source)."""

from __future__ import annotations

from deltastream_local.engine.catalog.base import Execution

PROCESSING, READY, ERROR = "processing", "ready", "error"

COLUMNS = (
    "name, file_name, file_size, digest, description, broken, ready_at, owner, created_at,"
    " updated_at"
)
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS function_sources (
        name TEXT PRIMARY KEY, file_name TEXT NOT NULL, file_size INTEGER NOT NULL,
        digest TEXT NOT NULL, description TEXT, broken INTEGER NOT NULL,
        ready_at REAL NOT NULL, owner TEXT NOT NULL,
        created_at REAL NOT NULL, updated_at REAL NOT NULL)""",
)


def computed_status(broken: int, ready_at: float, now: float) -> str:
    """``processing`` until ``ready_at``, then ``ready`` (``error`` for a broken jar)."""
    if now < ready_at:
        return PROCESSING
    return ERROR if broken else READY


def status(exe: Execution, name: str) -> str | None:
    """The source's status, None when there is no such source."""
    found = exe.db.execute(
        "SELECT broken, ready_at FROM function_sources WHERE name = ?", (name,)
    ).fetchone()
    return None if found is None else computed_status(found[0], found[1], exe.now)
