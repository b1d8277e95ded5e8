"""Warehouses, emulated in deltastream-local (``deltastream_local.kinds`` only).

``CREATE WAREHOUSE name WITH ('warehouse.size' = SMALL)`` makes a ``provisioning`` warehouse
that is ``ready`` from its first read on; ``UPDATE WAREHOUSE name WITH (...)`` resizes it;
``DROP WAREHOUSE name``; rows in ``deltastream.sys."warehouses"``.
"""

from __future__ import annotations

from typing import Any

from deltastream_local.kinds import (
    CatalogKind,
    Execution,
    ObjectRequest,
    ObjectStatements,
    Option,
    Result,
    SystemTable,
    already_exists,
    artifact_row,
    artifacts,
    format_timestamp,
    fqn,
    not_found,
    properties,
    timestamp,
    varchar,
)

SIZES = ("SMALL", "MEDIUM", "LARGE")
COLUMNS = "name, size, owner, created_at"
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS corp_warehouses (
        name TEXT PRIMARY KEY, size TEXT NOT NULL, owner TEXT NOT NULL,
        created_at REAL NOT NULL)""",
)


def _shown(found: tuple[Any, ...]) -> dict[str, str | None]:
    name, size, owner, created = found
    return {
        "name": name,
        "size": size,
        "owner": owner,
        "state": "ready",
        "created_at": format_timestamp(created),
    }


def _row(exe: Execution, name: str) -> dict[str, str | None] | None:
    found = exe.db.execute(
        f"SELECT {COLUMNS} FROM corp_warehouses WHERE name = ?", (name,)
    ).fetchone()
    return None if found is None else _shown(found)


def _require(exe: Execution, name: str) -> dict[str, str | None]:
    row = _row(exe, name)
    if row is None:
        raise not_found("3D023", "warehouse", name)
    return row


def _done(req: ObjectRequest, summary: str) -> Result:
    command = f"{req.verb.upper()} WAREHOUSE"
    return artifacts(artifact_row("warehouse", req.name, command, summary, [req.name]))


def _create(req: ObjectRequest, exe: Execution) -> Result:
    if _row(exe, req.name) is not None:
        raise already_exists("42P019", "warehouse", req.name)
    exe.db.execute(
        f"INSERT INTO corp_warehouses ({COLUMNS}) VALUES (?, ?, ?, ?)",
        (req.name, str(req.options["warehouse.size"]).upper(), exe.context.role, exe.now),
    )
    return _done(req, f"created warehouse {fqn(req.name)}")


def _update(req: ObjectRequest, exe: Execution) -> Result:
    _require(exe, req.name)
    if "warehouse.size" in req.options:
        exe.db.execute(
            "UPDATE corp_warehouses SET size = ? WHERE name = ?",
            (str(req.options["warehouse.size"]).upper(), req.name),
        )
    return _done(req, f"updated warehouse {fqn(req.name)}")


def _drop(req: ObjectRequest, exe: Execution) -> Result:
    _require(exe, req.name)
    exe.db.execute("DELETE FROM corp_warehouses WHERE name = ?", (req.name,))
    return _done(req, f"dropped warehouse {fqn(req.name)}")


def _describe(req: ObjectRequest, exe: Execution) -> Result:
    return properties(list(_require(exe, req.name).items()))


def _all(exe: Execution) -> list[dict[str, str | None]]:
    rows = exe.db.execute(f"SELECT {COLUMNS} FROM corp_warehouses ORDER BY name")
    return [_shown(found) for found in rows.fetchall()]


KIND = CatalogKind(
    name="warehouse",
    schema=SCHEMA,
    objects=ObjectStatements(
        keyword="warehouse",
        handlers={"create": _create, "update": _update, "drop": _drop, "describe": _describe},
        options={"warehouse.size": Option("name", required=True, choices=SIZES)},
    ),
    system_tables=(
        SystemTable(
            "warehouses",
            (
                varchar("name"),
                varchar("size"),
                varchar("owner"),
                varchar("state"),
                timestamp("created_at"),
            ),
            _all,
        ),
    ),
)
