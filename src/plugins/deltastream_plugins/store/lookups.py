"""``deltastream:index:getStore`` and ``getStores``: one SELECT each, deterministic order."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from deltastream_core.kinds import Function, OperationContext
from deltastream_core.model import output, prop
from deltastream_plugins._common import (
    CAPPED_LIMIT,
    ROW_CAP,
    capped,
    check_name,
    exactly_one,
    rfc3339,
    select,
)
from deltastream_plugins.store.catalog import lookup_sql


@attrs.frozen
class GetStoreArgs:
    name: str = prop("The name of the store to look up.", check=check_name)


@attrs.frozen
class GetStoreResult:
    TYPE_TOKEN: ClassVar[str] = "deltastream:index:GetStoreResult"
    name: str = output("The name of the store.")
    type: str = output("Type of the store as DeltaStream reports it (e.g. Kafka).")
    state: str = output("Provisioning state of the store (ready once usable).")
    owner: str = output("The role that owns the store.")
    created_at: str = output("When the store was created (RFC 3339).")
    updated_at: str = output("When the store was last changed (RFC 3339).")


@attrs.frozen
class GetStoresArgs:
    pass


@attrs.frozen
class GetStoresResult:
    stores: list[GetStoreResult] = output(
        f"The stores, ordered by name; at most {ROW_CAP} (a warning says when more exist).",
        default=attrs.Factory(list),
    )


def _result(row: dict[str, Any]) -> GetStoreResult:
    return GetStoreResult(
        name=row["name"],
        type=row.get("type") or "",
        state=row.get("status") or "",
        owner=row.get("owner") or "",
        created_at=rfc3339(row.get("created_at")) or "",
        updated_at=rfc3339(row.get("updated_at")) or "",
    )


class GetStore(Function[GetStoreArgs, GetStoreResult]):
    token: ClassVar[str] = "deltastream:index:getStore"
    description: ClassVar[str] = "Look up one store by name. Fails if it does not exist."
    args = GetStoreArgs
    result = GetStoreResult

    async def invoke(self, ctx: OperationContext, args: GetStoreArgs) -> GetStoreResult:
        rows = await select(ctx, lookup_sql(args.name, limit=2))
        return _result(exactly_one(rows, f"store {args.name!r}"))


class GetStores(Function[GetStoresArgs, GetStoresResult]):
    token: ClassVar[str] = "deltastream:index:getStores"
    description: ClassVar[str] = (
        f"List stores ordered by name, at most {ROW_CAP} (a warning is logged when there are more)."
    )
    args = GetStoresArgs
    result = GetStoresResult

    async def invoke(self, ctx: OperationContext, args: GetStoresArgs) -> GetStoresResult:
        rows = await select(ctx, lookup_sql(limit=CAPPED_LIMIT))
        rows = capped(ctx, rows, "getStores", "look up a single store with getStore")
        return GetStoresResult([_result(r) for r in rows])
