"""Result shapes shared by the catalog kinds (docs/reference/deltastream-sql.md#result-shapes).

* DDL answers with the 5-column *artifact* shape ``type, name, command, summary, path``
  (docs/reference/deltastream-sql.md#artifact-rows): PUL/TF read it by position; ``path`` is JSON
  array text.
* ``DESCRIBE <object>`` answers with ``property, value`` rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from deltastream_local.engine.api import Column, SessionContext
from deltastream_local.engine.timestamps import TIMESTAMP_TYPE

Row = list[str | None]

ARTIFACT_COLUMNS = (
    Column("type", "VARCHAR", False),
    Column("name", "VARCHAR", False),
    Column("command", "VARCHAR", False),
    Column("summary", "VARCHAR", True),
    Column("path", "VARCHAR", False),
)

PROPERTY_COLUMNS = (Column("Property", "VARCHAR", False), Column("Value", "VARCHAR", True))


@dataclass
class Result:
    """What a statement handler returns; ``context`` is set only when it changes (USE)."""

    columns: tuple[Column, ...]
    rows: list[Row] = field(default_factory=list)
    context: SessionContext | None = None


def artifact_row(kind: str, name: str, command: str, summary: str, path: Sequence[str]) -> Row:
    path_json = json.dumps(list(path), ensure_ascii=False, separators=(",", ":"))
    return [kind, name, command, summary, path_json]


def artifacts(*rows: Row, context: SessionContext | None = None) -> Result:
    return Result(ARTIFACT_COLUMNS, list(rows), context)


def properties(pairs: Sequence[tuple[str, str | None]]) -> Result:
    return Result(PROPERTY_COLUMNS, [[key, value] for key, value in pairs])


def varchar(name: str, nullable: bool = False) -> Column:
    return Column(name, "VARCHAR", nullable)


def timestamp(name: str, nullable: bool = False) -> Column:
    return Column(name, TIMESTAMP_TYPE, nullable)


def boolean(name: str, nullable: bool = False) -> Column:
    return Column(name, "BOOLEAN", nullable)


def bigint(name: str, nullable: bool = False) -> Column:
    return Column(name, "BIGINT", nullable)


def bool_text(value: bool) -> str:
    return "true" if value else "false"
