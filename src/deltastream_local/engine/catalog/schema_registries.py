"""Schema registries: ``CREATE SCHEMA_REGISTRY name WITH ('type' = CONFLUENT|CONFLUENT_CLOUD,
'uris' = '...', credentials)``, ``UPDATE SCHEMA_REGISTRY name WITH (...)``, ``DROP``,
``DESCRIBE``, ``LIST SCHEMA_REGISTRIES`` and ``deltastream.sys."schema_registries"``
(docs/reference/other-kinds.md#schema-registries).

Credentials are kept only as a digest; a registry a store names cannot be dropped.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from deltastream_local.engine.catalog.base import CatalogKind, Execution, SystemTable
from deltastream_local.engine.catalog.named import NamedTable, listing
from deltastream_local.engine.catalog.objects import ObjectRequest, ObjectStatements, Option
from deltastream_local.engine.catalog.references import drop_dependents
from deltastream_local.engine.errors import INVALID_PARAMETER, SqlError, fqn
from deltastream_local.engine.results import Result, properties, timestamp, varchar
from deltastream_local.engine.timestamps import format_timestamp

NOT_FOUND = "3D009"
DUPLICATE = "42P018"
#: the type keyword and how the catalog shows it
TYPES = {"CONFLUENT": "Confluent", "CONFLUENT_CLOUD": "ConfluentCloud"}
#: the credential keys each type takes
CREDENTIALS = {
    "CONFLUENT": ("confluent.username", "confluent.password"),
    "CONFLUENT_CLOUD": ("confluent_cloud.key", "confluent_cloud.secret"),
}

COLUMNS = "name, type, uris, owner, digest, created_at, updated_at"
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS schema_registries (
        name TEXT PRIMARY KEY, type TEXT NOT NULL, uris TEXT NOT NULL, owner TEXT NOT NULL,
        digest TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL)""",
)
ROWS = NamedTable(
    "schema_registries", COLUMNS, "schema_registry", not_found=NOT_FOUND, duplicate=DUPLICATE
)


def _shown(found: tuple[Any, ...]) -> dict[str, str | None]:
    name, kind, _uris, owner, _digest, created, updated = found
    return {
        "name": name,
        "type": TYPES[kind],
        "status": "ready",
        "owner": owner,
        "created_at": format_timestamp(created),
        "updated_at": format_timestamp(updated),
    }


#: the registry's stored row (for the store kind's reference check too)
find = ROWS.find


def _digest(kind: str, options: dict[str, Any]) -> str:
    credentials = {k: options.get(k) for k in CREDENTIALS[kind]}
    return hashlib.sha256(json.dumps(credentials, sort_keys=True).encode()).hexdigest()


def _check_credentials(kind: str, options: dict[str, Any]) -> None:
    foreign = [
        key
        for other, keys in CREDENTIALS.items()
        if other != kind
        for key in keys
        if options.get(key) is not None
    ]
    if foreign:
        raise SqlError(
            INVALID_PARAMETER, f"property '{foreign[0]}' is not valid for a {TYPES[kind]} registry"
        )


def _create(req: ObjectRequest, exe: Execution) -> Result:
    ROWS.refuse_existing(exe, req.name)
    options = dict(req.options)
    kind = str(options["type"])
    _check_credentials(kind, options)
    exe.db.execute(
        f"INSERT INTO schema_registries ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            req.name,
            kind,
            str(options["uris"]),
            exe.context.role,
            _digest(kind, options),
            exe.now,
            exe.now,
        ),
    )
    return ROWS.done(req, f"created schema_registry {fqn(req.name)}")


def _update(req: ObjectRequest, exe: Execution) -> Result:
    name, kind, uris, *_ = ROWS.require(exe, req.name)
    options = dict(req.options)
    _check_credentials(kind, options)
    exe.db.execute(
        "UPDATE schema_registries SET uris = ?, digest = ?, updated_at = ? WHERE name = ?",
        (str(options.get("uris") or uris), _digest(kind, options), exe.now, name),
    )
    return ROWS.done(req, f"updated schema_registry {fqn(req.name)}")


def _drop(req: ObjectRequest, exe: Execution) -> Result:
    ROWS.require(exe, req.name)
    drop_dependents(exe, "schema_registry", (req.name,), f"schema_registry {fqn(req.name)}")
    ROWS.delete(exe, req.name)
    return ROWS.done(req, f"dropped schema_registry {fqn(req.name)}")


def _describe(req: ObjectRequest, exe: Execution) -> Result:
    found = ROWS.require(exe, req.name)
    shown = _shown(found)
    return properties([*shown.items(), ("uris", found[2])])


def _all(exe: Execution) -> list[dict[str, str | None]]:
    return [_shown(found) for found in ROWS.all(exe)]


_CREDENTIAL = Option("text")

#: LIST heading → shown column
_LISTED = {"Name": "name", "Type": "type", "Owner": "owner"}


KIND = CatalogKind(
    name="schema_registry",
    schema=SCHEMA,
    objects=ObjectStatements(
        keyword="schema_registry",
        handlers={"create": _create, "update": _update, "drop": _drop, "describe": _describe},
        options={
            "type": Option("name", required=True, updatable=False, choices=tuple(TYPES)),
            "uris": Option("text", required=True),
            **{key: _CREDENTIAL for keys in CREDENTIALS.values() for key in keys},
        },
    ),
    lists={"schema_registries": listing(_LISTED, _all)},
    system_tables=(
        SystemTable(
            "schema_registries",
            (
                varchar("name"),
                varchar("type"),
                varchar("status"),
                varchar("owner"),
                timestamp("created_at"),
                timestamp("updated_at"),
            ),
            _all,
        ),
    ),
)
