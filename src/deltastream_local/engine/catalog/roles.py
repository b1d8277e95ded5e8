"""The fixed roles (``api.ROLES``): ``LIST ROLES`` and ``deltastream.sys."roles"``."""

from __future__ import annotations

from deltastream_local.engine import ast
from deltastream_local.engine.api import ROLES
from deltastream_local.engine.catalog.base import CatalogKind, Execution, SystemTable
from deltastream_local.engine.catalog.tables.organizations import CREATED_AT
from deltastream_local.engine.results import Result, bool_text, boolean, timestamp, varchar
from deltastream_local.engine.timestamps import format_timestamp


def _list(stmt: ast.ListObjects, exe: Execution) -> Result:
    columns = (varchar("Name"), boolean("IsCurrent"), timestamp("CreatedAt"))
    return Result(
        columns,
        [
            [role, bool_text(role == exe.context.role), format_timestamp(CREATED_AT)]
            for role in ROLES
        ],
    )


def _system_rows(exe: Execution) -> list[dict[str, str | None]]:
    return [{"name": role, "created_at": format_timestamp(CREATED_AT)} for role in ROLES]


KIND = CatalogKind(
    name="role",
    lists={"roles": _list},
    system_tables=(SystemTable("roles", (varchar("name"), timestamp("created_at")), _system_rows),),
)
