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
from deltastream_local.engine.errors import already_exists, fqn, not_found
from deltastream_local.engine.results import (
    Result,
    artifact_row,
    artifacts,
    properties,
    timestamp,
    varchar,
)
from deltastream_local.engine.timestamps import format_timestamp

NOT_FOUND = "3D018"
DUPLICATE = "42P016"


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


def _row(exe: Execution, name: str) -> dict[str, str | None] | None:
    found = exe.db.execute(f"SELECT {COLUMNS} FROM function_sources WHERE name = ?", (name,))
    one = found.fetchone()
    return None if one is None else _shown(exe, one)


def _require(exe: Execution, name: str) -> dict[str, str | None]:
    row = _row(exe, name)
    if row is None:
        raise not_found(NOT_FOUND, "function_source", name)
    return row


def _done(req: ObjectRequest, summary: str) -> Result:
    command = f"{req.verb.upper()} FUNCTION_SOURCE"
    return artifacts(artifact_row("function_source", req.name, command, summary, [req.name]))


def _create(req: ObjectRequest, exe: Execution) -> Result:
    if _row(exe, req.name) is not None:
        raise already_exists(DUPLICATE, "function_source", req.name)
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
    return _done(req, f"created function_source {fqn(req.name)}")


def _drop(req: ObjectRequest, exe: Execution) -> Result:
    _require(exe, req.name)
    drop_dependents(exe, "function_source", (req.name,), f"function_source {fqn(req.name)}")
    exe.db.execute("DELETE FROM function_sources WHERE name = ?", (req.name,))
    return _done(req, f"dropped function_source {fqn(req.name)}")


def _describe(req: ObjectRequest, exe: Execution) -> Result:
    return properties(list(_require(exe, req.name).items()))


def _all(exe: Execution) -> list[dict[str, str | None]]:
    rows = exe.db.execute(f"SELECT {COLUMNS} FROM function_sources ORDER BY name")
    return [_shown(exe, found) for found in rows.fetchall()]


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


def _list(stmt: object, exe: Execution) -> Result:
    rows = [[row[column] for column in _LISTED.values()] for row in _all(exe)]
    return Result(tuple(varchar(column, nullable=True) for column in _LISTED), rows)


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
    lists={"function_sources": _list},
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
