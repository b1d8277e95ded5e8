"""Descriptor sources: ``CREATE DESCRIPTOR_SOURCE name WITH ('file' = '<attachment>',
'description' = '…')``, ``DROP``/``DESCRIBE DESCRIPTOR_SOURCE``, ``LIST DESCRIPTOR_SOURCES``
and ``deltastream.sys."descriptor_sources"`` (docs/reference/other-kinds.md#descriptor-sources).

The file the WITH clause names must travel with the statement as a multipart attachment of
that name; its bytes are kept (their size and digest are shown, never parsed). A source is
``ready`` at once. Entities name sources as their key/value descriptors, so a source they use
cannot be dropped (2BP01). There is no update statement.
"""

from __future__ import annotations

from deltastream_local.engine.catalog.base import CatalogKind, Execution, SystemTable
from deltastream_local.engine.catalog.named import listing
from deltastream_local.engine.catalog.objects import (
    Attachment,
    ObjectRequest,
    ObjectStatements,
    Option,
)
from deltastream_local.engine.catalog.references import drop_dependents
from deltastream_local.engine.catalog.tables.descriptor_sources import (
    COLUMNS,
    ROWS,
    SCHEMA,
    require,
    shown,
)
from deltastream_local.engine.errors import fqn
from deltastream_local.engine.results import Result, properties, timestamp, varchar


def _create(req: ObjectRequest, exe: Execution) -> Result:
    ROWS.refuse_existing(exe, req.name)
    attached = req.options["file"]
    assert isinstance(attached, Attachment)  # typed by the 'file' option (required)
    description = req.options.get("description")
    exe.db.execute(
        f"INSERT INTO descriptor_sources ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            req.name,
            None if description is None else str(description),
            exe.context.role,
            attached.filename,
            attached.content,
            exe.now,
            exe.now,
        ),
    )
    return ROWS.done(req, f"created descriptor_source {fqn(req.name)}")


def _drop(req: ObjectRequest, exe: Execution) -> Result:
    require(exe, req.name)
    what = f"descriptor_source {fqn(req.name)}"
    drop_dependents(exe, "descriptor_source", (req.name,), what)
    ROWS.delete(exe, req.name)
    return ROWS.done(req, f"dropped {what}")


def _describe(req: ObjectRequest, exe: Execution) -> Result:
    return properties(list(require(exe, req.name).items()))


def _all(exe: Execution) -> list[dict[str, str | None]]:
    return [shown(found) for found in ROWS.all(exe)]


#: LIST heading → shown column
_LISTED = {"Name": "name", "Description": "description", "Status": "status", "Owner": "owner"}


KIND = CatalogKind(
    name="descriptor_source",
    schema=SCHEMA,
    objects=ObjectStatements(
        keyword="descriptor_source",
        handlers={"create": _create, "drop": _drop, "describe": _describe},
        options={
            "file": Option("attachment", required=True),
            "description": Option("text"),
        },
    ),
    lists={"descriptor_sources": listing(_LISTED, _all)},
    system_tables=(
        SystemTable(
            "descriptor_sources",
            (
                varchar("name"),
                varchar("description", nullable=True),
                varchar("status"),
                varchar("owner"),
                varchar("file_name"),
                varchar("file_sha256"),
                timestamp("created_at"),
                timestamp("updated_at"),
            ),
            _all,
        ),
    ),
)
