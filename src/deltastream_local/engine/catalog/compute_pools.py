"""Compute pools: ``CREATE COMPUTE_POOL name WITH ('compute_pool.size' = 'small',
'compute_pool.timeout_min' = 5)``, ``UPDATE COMPUTE_POOL name WITH (...)``, ``START`` /
``STOP`` / ``USE`` / ``DROP COMPUTE_POOL name``, ``LIST COMPUTE_POOLS`` and
``deltastream.sys."compute_pools"`` (docs/reference/other-kinds.md#compute-pools).

Only dbt-deltastream's WITH keys are accepted (the Python SDK shows another set; the reference
explains the choice). The states are this server's assumption (no source shows their values):
``intended_state`` is what START/STOP asked for (``running`` / ``stopped``), ``actual_state``
follows it at once. A pool must be stopped before it is dropped, as dbt-deltastream's tests
say; a pool that is not running cannot be used (3E004).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from deltastream_local.engine.catalog.base import CatalogKind, Execution, SystemTable
from deltastream_local.engine.catalog.named import NamedTable, listing
from deltastream_local.engine.catalog.objects import (
    ObjectHandler,
    ObjectRequest,
    ObjectStatements,
    Option,
)
from deltastream_local.engine.errors import SqlError, fqn
from deltastream_local.engine.results import Result, artifacts, bigint, timestamp, varchar
from deltastream_local.engine.timestamps import format_timestamp

NOT_FOUND = "3D023"
DUPLICATE = "42P019"
NOT_READY = "3E004"
#: a running pool cannot be dropped (PostgreSQL's object_in_use; the service's code is not
#: shown by any source)
IN_USE = "55006"
SIZES = ("small", "medium", "large")
RUNNING, STOPPED = "running", "stopped"

COLUMNS = "name, size, timeout_min, intended_state, actual_state, owner, created_at, updated_at"
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS compute_pools (
        name TEXT PRIMARY KEY, size TEXT NOT NULL, timeout_min INTEGER,
        intended_state TEXT NOT NULL, actual_state TEXT NOT NULL, owner TEXT NOT NULL,
        created_at REAL NOT NULL, updated_at REAL NOT NULL)""",
)
ROWS = NamedTable("compute_pools", COLUMNS, "compute_pool", NOT_FOUND, DUPLICATE)
#: WITH key → column
_KEYS = {"compute_pool.size": "size", "compute_pool.timeout_min": "timeout_min"}


def _shown(found: tuple[Any, ...]) -> dict[str, str | None]:
    name, size, timeout, intended, actual, owner, created, updated = found
    return {
        "name": name,
        "size": size,
        "timeout_min": None if timeout is None else str(timeout),
        "intended_state": intended,
        "actual_state": actual,
        "error_messages": None,
        "owner": owner,
        "created_at": format_timestamp(created),
        "updated_at": format_timestamp(updated),
    }


def _require(exe: Execution, name: str) -> dict[str, str | None]:
    return _shown(ROWS.require(exe, name))


def _create(req: ObjectRequest, exe: Execution) -> Result:
    ROWS.refuse_existing(exe, req.name)
    exe.db.execute(
        f"INSERT INTO compute_pools ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            req.name,
            req.options["compute_pool.size"],
            req.options.get("compute_pool.timeout_min"),
            RUNNING,
            RUNNING,
            exe.context.role,
            exe.now,
            exe.now,
        ),
    )
    return ROWS.done(req, f"created compute_pool {fqn(req.name)}")


def _update(req: ObjectRequest, exe: Execution) -> Result:
    _require(exe, req.name)
    for key, value in req.options.items():  # declared keys only, typed; NULL resets
        exe.db.execute(
            f"UPDATE compute_pools SET {_KEYS[key]} = ?, updated_at = ? WHERE name = ?",
            (value, exe.now, req.name),
        )
    return ROWS.done(req, f"updated compute_pool {fqn(req.name)}")


def _state(state: str) -> ObjectHandler:
    def handler(req: ObjectRequest, exe: Execution) -> Result:
        _require(exe, req.name)
        exe.db.execute(
            "UPDATE compute_pools SET intended_state = ?, actual_state = ?, updated_at = ?"
            " WHERE name = ?",
            (state, state, exe.now, req.name),
        )
        return ROWS.done(req, f"compute_pool {fqn(req.name)} is {state}")

    return handler


def _drop(req: ObjectRequest, exe: Execution) -> Result:
    row = _require(exe, req.name)
    if row["actual_state"] != STOPPED:
        raise SqlError(
            IN_USE,
            f"cannot drop compute_pool {fqn(req.name)}: it is {row['actual_state']}; compute "
            "pools need to be stopped before they can be dropped",
        )
    ROWS.delete(exe, req.name)
    return ROWS.done(req, f"dropped compute_pool {fqn(req.name)}")


def _use(req: ObjectRequest, exe: Execution) -> Result:
    row = _require(exe, req.name)
    if row["actual_state"] != RUNNING:
        raise SqlError(NOT_READY, f"compute_pool {fqn(req.name)} is not ready (it is stopped)")
    context = dataclasses.replace(exe.context, compute_pool=req.name)
    return artifacts(*ROWS.done(req, f"using compute_pool {fqn(req.name)}").rows, context=context)


def _all(exe: Execution) -> list[dict[str, str | None]]:
    return [_shown(found) for found in ROWS.all(exe)]


_LISTED = {
    "Name": "name",
    "Size": "size",
    "IntendedState": "intended_state",
    "ActualState": "actual_state",
    "ErrorMessages": "error_messages",
    "Timeout": "timeout_min",
    "Owner": "owner",
    "CreatedAt": "created_at",
    "UpdatedAt": "updated_at",
}


KIND = CatalogKind(
    name="compute_pool",
    schema=SCHEMA,
    objects=ObjectStatements(
        keyword="compute_pool",
        handlers={
            "create": _create,
            "update": _update,
            "start": _state(RUNNING),
            "stop": _state(STOPPED),
            "drop": _drop,
            "use": _use,
        },
        options={
            "compute_pool.size": Option("text", required=True, choices=SIZES),
            "compute_pool.timeout_min": Option("integer"),
        },
    ),
    lists={"compute_pools": listing(_LISTED, _all, nullable=True)},
    system_tables=(
        SystemTable(
            "compute_pools",
            (
                varchar("name"),
                varchar("size"),
                bigint("timeout_min", nullable=True),
                varchar("intended_state"),
                varchar("actual_state"),
                varchar("error_messages", nullable=True),
                varchar("owner"),
                timestamp("created_at"),
                timestamp("updated_at"),
            ),
            _all,
        ),
    ),
)
