"""The query lifecycle a Query and an Application share: starting a query exactly once
(adopting what a lost answer started, refusing an unknown identical one), waiting until it
runs, terminating it, changing its owner, and the plan checks that keep it immutable."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from deltastream_core.commands import pulumi_up_replace
from deltastream_core.errors import (
    AmbiguousOutcomeError,
    DeltaStreamError,
    DuplicateQueryError,
    NotFoundError,
    ObjectFailedError,
    OperationCancelledError,
    StatementError,
    TimeoutError_,
    TransientError,
    ValidationError,
)
from deltastream_core.kinds import (
    CheckFailure,
    OperationContext,
)
from deltastream_core.ports import EffectProbe, ResultSet, Statement
from deltastream_core.rows import read_until_answered
from deltastream_core.sql import quote_identifier, quote_literal
from deltastream_core.unknown import is_known
from deltastream_core.waiting import wait_until
from deltastream_plugins._common import (
    UNFINISHED,
    describe_state,
    first_or_none,
    import_command,
    left_in_place,
    run_settled,
    select,
)
from deltastream_plugins._plans import (
    POLL,
    body_diff,
    describe_properties,
    fqn_key,
    fqn_set_key,
    known_str,
    normalize_sql,
)

START_TIMEOUT = 600.0


STOP_TIMEOUT = 300.0


STARTING = "starting"


RUNNING = "running"


ERRORED = "errored"


STOPPED = frozenset({"terminated", "terminate_requested"})


#: states of a query that processes (or is about to process) data
LIVE = frozenset({STARTING, RUNNING})


S = TypeVar("S")


def state_of(row: dict[str, Any] | None) -> str:
    """A query row's ``current_state``, lower-case; ``""`` without a row or a state."""
    return str((row or {}).get("current_state") or "").lower()


QUERY_COLUMNS = (
    'id, name, "version", intended_state, current_state, "owner", created_at, updated_at'
)


_PLAIN_ID = re.compile(r"[0-9A-Za-z_-]+")


def query_ref(query_id: str) -> str:
    """How a statement names a query: bare (as the service expects ids), quoted otherwise."""
    return query_id if _PLAIN_ID.fullmatch(query_id) else quote_identifier(query_id)


def lookup_sql(query_id: str) -> str:
    return (
        f'SELECT {QUERY_COLUMNS} FROM deltastream.sys."queries" '
        f"WHERE id = {quote_literal(query_id)};"
    )


async def lookup(ctx: OperationContext, query_id: str) -> dict[str, Any] | None:
    """The query's ``sys.queries`` row; None when it does not exist."""
    try:
        return first_or_none(await select(ctx, lookup_sql(query_id)))
    except NotFoundError:
        return None


def query_id_of(result: ResultSet) -> str | None:
    """The query id: ``name`` of the first artifact row whose ``type`` is ``query``
    (docs/reference/deltastream-sql.md#artifact-rows)."""
    for record in result.records():
        if record.get("type") == "query" and record.get("name"):
            return str(record["name"])
    return None


async def query_error(ctx: OperationContext, query_id: str) -> str:
    """The query's error text from ``DESCRIBE QUERY`` (property/value rows), best effort."""
    try:
        props = await describe_properties(ctx, f"DESCRIBE QUERY {query_ref(query_id)};")
    except DeltaStreamError as exc:
        return f"(its error could not be read: {exc})"
    for key in ("error", "errors", "error_message", "message", "messages"):
        if props.get(key):
            return str(props[key])
    return "(DeltaStream gave no error message)"


@attrs.frozen
class QueryStart:
    """What starting a query needs besides its statement: who starts it, how messages and the
    import command name it, which sinks it writes (to recognise it in ``LIST QUERIES``)."""

    sql: str
    owner: str | None
    what: str
    token: str
    sinks: Sequence[str]


async def _identical(ctx: OperationContext, start: QueryStart) -> list[dict[str, Any]]:
    """``LIST QUERIES`` rows running the same statement (normalised) as ``start``."""
    key = normalize_sql(start.sql)
    rows = await select(ctx, "LIST QUERIES;", ctx.as_role(start.owner))
    return [r for r in rows if normalize_sql(str(r.get("Query") or "")) == key and r.get("ID")]


