"""Reading DeltaStream's catalog: one SELECT, rows as dicts, the row cap, waits for a row to
appear or disappear, timestamps as the official provider shows them, the import command an
"already exists" error suggests; and writing safely: a write whose lost answer is settled by
looking (``run_settled``), and the partial failure of a step that created something but could
not finish (``left_in_place``). Part of the public authoring API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from deltastream_core.commands import pulumi_import
from deltastream_core.errors import (
    AmbiguousOutcomeError,
    DeltaStreamError,
    IncompleteError,
    NotFoundError,
    OperationCancelledError,
    TimeoutError_,
    TransientError,
    ValidationError,
)
from deltastream_core.kinds import CheckFailure, OperationContext
from deltastream_core.ports import ResultSet, Statement, StatementContext
from deltastream_core.sql import name_problem
from deltastream_core.waiting import Backoff, wait_until

T = TypeVar("T")

Row = dict[str, Any]

#: how long a catalog object may take to appear or disappear, unless customTimeouts says
CATALOG_TIMEOUT = 300.0
#: pacing of catalog waits (the core's default schedule)
CATALOG_POLL = Backoff()

#: plural lookups return at most this many rows and ask for one more to know
ROW_CAP = 200
#: the LIMIT of a plural lookup: the extra row tells :func:`capped` that more exist
CAPPED_LIMIT = ROW_CAP + 1


def rfc3339(value: datetime | str | None) -> str | None:
    """Timestamps in outputs: RFC 3339, UTC, second precision (as the official provider)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def check_name(value: Any) -> str | None:
    """A ``prop(check=...)`` rule for object names (:func:`deltastream_core.sql.name_problem`)."""
    return name_problem(value) if isinstance(value, str) else None


async def select(
    ctx: OperationContext, sql: str, context: StatementContext | None = None
) -> list[Row]:
    """Run one read-only statement and return its rows as dicts."""
    result = await ctx.require_runner().run(Statement.read(sql), context or ctx.base)
    return list(result.records())


async def describe_properties(ctx: OperationContext, sql: str) -> dict[str, Any]:
    """``DESCRIBE <OBJECT> …`` answered as property/value rows → ``{property (lower): value}``.

    Columns named ``property``/``value`` are used when present, else the first two (as the
    official SDK reads them).
    """
    result = await ctx.require_runner().run(Statement.read(sql), ctx.base)
    props: dict[str, Any] = {}
    for row in result.records():
        lowered = {str(k).lower(): v for k, v in row.items()}
        values = list(row.values())
        key = lowered.get("property", values[0] if values else None)
        value = lowered.get("value", values[1] if len(values) > 1 else None)
        if key is not None:
            props[str(key).lower()] = value
    return props


def capped(
    ctx: OperationContext, rows: list[T], what: str, narrower: str, *, order: str = "by name"
) -> list[T]:
    """Apply the 200-row cap, warning in the engine log when the result was truncated
    (``order`` says how the kept rows were chosen)."""
    if len(rows) > ROW_CAP:
        ctx.log.warning(
            f"{what}: more than {ROW_CAP} rows exist; only the first {ROW_CAP} ({order}) are "
            f"returned. Narrow the lookup ({narrower}) to see the rest."
        )
        return rows[:ROW_CAP]
    return rows


def exactly_one(rows: Sequence[T], what: str) -> T:
    """The single row of a singular lookup: not-found and multiple-match are errors."""
    if not rows:
        raise NotFoundError("02000", f"{what} not found")
    if len(rows) > 1:
        raise ValidationError(
            [CheckFailure("", f"{what} matched {len(rows)} objects; expected one")]
        )
    return rows[0]


def import_command(token: str, resource_name: str, resource_id: str) -> str:
    """The shell-safe ``pulumi import`` line adopting an existing object."""
    return pulumi_import(token, resource_name, resource_id)


def first_or_none(rows: list[T]) -> T | None:
    return rows[0] if rows else None


def describe_state(keys: Sequence[str]) -> Callable[[Row | None], str]:
    """How a wait describes the last row it saw: ``status='provisioning', ...``."""

    def describe(row: Row | None) -> str:
        if row is None:
            return "not present yet"
        return ", ".join(f"{k}={row.get(k)!r}" for k in keys)

    return describe


#: reads one object's catalog row (None: not there)
RowLookup = Callable[[], Awaitable[Row | None]]


async def wait_for_row(
    ctx: OperationContext, lookup: RowLookup, what: str, *, backoff: Backoff = CATALOG_POLL
) -> Row:
    """Poll ``lookup`` until the object's catalog row exists (done when the catalog says
    so); the first poll is immediate, so a ready object costs one request."""
    row = await _poll(ctx, lookup, f"{what} to appear in the catalog", True, backoff=backoff)
    assert row is not None
    return row


