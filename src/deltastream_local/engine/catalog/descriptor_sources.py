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
from deltastream_local.engine.catalog.objects import (
    Attachment,
    ObjectRequest,
    ObjectStatements,
    Option,
)
from deltastream_local.engine.catalog.references import drop_dependents
from deltastream_local.engine.catalog.tables.descriptor_sources import (
    COLUMNS,
    DUPLICATE,
    SCHEMA,
    find,
    require,
    shown,
)
from deltastream_local.engine.errors import already_exists, fqn
from deltastream_local.engine.results import (
    Result,
    artifact_row,
    artifacts,
    properties,
    timestamp,
    varchar,
)


def _done(req: ObjectRequest, summary: str) -> Result:
    command = f"{req.verb.upper()} DESCRIPTOR_SOURCE"
    return artifacts(artifact_row("descriptor_source", req.name, command, summary, [req.name]))


def _create(req: ObjectRequest, exe: Execution) -> Result:
    if find(exe, req.name) is not None:
        raise already_exists(DUPLICATE, "descriptor_source", req.name)
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
    return _done(req, f"created descriptor_source {fqn(req.name)}")


def _drop(req: ObjectRequest, exe: Execution) -> Result:
    require(exe, req.name)
    what = f"descriptor_source {fqn(req.name)}"
    drop_dependents(exe, "descriptor_source", (req.name,), what)
    exe.db.execute("DELETE FROM descriptor_sources WHERE name = ?", (req.name,))
    return _done(req, f"dropped {what}")


def _describe(req: ObjectRequest, exe: Execution) -> Result:
    return properties(list(require(exe, req.name).items()))


def _all(exe: Execution) -> list[dict[str, str | None]]:
    rows = exe.db.execute(f"SELECT {COLUMNS} FROM descriptor_sources ORDER BY name")
    return [shown(found) for found in rows.fetchall()]


def _list(stmt: object, exe: Execution) -> Result:
    names = ("Name", "Description", "Status", "Owner")
    rows = [[r["name"], r["description"], r["status"], r["owner"]] for r in _all(exe)]
    return Result(tuple(varchar(column) for column in names), rows)


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
    lists={"descriptor_sources": _list},
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
