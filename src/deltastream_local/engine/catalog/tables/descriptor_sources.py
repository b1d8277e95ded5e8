"""The ``descriptor_sources`` table and its rows, shared by the descriptor-source kind and the
entities that name sources as descriptors."""

from __future__ import annotations

import hashlib
from typing import Any

from deltastream_local.engine.catalog.base import Execution
from deltastream_local.engine.catalog.named import NamedTable
from deltastream_local.engine.timestamps import format_timestamp

#: InvalidDescriptorSource (the service's code for an unknown source)
NOT_FOUND = "3D011"
#: no duplicate code for descriptor sources is known: the generic duplicate object
DUPLICATE = "42710"

COLUMNS = "name, description, owner, filename, content, created_at, updated_at"
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS descriptor_sources (
        name TEXT PRIMARY KEY, description TEXT, owner TEXT NOT NULL, filename TEXT NOT NULL,
        content BLOB NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL)""",
)


def shown(found: tuple[Any, ...]) -> dict[str, str | None]:
    name, description, owner, filename, content, created, updated = found
    return {
        "name": name,
        "description": description,
        "status": "ready",
        "owner": owner,
        "file_name": filename,
        "file_sha256": hashlib.sha256(content).hexdigest(),
        "created_at": format_timestamp(created),
        "updated_at": format_timestamp(updated),
    }


ROWS = NamedTable("descriptor_sources", COLUMNS, "descriptor_source", NOT_FOUND, DUPLICATE)


def require(exe: Execution, name: str) -> dict[str, str | None]:
    """The source's row as the system table shows it; "not found" when absent (entities
    name sources as descriptors)."""
    return shown(ROWS.require(exe, name))