async def _same_sinks(ctx: OperationContext, query_id: str, sinks: Sequence[str]) -> bool:
    """Whether the query writes ``sinks``, when ``DESCRIBE QUERY`` reports its sinks; the
    statement names them, so an equal statement in the same context has the same ones."""
    try:
        props = await describe_properties(ctx, f"DESCRIBE QUERY {query_ref(query_id)};")
    except NotFoundError:
        return False
    try:
        reported = json.loads(props.get("sinks") or "null")
    except (TypeError, ValueError):
        return True
    if not isinstance(reported, list):
        return True
    return bool(fqn_set_key([str(r) for r in reported]) == fqn_set_key(list(sinks)))


async def _matching(
    ctx: OperationContext, start: QueryStart, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    return [r for r in rows if await _same_sinks(ctx, str(r["ID"]), start.sinks)]


def _state(row: Mapping[str, Any]) -> str:
    return str(row.get("ActualState") or "").lower()


async def start_query(
    ctx: OperationContext, start: QueryStart, outputs_of: Callable[[dict[str, Any]], S]
) -> S:
    """Start the query once, wait until it is ``running`` and return its outputs.

    * An identical live query (same statement, same sinks) that the stack does not know
      stops the create with the ``pulumi import`` command that adopts it: a second one would
      write every row twice.
    * A lost answer is settled by ``LIST QUERIES``: the one identical query that was not
      there before the statement was sent is the one it started, and is adopted.
    * A query that errors or stops while starting is terminated (atomic create); a wait that
      cannot end keeps it recorded as a partial failure (``IncompleteError``).
    """

    # built first: a statement with more after it is refused before anything is sent
    statement = Statement(start.sql)

    async def baseline() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        before = await _identical(ctx, start)
        return before, await _matching(ctx, start, [r for r in before if _state(r) in LIVE])

    before, live = await read_until_answered(ctx, baseline, f"{start.what}: the list of queries")
    if live:
        query_id = str(live[0]["ID"])
        raise DuplicateQueryError(
            f"{start.what}: query {query_id} ({_state(live[0])}) already runs this statement "
            f"into {', '.join(start.sinks)}, but the stack has no record of it (an earlier "
            "`pulumi up` was probably interrupted after starting it). A second one would write "
            "every row twice, so none was started.",
            query_id=query_id,
            import_command=import_command(start.token, ctx.resource_name, query_id),
        )
    known = {str(r["ID"]) for r in before}
    try:
        result = await ctx.require_runner().run(statement, ctx.as_role(start.owner))
    except AmbiguousOutcomeError:
        query_id = await _started_by(ctx, start, known, LOST)
    else:
        query_id = query_id_of(result) or await _started_by(ctx, start, known, NO_ARTIFACT)
    return await finish_start(ctx, query_id, start.what, outputs_of, created=True)


LOST = "the answer to the statement that starts the query was lost"


NO_ARTIFACT = "DeltaStream's answer to the statement that starts the query named no query"


async def _started_by(ctx: OperationContext, start: QueryStart, known: set[str], why: str) -> str:
    """The query that a statement started when ``why`` its answer does not tell (lost, or no
    artifact row): the identical one that was not listed before it was sent. None started →
    nothing to clean up; say so."""

    async def started_since() -> list[dict[str, Any]]:
        rows = await _identical(ctx, start)
        return await _matching(ctx, start, [r for r in rows if str(r["ID"]) not in known])

    try:
        new = await read_until_answered(
            ctx,
            started_since,
            f"{start.what}: the list of queries, to see whether the query started",
            last_look_on_cancel=True,  # so the id of a query that did start is kept
        )
    except (TimeoutError_, TransientError, OperationCancelledError) as exc:
        raise TimeoutError_(
            f"{start.what}: {why}, and DeltaStream could not be asked whether it started "
            f"({exc}). Nothing was recorded. Run `pulumi up` again: if the query started, the "
            "create stops and prints the `pulumi import` command that adopts it; it never "
            "starts a second one."
        ) from exc
    if len(new) == 1:
        query_id = str(new[0]["ID"])
        ctx.log.info(f"{start.what}: {why}, but it started query {query_id}; adopting it")
        return query_id
    if not new:
        raise TransientError(
            f"{start.what}: {why}; DeltaStream lists no query started by it, so it did not "
            "start and nothing was left behind. Run `pulumi up` again."
        )
    ids = ", ".join(str(r["ID"]) for r in new)
    raise DuplicateQueryError(
        f"{start.what}: {why}, and since it was sent queries {ids} started with this same "
        "statement; which one it started cannot be told. Adopt one and terminate the others "
        "(TERMINATE QUERY <id>;).",
        query_id=str(new[0]["ID"]),
        import_command=import_command(start.token, ctx.resource_name, str(new[0]["ID"])),
    )


async def finish_start(
    ctx: OperationContext,
    query_id: str,
    what: str,
    outputs_of: Callable[[dict[str, Any]], S],
    *,
    created: bool,
) -> S:
    """Wait until the query runs. A query that errors or stops is terminated when it was just
    ``created`` (atomic); one that cannot be waited for, or terminated, is kept recorded."""
    try:
        return outputs_of(await wait_running(ctx, query_id, what))
    except ObjectFailedError as failed:
        partial = outputs_of({"id": query_id, "current_state": ERRORED})
        if not created:
            failed.resource_id, failed.outputs = query_id, partial
            raise
        try:
            await terminate(ctx, query_id, what)
        except DeltaStreamError as exc:
            raise ObjectFailedError(
                f"{failed} Terminating it failed too ({exc}), so it is kept in the stack: run "
                "`pulumi up` again, or `pulumi destroy` to terminate it.",
                resource_id=query_id,
                outputs=partial,
            ) from exc
        raise ObjectFailedError(f"{failed} It was terminated.") from failed
    except UNFINISHED as exc:
        partial = outputs_of({"id": query_id})
        raise left_in_place(exc, f"{what}: query {query_id}", query_id, partial) from exc


async def wait_running(ctx: OperationContext, query_id: str, what: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        row = await lookup(ctx, query_id)
        state = state_of(row)
        if state == ERRORED:
            error = await query_error(ctx, query_id)
            raise ObjectFailedError(
                f"{what}: query {query_id} errored while starting: {error}. Fix the cause (e.g. "
                "its sources and sink exist and match the SELECT) and run the update again."
            )
        if state in STOPPED:
            raise ObjectFailedError(
                f"{what}: query {query_id} was {state} before it started running."
            )
        return row

    row = await wait_until(
        probe,
        lambda r: r is not None and state_of(r) == RUNNING,
        clock=ctx.clock,
        timeout=ctx.timeout or START_TIMEOUT,
        what=f"query {query_id} to be {RUNNING}",
        describe=describe_state(["current_state"]),
        log=ctx.log,
        backoff=POLL,
    )
    assert row is not None
    return row


async def terminate(ctx: OperationContext, query_id: str, what: str) -> None:
    """TERMINATE the query and wait until it is terminated or gone; gone is success."""
    row = await lookup(ctx, query_id)
    if row is None or state_of(row) == "terminated":
        return
    if state_of(row) != "terminate_requested":
        stopped = EffectProbe(
            Statement.read(
                f'SELECT id FROM deltastream.sys."queries" WHERE id = {quote_literal(query_id)} '
                "AND current_state IN ('terminate_requested', 'terminated');"
            )
        )
        try:
            await run_settled(
                ctx,
                Statement(f"TERMINATE QUERY {query_ref(query_id)};", probe=stopped),
                ctx.base,
                lookup=lambda: lookup(ctx, query_id),
                applied=lambda row: row is None or state_of(row) in STOPPED,
                what=f"the termination of query {query_id}",
            )
        except NotFoundError:
            return
        except StatementError:
            # a query that stopped between the lookup and TERMINATE is refused; that is fine
            row = await lookup(ctx, query_id)
            if row is not None and state_of(row) not in STOPPED:
                raise
    await wait_until(
        lambda: lookup(ctx, query_id),
        lambda r: r is None or state_of(r) == "terminated",
        clock=ctx.clock,
        timeout=ctx.timeout or STOP_TIMEOUT,
        what=f"{what}: query {query_id} to terminate",
        describe=describe_state(["current_state"]),
        log=ctx.log,
        backoff=POLL,
    )


async def change_owner(
    ctx: OperationContext, query_id: str, old_owner: str | None, new_owner: str | None
) -> None:
    if new_owner and new_owner != old_owner:
        sql = f"ALTER QUERY {query_ref(query_id)} OWNER TO {quote_identifier(new_owner)};"
        owned = EffectProbe(  # settles a lost answer: the owner is the new one
            Statement.read(
                f'SELECT id FROM deltastream.sys."queries" WHERE id = {quote_literal(query_id)} '
                f'AND "owner" = {quote_literal(new_owner)};'
            )
        )
        await ctx.require_runner().run(Statement(sql, probe=owned), ctx.as_role(old_owner))


def errored_plan_warnings(old_outputs: Mapping[str, Any], urn: str, id_key: str) -> list[str]:
    """What every ``up`` says about a query that the last refresh found errored."""
    if str(old_outputs.get("state") or "").lower() != ERRORED:
        return []
    return [
        f"query {old_outputs.get(id_key)} was errored at the last refresh and processes no "
        f"data; nothing in the program changed, so this update leaves it as it is. Fix the "
        f"cause, then restart it with: {pulumi_up_replace(urn)}"
    ]


def warn_if_errored(ctx: OperationContext, row: Mapping[str, Any], what: str, error: str) -> None:
    """Refresh shows an errored query as it is, and says what to do about it."""
    command = pulumi_up_replace(ctx.urn) if ctx.urn else "pulumi up --replace <its URN>"
    ctx.log.warning(
        f"{what}: query {row.get('id')} is errored and processes no data: {error}. "
        f"Fix the cause, then recreate it: {command}"
    )


def immutability_failures(
    token_label: str,
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    sink_keys: tuple[str, ...],
) -> list[CheckFailure]:
    """docs/reference/requirements.md#fr-020, #fr-024: a changed body, sink or sources is refused,
    with a diff and a way out.

    Compared only where both old and new values are known; ``olds`` is empty for creates and
    replacements, which are therefore never refused here.
    """
    advice = (
        f"{token_label} resources are immutable. To change it, declare a new {token_label} "
        "resource (under a new name) with the new definition and remove this one; Pulumi then "
        "starts the new one and terminates the old one."
    )
    failures: list[CheckFailure] = []
    old_sql, new_sql = known_str(olds.get("sql")), known_str(news.get("sql"))
    if old_sql and new_sql and normalize_sql(old_sql) != normalize_sql(new_sql):
        failures.append(
            CheckFailure(
                "sql",
                f"the {token_label} body changed, but a running {token_label.lower()} cannot "
                f"be altered. {advice}\n{body_diff(old_sql, new_sql)}",
            )
        )
    for key in ("sourceRelationFqns", *sink_keys):
        old, new = olds.get(key), news.get(key)
        if old in (None, "", []) or not is_known(old) or new is None or not is_known(new):
            continue
        if _compared(old) != _compared(new):
            failures.append(
                CheckFailure(key, f"changed from {_listed(old)} to {_listed(new)}. {advice}")
            )
    return failures


def _compared(value: Any) -> Any:
    return fqn_set_key(value) if isinstance(value, list) else fqn_key(value)


def _listed(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


async def query_sql(ctx: OperationContext, query_id: str) -> str:
    """The statement a query runs (``DESCRIBE QUERY``'s ``sql`` property), for import."""
    props = await describe_properties(ctx, f"DESCRIBE QUERY {query_ref(query_id)};")
    sql = props.get("sql") or props.get("query") or props.get("statement")
    if not sql:
        raise ValidationError(
            [CheckFailure("id", f"DeltaStream does not report the statement of query {query_id}")]
        )
    return str(sql)
