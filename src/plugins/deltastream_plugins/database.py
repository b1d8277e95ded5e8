"""Database: ``deltastream:index:Database`` and the getDatabase/getDatabases lookups.

DeltaStream has no ``ALTER DATABASE … OWNER TO`` (contract §5.1: ownership comes from the
role that creates it), so an owner change is planned as a replacement, never as an update
that would fail at apply.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from deltastream_core import hookimpl
from deltastream_core.errors import AlreadyExistsError, NotFoundError
from deltastream_core.kinds import Function, OperationContext, ReadResult, ResourceKind
from deltastream_core.model import output, prop
from deltastream_core.ports import EffectProbe, Statement
from deltastream_core.registry import Registry
from deltastream_core.sql import quote_identifier, quote_literal
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
class DatabaseOutputs:
    name: str = prop(_NAME, replace=True, check=check_name)
    owner: str | None = prop(
        "The role that owns the database.", default=None, replace=True, keep_when_absent=True
    )
    created_at: str | None = output("When the database was created (RFC 3339).")


def _lookup_sql(name: str | None, limit: int | None = None) -> str:
    where = f" WHERE name = {quote_literal(name)}" if name is not None else ""
    tail = f" ORDER BY name LIMIT {limit}" if limit else ""
    return f'SELECT name, "owner", created_at FROM deltastream.sys."databases"{where}{tail};'


def _outputs(row: dict[str, Any]) -> DatabaseOutputs:
    return DatabaseOutputs(
        name=row["name"], owner=row["owner"], created_at=rfc3339(row["created_at"])
    )


class DatabaseKind(ResourceKind[DatabaseInputs, DatabaseOutputs]):
    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "A DeltaStream database: the top-level namespace for namespaces (schemas), streams, "
        "changelogs and tables. Every new database comes with a `public` namespace."
    )
    inputs = DatabaseInputs
    outputs = DatabaseOutputs

    def resource_id(self, outputs: DatabaseOutputs) -> str:
        return outputs.name

    async def _lookup(self, ctx: OperationContext, name: str) -> dict[str, Any] | None:
        return first_or_none(await select(ctx, _lookup_sql(name)))

    async def create(self, ctx: OperationContext, args: DatabaseInputs) -> DatabaseOutputs:
        probe = EffectProbe(Statement.read(_lookup_sql(args.name)))
        try:
            await run_settled(
                ctx,
                Statement(f"CREATE DATABASE {quote_identifier(args.name)};", probe=probe),
                ctx.as_role(args.owner),
                lookup=lambda: self._lookup(ctx, args.name),
                applied=lambda row: row is not None,
                what=f"database {args.name!r}",
            )
        except AlreadyExistsError as exc:
            raise exc.adopt_with(import_command(TOKEN, ctx.resource_name, args.name)) from None
        return await self._finish(ctx, args)

    async def _finish(self, ctx: OperationContext, args: DatabaseInputs) -> DatabaseOutputs:
        """Wait for the catalog row of a database that was created; a wait that cannot end
        leaves it recorded (partial state) for the next ``up`` to finish."""
        try:
            row = await wait_for_row(
                ctx, lambda: self._lookup(ctx, args.name), f"database {args.name!r}"
            )
        except UNFINISHED as exc:
            partial = DatabaseOutputs(args.name, args.owner, None)
            raise left_in_place(exc, f"database {args.name!r}", args.name, partial) from exc
        return _outputs(row)

    async def update(
        self, ctx: OperationContext, resource_id: str, olds: DatabaseOutputs, news: DatabaseInputs
    ) -> DatabaseOutputs:
        """Every input replaces, so only a create left unfinished (partial state) gets here."""
        return await self._finish(ctx, news)

    async def read(
        self, ctx: OperationContext, resource_id: str, state: DatabaseOutputs | None
    ) -> ReadResult[DatabaseInputs, DatabaseOutputs] | None:
        row = await self._lookup(ctx, resource_id)
        if row is None:
            return None
        outputs = _outputs(row)
        return ReadResult(resource_id, outputs, DatabaseInputs(outputs.name, outputs.owner))

    async def delete(self, ctx: OperationContext, resource_id: str, state: DatabaseOutputs) -> None:
        probe = EffectProbe(Statement.read(_lookup_sql(resource_id)), applied_if_rows=False)
        try:
            await run_settled(
                ctx,
                Statement(f"DROP DATABASE {quote_identifier(resource_id)};", probe=probe),
                ctx.base,
                lookup=lambda: self._lookup(ctx, resource_id),
                applied=lambda row: row is None,
                what=f"the drop of database {resource_id!r}",
            )
        except NotFoundError:
            return  # already gone: deletes are idempotent
        await wait_for_no_row(
            ctx, lambda: self._lookup(ctx, resource_id), f"database {resource_id!r}"
        )


# -- lookups -------------------------------------------------------------------------------


@attrs.frozen
class GetDatabaseArgs:
    name: str = prop("The name of the database to look up.", check=check_name)


@attrs.frozen
class GetDatabaseResult:
    TYPE_TOKEN: ClassVar[str] = "deltastream:index:GetDatabaseResult"
    name: str = output("The name of the database.")
    owner: str = output("The role that owns the database.")
    created_at: str = output("When the database was created (RFC 3339).")


@attrs.frozen
class GetDatabasesArgs:
    pass


@attrs.frozen
class GetDatabasesResult:
    databases: list[GetDatabaseResult] = output(
        "The databases, ordered by name; at most 200 (a warning says when more exist).",
        default=attrs.Factory(list),
    )


def _result(row: dict[str, Any]) -> GetDatabaseResult:
    return GetDatabaseResult(row["name"], row["owner"], rfc3339(row["created_at"]) or "")


class GetDatabase(Function[GetDatabaseArgs, GetDatabaseResult]):
    token: ClassVar[str] = "deltastream:index:getDatabase"
    description: ClassVar[str] = "Look up one database by name. Fails if it does not exist."
    args = GetDatabaseArgs
    result = GetDatabaseResult

    async def invoke(self, ctx: OperationContext, args: GetDatabaseArgs) -> GetDatabaseResult:
        rows = await select(ctx, _lookup_sql(args.name, limit=2))
        return _result(exactly_one(rows, f"database {args.name!r}"))


class GetDatabases(Function[GetDatabasesArgs, GetDatabasesResult]):
    token: ClassVar[str] = "deltastream:index:getDatabases"
    description: ClassVar[str] = (
        "List databases ordered by name, at most 200 (a warning is logged when there are more)."
    )
    args = GetDatabasesArgs
    result = GetDatabasesResult

    async def invoke(self, ctx: OperationContext, args: GetDatabasesArgs) -> GetDatabasesResult:
        rows = await select(ctx, _lookup_sql(None, limit=CAPPED_LIMIT))
        rows = capped(ctx, rows, "getDatabases", "look up a single database with getDatabase")
        return GetDatabasesResult([_result(r) for r in rows])


@hookimpl
def deltastream_register_resource_kinds(registry: Registry) -> None:
    registry.add_kind(DatabaseKind())


@hookimpl
def deltastream_register_functions(registry: Registry) -> None:
    registry.add_function(GetDatabase())
    registry.add_function(GetDatabases())
