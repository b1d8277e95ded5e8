"""The ``stores`` and ``store_attachments`` tables, the store row and its computed status."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from deltastream_local.engine import ast
from deltastream_local.engine.catalog.base import Execution
from deltastream_local.engine.errors import INVALID_STORE, not_found
from deltastream_local.engine.store_types import STORE_TYPES, StoreType

PENDING = "pending"
READY = "ready"
ERRORED = "errored"

# probe_state values: NULL (no check asked), 'running', 'ok', 'failed'
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS stores (
        name TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        owner TEXT NOT NULL,
        properties TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        ready_at REAL NOT NULL,
        generation INTEGER NOT NULL,
        probe_state TEXT,
        status_message TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS store_attachments (
        store_name TEXT NOT NULL,
        property TEXT NOT NULL,
        filename TEXT NOT NULL,
        content BLOB NOT NULL,
        PRIMARY KEY (store_name, property)
    )""",
)

Props = dict[str, ast.PropertyValue]


@dataclasses.dataclass(frozen=True)
class StoreRow:
    name: str
    type: StoreType
    owner: str
    properties: Props
    created_at: float
    updated_at: float
    ready_at: float
    generation: int
    probe_state: str | None
    status_message: str | None

    def status(self, now: float) -> tuple[str, str | None]:
        """(status, status_message) as of ``now``; computed, never stored."""
        if self.probe_state == "failed":
            return ERRORED, self.status_message
        if self.probe_state == "running" or now < self.ready_at:
            return PENDING, None
        return READY, None

    @property
    def uris(self) -> str:
        value = self.properties.get("uris")
        return value.value if value is not None and value.value is not None else ""


COLUMNS = (
    "name, type, owner, properties, created_at, updated_at, ready_at, generation,"
    " probe_state, status_message"
)


def decode(row: tuple[Any, ...]) -> StoreRow:
    name, kind, owner, props, created, updated, ready, generation, probe, message = row
    properties = {key: ast.PropertyValue(k, v) for key, (k, v) in json.loads(props).items()}
    return StoreRow(
        name,
        STORE_TYPES[kind],
        owner,
        properties,
        created,
        updated,
        ready,
        generation,
        probe,
        message,
    )


def encode(props: Mapping[str, ast.PropertyValue]) -> str:
    return json.dumps({key: [value.kind, value.value] for key, value in props.items()})


def find(exe: Execution, name: str) -> StoreRow | None:
    row = exe.db.execute(f"SELECT {COLUMNS} FROM stores WHERE name = ?", (name,)).fetchone()
    return None if row is None else decode(row)


def require(exe: Execution, name: str) -> StoreRow:
    found = find(exe, name)
    if found is None:
        raise not_found(INVALID_STORE, "store", name)
    return found


def all_rows(exe: Execution) -> list[StoreRow]:
    rows = exe.db.execute(f"SELECT {COLUMNS} FROM stores ORDER BY created_at, name").fetchall()
    return [decode(row) for row in rows]
