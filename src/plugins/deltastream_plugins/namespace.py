"""Namespace: ``deltastream:index:Namespace`` (a DeltaStream schema) and its lookups.

Id is ``database/namespace`` as in the official provider; when either name contains ``/``
the parts are double-quoted (``"a/b"/"ns"``) so the id stays unambiguous for import.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from deltastream_core import registering
from deltastream_core.catalog import (
    CatalogKind,
    CatalogListing,
    CatalogLookup,
    Column,
    column,
    encode_id,
)
from deltastream_core.model import output, prop
from deltastream_core.rows import check_name, rfc3339
from deltastream_core.sql import qualified, quote_identifier

TOKEN = "deltastream:index:Namespace"

_DATABASE = "Name of the database containing the namespace; changing it replaces the namespace."
_NAME = "Name of the namespace (a DeltaStream schema), taken literally; changing it replaces it."
_OWNER = (
    "Optional owning role. The namespace is created as this role, which makes it the owner; "
    "changing it replaces the namespace (DeltaStream cannot change a schema's owner)."
)


@attrs.frozen
class NamespaceInputs:
    database: str = prop(_DATABASE, replace=True, check=check_name)
    name: str = prop(_NAME, replace=True, check=check_name)
    owner: str | None = prop(
        _OWNER, default=None, replace=True, check=check_name, keep_when_absent=True
    )


@attrs.frozen
class NamespaceOutputs(NamespaceInputs):
    """What DeltaStream reports: the inputs, and what it computes."""

    owner: str | None = prop(
        "The role that owns the namespace.", default=None, replace=True, keep_when_absent=True
    )
    created_at: str | None = output("Creation timestamp of the namespace (RFC 3339).")


def namespace_id(database: str, name: str) -> str:
    return encode_id((database, name))


def parse_namespace_id(resource_id: str) -> tuple[str, str]:
    """``db/ns`` or ``"d/b"/"n/s"`` → (database, namespace)."""
    database, name = NamespaceKind().parse_id(resource_id)
    return database, name


class NamespaceKind(CatalogKind[NamespaceInputs, NamespaceOutputs]):
    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "A namespace (DeltaStream schema) grouping streams, changelogs and tables inside a "
        "database. Import with the id `database/namespace`."
    )
    inputs = NamespaceInputs
    outputs = NamespaceOutputs
    system_table: ClassVar[str] = "schemas"
    noun: ClassVar[str] = "namespace"
    key: ClassVar[tuple[Column, ...]] = (column("database_name", "database"), column("name"))
    columns: ClassVar[tuple[Column, ...]] = (
        column("owner"),
        column("created_at", convert=rfc3339),
    )

    def create_statement(self, args: NamespaceInputs) -> str:
        return (
            f"CREATE SCHEMA {quote_identifier(args.name)} "
            f"IN DATABASE {quote_identifier(args.database)};"
        )

    def drop_statement(self, key: tuple[str, ...]) -> str:
        return f"DROP SCHEMA {qualified(*key)};"


# -- lookups -------------------------------------------------------------------------------


@attrs.frozen
class GetNamespaceArgs:
    database: str = prop("The database containing the namespace.", check=check_name)
    name: str = prop("The name of the namespace.", check=check_name)


@attrs.frozen
class GetNamespaceResult:
    TYPE_TOKEN: ClassVar[str] = "deltastream:index:GetNamespaceResult"
    database: str = output("The database containing the namespace.")
    name: str = output("The name of the namespace.")
    owner: str = output("The role that owns the namespace.")
    created_at: str = output("When the namespace was created (RFC 3339).")


@attrs.frozen
class GetNamespacesArgs:
    database: str = prop("The database whose namespaces to list.", check=check_name)


@attrs.frozen
class GetNamespacesResult:
    namespaces: list[GetNamespaceResult] = output(
        "The namespaces, ordered by name; at most 200 (a warning says when more exist).",
        default=attrs.Factory(list),
    )


class GetNamespace(CatalogLookup[GetNamespaceArgs, GetNamespaceResult]):
    token: ClassVar[str] = "deltastream:index:getNamespace"
    description: ClassVar[str] = "Look up one namespace by database and name."
    args = GetNamespaceArgs
    result = GetNamespaceResult
    kind = NamespaceKind()


class GetNamespaces(CatalogListing[GetNamespacesArgs, GetNamespacesResult]):
    token: ClassVar[str] = "deltastream:index:getNamespaces"
    description: ClassVar[str] = (
        "List the namespaces of a database ordered by name, at most 200 (with a warning when "
        "there are more)."
    )
    args = GetNamespacesArgs
    result = GetNamespacesResult
    kind = NamespaceKind()
    items: ClassVar[str] = "namespaces"
    item_model = GetNamespaceResult
    narrower: ClassVar[str] = "use getNamespace"


deltastream_register_resource_kinds, deltastream_register_functions = registering(
    kinds=[NamespaceKind], functions=[GetNamespace, GetNamespaces]
)
