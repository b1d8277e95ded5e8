"""Reading stores from DeltaStream: the ``deltastream.sys."stores"`` row, DESCRIBE STORE,
and waiting for a store to settle (``ready`` or ``errored``) or disappear.
"""

from __future__ import annotations

import json
from typing import Any

from deltastream_core.errors import NotFoundError
from deltastream_core.kinds import OperationContext
from deltastream_core.ports import Statement
from deltastream_core.sql import quote_identifier, quote_literal
from deltastream_core.waiting import Backoff, wait_until
from deltastream_plugins._common import first_or_none, select, wait_for_no_row

#: the official provider waits 10 minutes for a store; customTimeouts override it
READY_TIMEOUT = 600.0
#: gentle geometric growth: polls at 0.11, 0.24, 0.40, 0.59, 0.82, 1.09, 1.42 s…, each at most
#: 1.2x the previous + 0.11 s, so a store is seen ready at most ~20% + 0.11 s after it is (not
#: on a fixed 5 s tick). With a first pause of 0.1 s a poll fell at 0.99 s and raced a 1 s
#: readiness: the store benchmark swung between 1.17x and 1.45x the delay by scheduling luck.
POLL = Backoff(first=0.11, factor=1.2, cap=2.0)
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
    await wait_for_no_row(
        ctx,
        lambda: lookup(ctx, name),
        f"store {name!r}",
        timeout=READY_TIMEOUT,
        backoff=POLL,
        describe=describe_row,
    )


async def describe_properties(ctx: OperationContext, name: str) -> dict[str, Any]:
    """The store's settings as DESCRIBE STORE reports them, keyed by WITH key.

    DESCRIBE STORE answers one row: ``uris``, a ``details`` JSON object of the type's
    non-secret settings (keys without the type prefix, dots as underscores), the TLS flags and
    the schema-registry name. Each is mapped back to the WITH key it came from; ``details``
    entries are kept as ``details:<short key>`` (see ``common.details_key``). Secrets are never
    part of the answer.
    """
    runner = ctx.require_runner()
    try:
        result = await runner.run(
            Statement.read(f"DESCRIBE STORE {quote_identifier(name)};"), ctx.base
        )
    except NotFoundError:
        return {}
    record = result.first() or {}
    props: dict[str, Any] = {}
    for column, value in record.items():
        low = column.lower()
        if value is None:
            continue
        if low == "details":
            details = json.loads(value) if isinstance(value, str) and value else {}
            props.update({f"details:{k}": v for k, v in details.items()})
        elif low == "tls_enabled":
            props["tls.disabled"] = not _flag(value)
        elif low == "verify_server_hostname":
            props["tls.verify_server_hostname"] = _flag(value)
        elif low == "schema_registry_name":
            props["schema_registry.name"] = value
        else:
            props[column] = value
    return props


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() == "true"
