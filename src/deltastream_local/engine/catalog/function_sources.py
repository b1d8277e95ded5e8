"""Function sources: ``CREATE FUNCTION_SOURCE name WITH ('file' = 'udfs.jar',
'description' = '...')`` with the jar uploaded as the attachment the ``'file'`` value names,
``DROP``, ``DESCRIBE``, ``LIST FUNCTION_SOURCES`` and ``deltastream.sys."function_sources"``
(docs/reference/other-kinds.md#function-sources).

A new source is ``processing`` for ``function_source_ready_delay`` seconds (an engine option,
0 by default), then ``ready``; an empty jar, or one whose file name contains ``broken``,
ends in ``error`` instead, so clients can test that path deterministically. A source that a
function names cannot be dropped (the function kind declares that reference).
"""

from __future__ import annotations

import hashlib
from typing import Any

from deltastream_local.engine.catalog.base import CatalogKind, Execution, SystemTable
from deltastream_local.engine.catalog.named import NamedTable, listing
from deltastream_local.engine.catalog.objects import (
    Attachment,
    ObjectRequest,
    ObjectStatements,
    Option,
)
from deltastream_local.engine.catalog.references import drop_dependents
from deltastream_local.engine.catalog.tables.function_sources import (
    COLUMNS,
    SCHEMA,
    computed_status,
)
from deltastream_local.engine.errors import fqn
from deltastream_local.engine.results import Result, properties, timestamp, varchar
from deltastream_local.engine.timestamps import format_timestamp

NOT_FOUND = "3D018"
DUPLICATE = "42P016"
ROWS = NamedTable("function_sources", COLUMNS, "function_source", NOT_FOUND, DUPLICATE)


def _shown(exe: Execution, found: tuple[Any, ...]) -> dict[str, str | None]:
    name, _file, _size, _digest, description, broken, ready_at, owner, created, updated = found
    org = exe.context.organization_id
    return {
        "name": name,
        "language": "java",
        "status": computed_status(broken, ready_at, exe.now),
        "description": description,
        "download_url": f"/v2/download/function_source/{org}/{name}",
        "owner": owner,
        "created_at": format_timestamp(created),
        "updated_at": format_timestamp(updated),
    }


def _require(exe: Execution, name: str) -> dict[str, str | None]:
    return _shown(exe, ROWS.require(exe, name))


def _create(req: ObjectRequest, exe: Execution) -> Result:
    ROWS.refuse_existing(exe, req.name)
    jar = req.options["file"]
    assert isinstance(jar, Attachment)  # the engine resolved the declared attachment key
    broken = not jar.content or "broken" in jar.filename.lower()
    description = req.options.get("description")
    exe.db.execute(
        f"INSERT INTO function_sources ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            req.name,
            jar.filename,
            len(jar.content),
            hashlib.sha256(jar.content).hexdigest(),
            None if description is None else str(description),
            int(broken),
            exe.now + exe.options.function_source_ready_delay,
            exe.context.role,
            exe.now,
            exe.now,
        ),
    )
    return ROWS.done(req, f"created function_source {fqn(req.name)}")


def _drop(req: ObjectRequest, exe: Execution) -> Result:
    _require(exe, req.name)
    drop_dependents(exe, "function_source", (req.name,), f"function_source {fqn(req.name)}")
    ROWS.delete(exe, req.name)
    return ROWS.done(req, f"dropped function_source {fqn(req.name)}")


def _describe(req: ObjectRequest, exe: Execution) -> Result:
    return properties(list(_require(exe, req.name).items()))


def _all(exe: Execution) -> list[dict[str, str | None]]:
    return [_shown(exe, found) for found in ROWS.all(exe)]


_LISTED = {
    "Name": "name",
    "State": "status",
    "Language": "language",
    "Description": "description",
    "Url": "download_url",
    "Owner": "owner",
    "CreatedAt": "created_at",
    "UpdatedAt": "updated_at",
}


KIND = CatalogKind(
    name="function_source",
    schema=SCHEMA,
    objects=ObjectStatements(
        keyword="function_source",
        handlers={"create": _create, "drop": _drop, "describe": _describe},
        options={
            "file": Option("attachment", required=True),
            "description": Option("text"),
        },
    ),
    lists={"function_sources": listing(_LISTED, _all, nullable=True)},
    system_tables=(
        SystemTable(
            "function_sources",
            (
                varchar("name"),
                varchar("language"),
                varchar("status"),
                varchar("description", nullable=True),
                varchar("download_url"),
                varchar("owner"),
                timestamp("created_at"),
                timestamp("updated_at"),
            ),
            _all,
        ),
    ),
)