async def wait_for_no_row(
    ctx: OperationContext,
    lookup: Callable[[], Awaitable[Row | None]],
    what: str,
    *,
    timeout: float = CATALOG_TIMEOUT,
    backoff: Backoff = CATALOG_POLL,
    describe: Callable[[Row | None], str] = repr,
) -> None:
    """Poll ``lookup`` until the object's catalog row is gone (deletes confirm absence);
    ``timeout`` applies unless customTimeouts sets one."""
    await _poll(
        ctx,
        lookup,
        f"{what} to disappear",
        False,
        timeout=timeout,
        backoff=backoff,
        describe=describe,
    )


async def _poll(
    ctx: OperationContext, lookup: RowLookup, what: str, present: bool, **options: Any
) -> Row | None:
    """Poll until the row is there (``present``) or gone, within the step's deadline (else
    ``options["timeout"]``); other ``options`` go to :func:`wait_until`."""
    options["timeout"] = ctx.timeout or options.get("timeout", CATALOG_TIMEOUT)
    done: Callable[[Row | None], bool] = lambda r: (r is not None) == present  # noqa: E731
    return await wait_until(lookup, done, clock=ctx.clock, what=what, log=ctx.log, **options)


async def read_until_answered(
    ctx: OperationContext,
    read: Callable[[], Awaitable[T]],
    what: str,
    *,
    timeout: float = CATALOG_TIMEOUT,
    last_look_on_cancel: bool = False,
) -> T:
    """Repeat a read-only ``read`` after transient errors until it answers, within the step's
    deadline (``ctx.timeout``, else ``timeout``). With ``last_look_on_cancel``, a cancel gets
    one more immediate try, so that something which applied is still seen."""
    try:
        return await wait_until(
            read,
            lambda _: True,
            clock=ctx.clock,
            timeout=ctx.timeout or timeout,
            what=what,
            log=ctx.log,
        )
    except OperationCancelledError:
        if not last_look_on_cancel:
            raise
        return await read()


#: what stops a step after its write applied, other than the object failing (which each kind
#: handles first): the object is then kept and recorded (partial state), never forgotten
UNFINISHED = (DeltaStreamError,)


def left_in_place(
    exc: BaseException, what: str, resource_id: str, outputs: object
) -> IncompleteError:
    """The partial failure of a step that created ``what`` but could not finish."""
    reason = str(exc).rstrip()
    reason += "" if reason.endswith(".") else "."
    return IncompleteError(
        f"{what} was created, but the step could not finish: {reason} It is recorded in the "
        "stack as not fully initialized: run `pulumi up` again to finish it (or "
        "`pulumi destroy` to remove it).",
        resource_id=resource_id,
        outputs=outputs,
    )


async def run_settled(
    ctx: OperationContext,
    statement: Statement,
    context: StatementContext,
    *,
    lookup: Callable[[], Awaitable[Row | None]],
    applied: Callable[[Row | None], bool],
    what: str,
) -> ResultSet:
    """Run a WRITE whose effect ``lookup`` shows (``applied(row)``), never twice.

    The runner settles a lost answer with the statement's effect probe; when that probe fails
    too (``AmbiguousOutcomeError``), the lookup is repeated here until it answers (transient
    errors included) within the step's deadline: applied → reconciled; not applied → the
    statement is sent once more (it provably did not run).
    """
    runner = ctx.require_runner()
    try:
        return await runner.run(statement, context)
    except AmbiguousOutcomeError as lost:
        try:
            row = await read_until_answered(
                ctx, lookup, f"DeltaStream to show whether {what} applied", last_look_on_cancel=True
            )
        except (TimeoutError_, TransientError, OperationCancelledError) as exc:
            removes = applied(None)  # absence means applied: a drop
            next_step = (
                "Nothing changed in the stack. Run the operation again: deleting an object "
                "that is already gone succeeds."
                if removes
                else "Nothing was recorded. Run `pulumi up` again: if it ran, the step stops "
                "with 'already exists' and prints the `pulumi import` command that adopts it."
            )
            raise TimeoutError_(
                f"the answer to the statement for {what} was lost and DeltaStream could not be "
                f"read to check whether it ran ({exc}). {next_step}"
            ) from lost
        if applied(row):
            ctx.log.info(f"{what}: the answer was lost, but DeltaStream shows it applied")
            return ResultSet(reconciled=True)
        return await runner.run(statement, context)


async def run_idempotent(
    ctx: OperationContext, statement: Statement, context: StatementContext
) -> ResultSet:
    """Run a WRITE that sets values (``UPDATE STORE … WITH``): after a lost answer it is sent
    once more, since applying it twice has the effect of applying it once."""
    runner = ctx.require_runner()
    try:
        return await runner.run(statement, context)
    except AmbiguousOutcomeError:
        ctx.log.info("the answer to an update was lost; sending it again (it sets values)")
        return await runner.run(statement, context)
