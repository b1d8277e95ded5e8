"""Secrets: ``CREATE SECRET name WITH ('type' = generic_string, ...)``, ``DROP SECRET name``,
``LIST SECRETS`` and ``deltastream.sys."secrets"`` (docs/reference/other-kinds.md#secrets).

A secret's value and its custom properties' values are kept only as a digest: nothing this
server answers (system tables, LIST, DESCRIBE, messages) can show them. There is no
``UPDATE SECRET`` on the service, so there is none here.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from deltastream_local.engine.catalog.base import CatalogKind, Execution, SystemTable
from deltastream_local.engine.catalog.named import NamedTable, listing
from deltastream_local.engine.catalog.objects import ObjectRequest, ObjectStatements, Option
from deltastream_local.engine.errors import fqn
from deltastream_local.engine.results import Result, properties, timestamp, varchar
from deltastream_local.engine.timestamps import format_timestamp

#: the only type the official tools send (the service's documentation names another)
TYPES = ("generic_string",)
NOT_FOUND = "3D016"
DUPLICATE = "42P014"

COLUMNS = "name, type, description, owner, custom_keys, digest, created_at, updated_at"
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS secrets (
        name TEXT PRIMARY KEY, type TEXT NOT NULL, description TEXT, owner TEXT NOT NULL,
        custom_keys TEXT NOT NULL, digest TEXT NOT NULL,
        created_at REAL NOT NULL, updated_at REAL NOT NULL)""",
)

ROWS = NamedTable("secrets", COLUMNS, "secret", not_found=NOT_FOUND, duplicate=DUPLICATE)

_DECLARED = ("type", "description", "secret_string")


def _shown(found: tuple[Any, ...]) -> dict[str, str | None]:
    name, kind, description, owner, _keys, _digest, created, updated = found
    return {
        "name": name,
        "type": kind,
        "description": description,
        "status": "ready",
        "owner": owner,
        "created_at": format_timestamp(created),
        "updated_at": format_timestamp(updated),
    }


def _create(req: ObjectRequest, exe: Execution) -> Result:
    ROWS.refuse_existing(exe, req.name)
    custom = {k: str(v) for k, v in req.options.items() if k not in _DECLARED}
    secret = {"value": req.options.get("secret_string"), "custom": custom}
    digest = hashlib.sha256(json.dumps(secret, sort_keys=True).encode()).hexdigest()
    description = req.options.get("description")
    exe.db.execute(
        f"INSERT INTO secrets ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            req.name,
            str(req.options["type"]),
            None if description is None else str(description),
            exe.context.role,
            json.dumps(sorted(custom)),
            digest,
            exe.now,
            exe.now,
        ),
    )
    return ROWS.done(req, f"created secret {fqn(req.name)}")


def _drop(req: ObjectRequest, exe: Execution) -> Result:
    ROWS.require(exe, req.name)
    ROWS.delete(exe, req.name)
    return ROWS.done(req, f"dropped secret {fqn(req.name)}")


def _describe(req: ObjectRequest, exe: Execution) -> Result:
    return properties(list(_shown(ROWS.require(exe, req.name)).items()))


def _all(exe: Execution) -> list[dict[str, str | None]]:
    return [_shown(found) for found in ROWS.all(exe)]


#: LIST heading → shown column
_LISTED = {"Name": "name", "Type": "type", "Description": "description", "Owner": "owner"}


KIND = CatalogKind(
    name="secret",
    schema=SCHEMA,
    objects=ObjectStatements(
        keyword="secret",
        handlers={"create": _create, "drop": _drop, "describe": _describe},
        options={
            "type": Option("name", required=True, choices=TYPES),
            "description": Option("text"),
            "secret_string": Option("text"),
        },
        # custom properties: free-form keys, kept as a digest with the value
        extra=Option("text"),
    ),
    lists={"secrets": listing(_LISTED, _all)},
    system_tables=(
        SystemTable(
            "secrets",
            (
                varchar("name"),
                varchar("type"),
                varchar("description", nullable=True),
                varchar("status"),
                varchar("owner"),
                timestamp("created_at"),
                timestamp("updated_at"),
            ),
            _all,
        ),
    ),
)
