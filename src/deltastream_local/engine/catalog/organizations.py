"""The one organization (``api.ORGANIZATION_ID``, named ``local``): ``LIST ORGANIZATIONS`` and
``deltastream.sys."organizations"``. Nothing is stored: it is fixed."""

from __future__ import annotations

from deltastream_local.engine import ast
from deltastream_local.engine.api import ORGANIZATION_ID, ORGANIZATION_NAME
from deltastream_local.engine.catalog.base import CatalogKind, Execution, SystemTable
from deltastream_local.engine.catalog.tables.organizations import CREATED_AT, DESCRIPTION
from deltastream_local.engine.results import Result, timestamp, varchar
from deltastream_local.engine.timestamps import format_timestamp


def _list(stmt: ast.ListObjects, exe: Execution) -> Result:
    # Column names and types as the GO driver's fixtures show them
    # (docs/reference/deltastream-sql.md#other-result-shapes).
    columns = (
        varchar("id"),
        varchar("name"),
        varchar("description", nullable=True),
        varchar("profileImageURI", nullable=True),
        timestamp("createdAt"),
    )
    return Result(
        columns,
        [[ORGANIZATION_ID, ORGANIZATION_NAME, DESCRIPTION, None, format_timestamp(CREATED_AT)]],
    )


def _system_rows(exe: Execution) -> list[dict[str, str | None]]:
    return [
        {
            "id": ORGANIZATION_ID,
            "name": ORGANIZATION_NAME,
            "description": DESCRIPTION,
            "created_at": format_timestamp(CREATED_AT),
        }
    ]


KIND = CatalogKind(
    name="organization",
    lists={"organizations": _list},
    system_tables=(
        SystemTable(
            "organizations",
            (
                varchar("id"),
                varchar("name"),
                varchar("description", nullable=True),
                timestamp("created_at"),
            ),
            _system_rows,
        ),
    ),
)
