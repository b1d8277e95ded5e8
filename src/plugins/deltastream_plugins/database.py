"""Database: ``deltastream:index:Database`` and the getDatabase/getDatabases lookups.

DeltaStream has no ``ALTER DATABASE … OWNER TO`` (docs/reference/deltastream-sql.md#databases:
ownership comes from the
role that creates it), so an owner change is planned as a replacement, never as an update
that would fail at apply.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from deltastream_core import name_lookups, registering
from deltastream_core.catalog import CatalogKind, Column, column
from deltastream_core.model import output, prop
from deltastream_core.rows import check_name, rfc3339
from deltastream_core.sql import quote_identifier

TOKEN = "deltastream:index:Database"

_NAME = (
    "The name of the database. Taken literally (always quoted), so it keeps its case; "
    "it may contain spaces and unicode but no control characters."
)
_OWNER = (
    "Optional owning role. DeltaStream makes the role that creates the database its owner, so "
    "the database is created as this role; changing it replaces the database."
)


@attrs.frozen
class DatabaseInputs:
    name: str = prop(_NAME, replace=True, check=check_name)
    owner: str | None = prop(
        _OWNER, default=None, replace=True, check=check_name, keep_when_absent=True
    )


@attrs.frozen
class DatabaseOutputs(DatabaseInputs):
    """What DeltaStream reports: the inputs, and what it computes."""

    owner: str | None = prop(
        "The role that owns the database.", default=None, replace=True, keep_when_absent=True
    )
    created_at: str | None = output("When the database was created (RFC 3339).")


class DatabaseKind(CatalogKind[DatabaseInputs, DatabaseOutputs]):
    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "A DeltaStream database: the top-level namespace for namespaces (schemas), streams, "
        "changelogs and tables. Every new database comes with a `public` namespace."
    )
    inputs = DatabaseInputs
    outputs = DatabaseOutputs
    system_table: ClassVar[str] = "databases"
    noun: ClassVar[str] = "database"
    key: ClassVar[tuple[Column, ...]] = (column("name"),)
    columns: ClassVar[tuple[Column, ...]] = (
        column("owner"),
        column("created_at", convert=rfc3339),
    )

    def create_statement(self, args: DatabaseInputs) -> str:
        return f"CREATE DATABASE {quote_identifier(args.name)};"

    def drop_statement(self, key: tuple[str, ...]) -> str:
        return f"DROP DATABASE {quote_identifier(key[0])};"


# -- lookups -------------------------------------------------------------------------------


@attrs.frozen
class GetDatabaseResult:
    TYPE_TOKEN: ClassVar[str] = "deltastream:index:GetDatabaseResult"
    name: str = output("The name of the database.")
    owner: str = output("The role that owns the database.")
    created_at: str = output("When the database was created (RFC 3339).")


GetDatabase, GetDatabases = name_lookups(
    DatabaseKind,
    GetDatabaseResult,
    items="databases",
    one="Look up one database by name. Fails if it does not exist.",
    many="List databases ordered by name, at most 200 (a warning is logged when there are more).",
    argument="The name of the database to look up.",
)


deltastream_register_resource_kinds, deltastream_register_functions = registering(
    kinds=[DatabaseKind], functions=[GetDatabase, GetDatabases]
)
