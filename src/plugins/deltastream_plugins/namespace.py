"""Namespace: ``deltastream:index:Namespace`` (a DeltaStream schema) and its lookups.

Id is ``database/namespace`` as in the official provider; when either name contains ``/``
the parts are double-quoted (``"a/b"/"ns"``) so the id stays unambiguous for import.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from deltastream_core import hookimpl
from deltastream_core.errors import AlreadyExistsError, NotFoundError, ValidationError
from deltastream_core.kinds import (
    CheckFailure,
    Function,
    OperationContext,
    ReadResult,
    ResourceKind,
)
from deltastream_core.model import output, prop
from deltastream_core.ports import EffectProbe, Statement
from deltastream_core.registry import Registry
from deltastream_core.sql import qualified, quote_identifier, quote_literal, split_qualified
from deltastream_plugins._common import (
    CAPPED_LIMIT,
    UNFINISHED,
    capped,
    check_name,
    exactly_one,
    first_or_none,
    import_command,
    left_in_place,
    rfc3339,
    run_settled,
    select,
    wait_for_no_row,
    wait_for_row,
)

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
class NamespaceOutputs:
    database: str = prop(_DATABASE, replace=True)
    name: str = prop(_NAME, replace=True)
    owner: str | None = prop(
        "The role that owns the namespace.", default=None, replace=True, keep_when_absent=True
    )
    created_at: str | None = output("Creation timestamp of the namespace (RFC 3339).")


def namespace_id(database: str, name: str) -> str:
    if "/" in database or "/" in name or database.startswith('"'):
        return f"{quote_identifier(database)}/{quote_identifier(name)}"
    return f"{database}/{name}"


def parse_namespace_id(resource_id: str) -> tuple[str, str]:
    """``db/ns`` or ``"d/b"/"n/s"`` → (database, namespace)."""
    if resource_id.startswith('"'):
        parts = split_qualified(resource_id.replace('"/"', '"."', 1))
        if len(parts) == 2:
            return parts[0], parts[1]
    elif resource_id.count("/") == 1:
        database, name = resource_id.split("/")
        if database and name:
            return database, name
    raise ValidationError(
        [CheckFailure("id", f"{resource_id!r} is not a namespace id; use database/namespace")],
        resource=TOKEN,
    )


def _lookup_sql(database: str, name: str | None = None, limit: int | None = None) -> str:
    where = f"database_name = {quote_literal(database)}"
    if name is not None:
        where += f" AND name = {quote_literal(name)}"
    tail = f" ORDER BY name LIMIT {limit}" if limit else ""
    return (
        'SELECT name, database_name, "owner", created_at FROM deltastream.sys."schemas" '
        f"WHERE {where}{tail};"
    )


def _outputs(row: dict[str, Any]) -> NamespaceOutputs:
    return NamespaceOutputs(
        database=row["database_name"],
        name=row["name"],
        owner=row["owner"],
        created_at=rfc3339(row["created_at"]),
    )


class NamespaceKind(ResourceKind[NamespaceInputs, NamespaceOutputs]):
    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "A namespace (DeltaStream schema) grouping streams, changelogs and tables inside a "
        "database. Import with the id `database/namespace`."
    )
    inputs = NamespaceInputs
    outputs = NamespaceOutputs

    def resource_id(self, outputs: NamespaceOutputs) -> str:
        return namespace_id(outputs.database, outputs.name)

    async def _lookup(
        self, ctx: OperationContext, database: str, name: str
    ) -> dict[str, Any] | None:
        return first_or_none(await select(ctx, _lookup_sql(database, name)))

    async def create(self, ctx: OperationContext, args: NamespaceInputs) -> NamespaceOutputs:
        sql = (
            f"CREATE SCHEMA {quote_identifier(args.name)} "
            f"IN DATABASE {quote_identifier(args.database)};"
        )
        probe = EffectProbe(Statement.read(_lookup_sql(args.database, args.name)))
        try:
            await run_settled(
                ctx,
                Statement(sql, probe=probe),
                ctx.as_role(args.owner),
                lookup=lambda: self._lookup(ctx, args.database, args.name),
                applied=lambda row: row is not None,
                what=f"namespace {args.database}.{args.name}",
            )
        except AlreadyExistsError as exc:
            raise exc.adopt_with(
                import_command(TOKEN, ctx.resource_name, namespace_id(args.database, args.name))
            ) from None
        return await self._finish(ctx, args)

    async def _finish(self, ctx: OperationContext, args: NamespaceInputs) -> NamespaceOutputs:
        """Wait for the catalog row of a namespace that was created; a wait that cannot end
        leaves it recorded (partial state) for the next ``up`` to finish."""
        what = f"namespace {args.database}.{args.name}"
        try:
            row = await wait_for_row(ctx, lambda: self._lookup(ctx, args.database, args.name), what)
        except UNFINISHED as exc:
            partial = NamespaceOutputs(args.database, args.name, args.owner, None)
            resource_id = namespace_id(args.database, args.name)
            raise left_in_place(exc, what, resource_id, partial) from exc
        return _outputs(row)

    async def update(
        self,
        ctx: OperationContext,
        resource_id: str,
        olds: NamespaceOutputs,
        news: NamespaceInputs,
    ) -> NamespaceOutputs:
        """Every input replaces, so only a create left unfinished (partial state) gets here."""
        return await self._finish(ctx, news)

    async def read(
        self, ctx: OperationContext, resource_id: str, state: NamespaceOutputs | None
    ) -> ReadResult[NamespaceInputs, NamespaceOutputs] | None:
        database, name = parse_namespace_id(resource_id)
        try:
            row = await self._lookup(ctx, database, name)
        except NotFoundError:
            return None
        if row is None:
            return None
        out = _outputs(row)
        return ReadResult(resource_id, out, NamespaceInputs(out.database, out.name, out.owner))

    async def delete(
        self, ctx: OperationContext, resource_id: str, state: NamespaceOutputs
    ) -> None:
        database, name = parse_namespace_id(resource_id)
        probe = EffectProbe(Statement.read(_lookup_sql(database, name)), applied_if_rows=False)
        try:
            await run_settled(
                ctx,
                Statement(f"DROP SCHEMA {qualified(database, name)};", probe=probe),
                ctx.base,
                lookup=lambda: self._lookup(ctx, database, name),
                applied=lambda row: row is None,
                what=f"the drop of namespace {database}.{name}",
            )
        except NotFoundError:
            return  # the namespace or its database is already gone
        await wait_for_no_row(
            ctx, lambda: self._lookup(ctx, database, name), f"namespace {database}.{name}"
        )


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


def _result(row: dict[str, Any]) -> GetNamespaceResult:
    return GetNamespaceResult(
        row["database_name"], row["name"], row["owner"], rfc3339(row["created_at"]) or ""
    )


class GetNamespace(Function[GetNamespaceArgs, GetNamespaceResult]):
    token: ClassVar[str] = "deltastream:index:getNamespace"
    description: ClassVar[str] = "Look up one namespace by database and name."
    args = GetNamespaceArgs
    result = GetNamespaceResult

    async def invoke(self, ctx: OperationContext, args: GetNamespaceArgs) -> GetNamespaceResult:
        rows = await select(ctx, _lookup_sql(args.database, args.name, limit=2))
        return _result(exactly_one(rows, f"namespace {args.name!r} in database {args.database!r}"))


class GetNamespaces(Function[GetNamespacesArgs, GetNamespacesResult]):
    token: ClassVar[str] = "deltastream:index:getNamespaces"
    description: ClassVar[str] = (
        "List the namespaces of a database ordered by name, at most 200 (with a warning when "
        "there are more)."
    )
    args = GetNamespacesArgs
    result = GetNamespacesResult

    async def invoke(self, ctx: OperationContext, args: GetNamespacesArgs) -> GetNamespacesResult:
        rows = await select(ctx, _lookup_sql(args.database, limit=CAPPED_LIMIT))
        rows = capped(ctx, rows, f"getNamespaces({args.database!r})", "use getNamespace")
        return GetNamespacesResult([_result(r) for r in rows])


@hookimpl
def deltastream_register_resource_kinds(registry: Registry) -> None:
    registry.add_kind(NamespaceKind())


@hookimpl
def deltastream_register_functions(registry: Registry) -> None:
    registry.add_function(GetNamespace())
    registry.add_function(GetNamespaces())
