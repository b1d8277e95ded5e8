"""Reading stores from DeltaStream: the ``deltastream.sys."stores"`` row, DESCRIBE STORE,
and waiting for a store to settle (``ready`` or ``errored``) or disappear.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from deltastream_core.errors import NotFoundError
from deltastream_core.kinds import OperationContext
from deltastream_core.ports import Statement
from deltastream_core.sql import quote_identifier, quote_literal
from deltastream_core.waiting import Backoff, wait_until
from deltastream_plugins._common import first_or_none, select

#: the official provider waits 10 minutes for a store; customTimeouts override it
READY_TIMEOUT = 600.0
#: gentle geometric growth: a poll lands at most ~20% after the store became ready, so the
#: wait tracks the service's own readiness time instead of a fixed 5 s tick
POLL = Backoff(first=0.05, factor=1.2, cap=2.0)
READY = "ready"
ERRORED = "errored"

COLUMNS = 'name, type, "status", "owner", created_at, updated_at, status_message'


def lookup_sql(name: str | None = None, *, limit: int | None = None) -> str:
    where = f" WHERE name = {quote_literal(name)}" if name is not None else ""
    tail = f" ORDER BY name LIMIT {limit}" if limit else ""
    return f'SELECT {COLUMNS} FROM deltastream.sys."stores"{where}{tail};'


async def lookup(ctx: OperationContext, name: str) -> dict[str, Any] | None:
    """The store's catalog row, or None when there is no such store."""
    return first_or_none(await select(ctx, lookup_sql(name)))


def status_of(row: dict[str, Any] | None) -> str:
    return str((row or {}).get("status") or "").lower()


def describe_row(row: dict[str, Any] | None) -> str:
    if row is None:
        return "not in the catalog yet"
    message = row.get("status_message")
    return f"status {row.get('status')!r}" + (f" ({message})" if message else "")


async def wait_settled(ctx: OperationContext, name: str, *, doing: str) -> dict[str, Any] | None:
    """Poll until the store is ``ready`` or ``errored`` (or gone); returns the last row."""
    return await wait_until(
        lambda: lookup(ctx, name),
        lambda row: row is None or status_of(row) in (READY, ERRORED),
        clock=ctx.clock,
        timeout=ctx.timeout or READY_TIMEOUT,
        what=f"store {name!r} to become ready after {doing}",
        describe=describe_row,
        log=ctx.log,
        backoff=POLL,
    )


async def wait_gone(ctx: OperationContext, name: str) -> None:
    await wait_until(
        lambda: lookup(ctx, name),
        lambda row: row is None,
        clock=ctx.clock,
        timeout=ctx.timeout or READY_TIMEOUT,
        what=f"store {name!r} to disappear",
        describe=describe_row,
        log=ctx.log,
        backoff=POLL,
    )


async def describe_properties(ctx: OperationContext, name: str) -> dict[str, str | None]:
    """The store's WITH properties as DESCRIBE STORE reports them (key → value text).

    Accepts both result shapes: one row per property (``key``/``value`` columns, any of the
    usual names) or one wide row whose column names are the keys.
    """
    runner = ctx.require_runner()
    try:
        result = await runner.run(
            Statement.read(f"DESCRIBE STORE {quote_identifier(name)};"), ctx.base
        )
    except NotFoundError:
        return {}
    records = list(result.records())
    names = {c.name.lower() for c in result.columns}
    key_col = _pick(names, ("key", "property", "name", "parameter"))
    value_col = _pick(names, ("value", "property_value"))
    if key_col and value_col:
        return {
            str(r[_orig(result.columns, key_col)]): _text(r[_orig(result.columns, value_col)])
            for r in records
        }
    first = records[0] if records else {}
    return {k: _text(v) for k, v in first.items()}


def _pick(names: set[str], options: Iterable[str]) -> str | None:
    return next((o for o in options if o in names), None)


def _orig(columns: Any, lowered: str) -> str:
    return str(next(c.name for c in columns if c.name.lower() == lowered))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
