"""Query: ``deltastream:index:Query`` (a continuous ``INSERT INTO … SELECT``) and its lookups.

Queries are immutable (docs/reference/requirements.md#fr-020, #fr-023, #fr-024): Check refuses a
changed body, sink or sources
at preview with a short diff and the way out (declare a new Query, remove the old one); a
whitespace-only edit is no change. Only the owner changes in place.

The query lifecycle (start, wait for ``running``, terminate) is shared with
:mod:`deltastream_plugins.application`, whose applications are queries too. Starting one is
never done twice: see :func:`start_query` and docs/reference/query-reconciliation.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import attrs

from deltastream_core import hookimpl
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
    CheckResult,
    Function,
    OperationContext,
    ReadResult,
    ResourceKind,
)
from deltastream_core.model import output, prop
from deltastream_core.ports import EffectProbe, ResultSet, Statement
from deltastream_core.registry import Registry
from deltastream_core.sql import quote_identifier, quote_literal
from deltastream_core.unknown import is_known
from deltastream_core.waiting import wait_until
from deltastream_plugins._common import (
    CAPPED_LIMIT,
    CATALOG_TIMEOUT,
    UNFINISHED,
    capped,
    check_name,
    describe_state,
    exactly_one,
    first_or_none,
    import_command,
    left_in_place,
    rfc3339,
    run_settled,
    select,
)
from deltastream_plugins._plans import (
    POLL,
    Plan,
    body_diff,
    compare_relations,
    describe,
    describe_for_check,
    describe_properties,
    fqn_key,
    fqn_problem,
    fqn_set_key,
    fqns_problem,
    known_str,
    normalize_sql,
    parse_fqn,
    sql_problem,
    unchanged,
)

TOKEN = "deltastream:index:Query"
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


_SOURCES = (
    'Relations the query reads, as "database"."namespace"."name" (e.g. the fqn outputs of '
    "DeltaStreamObjects). Must equal the sources of the sql's plan; order does not matter."
)
_SINK = (
    'The relation the query writes to, as "database"."namespace"."name". Must equal the sink of '
    "the sql's plan."
)
_SQL = (
    "The INSERT INTO … SELECT statement. Immutable: a changed body is refused at preview; declare "
    "a new Query instead. Whitespace-only edits are not changes."
)
_OWNER = (
    "Role that owns the query. The query is started as this role; a change is applied in place "
    "with ALTER QUERY … OWNER TO."
)
_LEGACY_SINKS = (
    "Deprecated: use sinkRelationFqn. Accepted for compatibility with older programs; it must "
    "hold exactly one relation."
)


@attrs.frozen
class QueryInputs:
    source_relation_fqns: list[str] = prop(
        _SOURCES, replace=True, normalize=fqn_set_key, check=fqns_problem
    )
    sink_relation_fqn: str = prop(_SINK, replace=True, normalize=fqn_key, check=fqn_problem)
    sql: str = prop(_SQL, replace=True, normalize=normalize_sql, check=sql_problem)
    owner: str | None = prop(_OWNER, default=None, check=check_name, keep_when_absent=True)
    sink_relation_fqns: list[str] | None = prop(
        _LEGACY_SINKS, default=None, deprecated=_LEGACY_SINKS
    )


@attrs.frozen
class QueryOutputs(QueryInputs):
    """What DeltaStream reports: the inputs, and what it computes."""

    query_id: str | None = output("System-generated query identifier (the resource id).")
    query_name: str | None = output("Name of the query, when DeltaStream gives it one.")
    query_version: int | None = output("Version of the query.")
    state: str | None = output(
        "Lifecycle state of the query (starting|running|terminate_requested|terminated|errored)."
    )
    created_at: str | None = output("When the query was created (RFC 3339).")
    updated_at: str | None = output("When the query last changed (RFC 3339).")


# -- the shared query lifecycle ----------------------------------------------------------------

_QUERY_COLUMNS = (
    'id, name, "version", intended_state, current_state, "owner", created_at, updated_at'
)
_PLAIN_ID = re.compile(r"[0-9A-Za-z_-]+")


def query_ref(query_id: str) -> str:
    """How a statement names a query: bare (as the service expects ids), quoted otherwise."""
    return query_id if _PLAIN_ID.fullmatch(query_id) else quote_identifier(query_id)


def lookup_sql(query_id: str) -> str:
    return (
        f'SELECT {_QUERY_COLUMNS} FROM deltastream.sys."queries" '
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

    before, live = await wait_until(  # reads only: repeated after transient errors
        baseline,
        lambda _: True,
        clock=ctx.clock,
        timeout=ctx.timeout or CATALOG_TIMEOUT,
        what=f"{start.what}: the list of queries",
        log=ctx.log,
    )
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
        try:
            new = await wait_until(
                started_since,
                lambda _: True,
                clock=ctx.clock,
                timeout=ctx.timeout or CATALOG_TIMEOUT,
                what=f"{start.what}: the list of queries, to see whether the query started",
                log=ctx.log,
            )
        except OperationCancelledError:
            new = await started_since()  # one last look (no waiting), so the id is kept
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


# -- the resource kind ---------------------------------------------------------------------------


def query_plan_failures(plan: Plan, news: Mapping[str, Any]) -> list[CheckFailure]:
    """The plan must be an INSERT INTO whose sink and sources are the declared ones."""
    if plan.kind != "INSERT_INTO":
        return [
            CheckFailure(
                "sql",
                f"must be an INSERT INTO … SELECT statement, but DeltaStream plans it as "
                f"{plan.kind}"
                + (
                    " (use the Application resource for BEGIN APPLICATION)"
                    if plan.kind == "APPLICATION"
                    else ""
                ),
            )
        ]
    failures: list[CheckFailure] = []
    sink = known_str(news.get("sinkRelationFqn"))
    if plan.sink is None:
        failures.append(CheckFailure("sql", "DESCRIBE returned an INSERT INTO plan without a sink"))
    elif sink is not None and parse_fqn(sink) not in (None, plan.sink.path):
        failures.append(
            CheckFailure(
                "sinkRelationFqn",
                f"is {sink} but the sql inserts into {plan.sink.fqn}; make them agree",
            )
        )
    failures.extend(
        compare_relations(
            "sourceRelationFqns", news.get("sourceRelationFqns"), plan.sources, role="reads from"
        )
    )
    return failures


def _fold_legacy_sink(ctx: OperationContext, news: Mapping[str, Any]) -> dict[str, Any]:
    """Accept the official provider's legacy ``sinkRelationFqns`` (one element) with a warning.

    Its one element becomes ``sinkRelationFqn``; the legacy key itself is dropped from the
    checked inputs once folded, so state and diffs only ever see ``sinkRelationFqn``.
    """
    news = dict(news)
    legacy = news.get("sinkRelationFqns")
    if legacy is None:
        return news
    ctx.log.warning(
        f"{TOKEN} {ctx.resource_name}: sinkRelationFqns is deprecated; use sinkRelationFqn "
        "(one relation) instead."
    )
    if isinstance(legacy, list) and len(legacy) == 1:
        if news.get("sinkRelationFqn") in (None, ""):
            news["sinkRelationFqn"] = legacy[0]
        if is_known(legacy) and fqn_key(news.get("sinkRelationFqn")) == fqn_key(legacy[0]):
            del news["sinkRelationFqns"]
    return news


class QueryKind(ResourceKind[QueryInputs, QueryOutputs]):
    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "A continuous query (INSERT INTO … SELECT …) streaming from source relations into a "
        "sink relation. Immutable: a changed body is refused at preview. Create waits until "
        "the query is running. Import with the query id."
    )
    inputs = QueryInputs
    outputs = QueryOutputs
    #: DeltaStream may leave these null; optional in the official schema too
    optional_outputs: ClassVar[tuple[str, ...]] = ("queryName", "queryVersion")

    def diff_warnings(self, old_outputs: Mapping[str, Any], urn: str) -> list[str]:
        return errored_plan_warnings(old_outputs, urn, "queryId")

    def resource_id(self, outputs: QueryOutputs) -> str:
        return outputs.query_id or ""

    async def check(
        self, ctx: OperationContext, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> CheckResult:
        news = _fold_legacy_sink(ctx, news)
        base = await super().check(ctx, olds, news)
        failures = list(base.failures)
        legacy = news.get("sinkRelationFqns")
        if isinstance(legacy, list) and len(legacy) != 1:
            failures.append(
                CheckFailure(
                    "sinkRelationFqns",
                    f"holds {len(legacy)} relations; a Query writes to exactly one. Use "
                    "sinkRelationFqn (or the Application resource for several sinks).",
                )
            )
        elif (
            isinstance(legacy, list) and is_known(legacy) and is_known(news.get("sinkRelationFqn"))
        ):
            failures.append(
                CheckFailure(
                    "sinkRelationFqns",
                    f"(deprecated) names {legacy[0]} but sinkRelationFqn is "
                    f"{news.get('sinkRelationFqn')}; keep only sinkRelationFqn",
                )
            )
        keys = ("sinkRelationFqn",)
        failures.extend(immutability_failures("Query", olds, news, keys))
        if failures or unchanged(olds, news, ("sql", "sinkRelationFqn", "sourceRelationFqns")):
            return CheckResult(inputs=base.inputs, failures=tuple(failures))
        sql = known_str(news.get("sql"))
        if sql is None:
            return base  # unknown body: nothing to plan yet
        context = ctx.as_role(known_str(news.get("owner")))
        outcome = await describe_for_check(ctx, sql, context, f"{TOKEN} {ctx.resource_name}")
        failures.extend(outcome.failures)
        if outcome.plan is not None:
            failures.extend(query_plan_failures(outcome.plan, news))
        return CheckResult(inputs=base.inputs, failures=tuple(failures))

    async def create(self, ctx: OperationContext, args: QueryInputs) -> QueryOutputs:
        what = f"Query {ctx.resource_name}".strip()
        start = QueryStart(args.sql, args.owner, what, TOKEN, [args.sink_relation_fqn])
        return await start_query(ctx, start, lambda row: _outputs(args, row))

    async def read(
        self, ctx: OperationContext, resource_id: str, state: QueryOutputs | None
    ) -> ReadResult[QueryInputs, QueryOutputs] | None:
        row = await lookup(ctx, resource_id)
        if row is None or state_of(row) == "terminated":
            return None  # gone, or stopped for good: the next update starts it again
        what = f"Query {ctx.resource_name}".strip()
        if state_of(row) == ERRORED:
            warn_if_errored(ctx, row, what, await query_error(ctx, resource_id))
        if state is not None:
            args = QueryInputs(
                list(state.source_relation_fqns),
                state.sink_relation_fqn,
                state.sql,
                row.get("owner") or state.owner,
            )
        else:  # import: the body from DeltaStream, sink and sources from its plan
            args = await _imported_inputs(ctx, resource_id, row)
        return ReadResult(resource_id, _outputs(args, row), args)

    async def update(
        self, ctx: OperationContext, resource_id: str, olds: QueryOutputs, news: QueryInputs
    ) -> QueryOutputs:
        await change_owner(ctx, resource_id, olds.owner, news.owner)
        row = await lookup(ctx, resource_id)
        if row is None:
            raise NotFoundError("3D019", f"query {resource_id} disappeared during update")
        if state_of(row) == STARTING:  # a start left unfinished (partial state) ends here
            what = f"Query {ctx.resource_name}".strip()
            return await finish_start(
                ctx, resource_id, what, lambda r: _outputs(news, r), created=False
            )
        return _outputs(news, row)

    async def delete(self, ctx: OperationContext, resource_id: str, state: QueryOutputs) -> None:
        await terminate(ctx, resource_id, f"Query {ctx.resource_name}".strip())


def _outputs(args: QueryInputs, row: Mapping[str, Any]) -> QueryOutputs:
    return QueryOutputs(
        source_relation_fqns=list(args.source_relation_fqns),
        sink_relation_fqn=args.sink_relation_fqn,
        sql=args.sql,
        owner=row.get("owner") or args.owner,
        query_id=str(row["id"]),
        query_name=row.get("name"),
        query_version=row.get("version"),
        state=row.get("current_state"),
        created_at=rfc3339(row.get("created_at")),
        updated_at=rfc3339(row.get("updated_at")),
    )


async def query_sql(ctx: OperationContext, query_id: str) -> str:
    """The statement a query runs (``DESCRIBE QUERY``'s ``sql`` property), for import."""
    props = await describe_properties(ctx, f"DESCRIBE QUERY {query_ref(query_id)};")
    sql = props.get("sql") or props.get("query") or props.get("statement")
    if not sql:
        raise ValidationError(
            [CheckFailure("id", f"DeltaStream does not report the statement of query {query_id}")]
        )
    return str(sql)


async def _imported_inputs(
    ctx: OperationContext, query_id: str, row: Mapping[str, Any]
) -> QueryInputs:
    sql = await query_sql(ctx, query_id)
    plan = await describe(ctx, sql, ctx.base)
    sink = plan.sink.fqn if plan.sink is not None else ""
    sources = [r.fqn for r in plan.sources]
    return QueryInputs(sources, sink, sql, row.get("owner"))


# -- lookups --------------------------------------------------------------------------------------


@attrs.frozen
class GetQueryArgs:
    query_id: str = prop("The query id (the Query resource's queryId / id).", check=check_name)


@attrs.frozen
class GetQueryResult:
    TYPE_TOKEN: ClassVar[str] = "deltastream:index:GetQueryResult"
    query_id: str = output("The query id.")
    query_name: str | None = output("Name of the query, when it has one.")
    query_version: int | None = output("Version of the query.")
    state: str = output("Current state (starting|running|terminate_requested|terminated|errored).")
    intended_state: str | None = output("The state DeltaStream is driving the query to.")
    owner: str = output("The role that owns the query.")
    created_at: str = output("When the query was created (RFC 3339).")
    updated_at: str = output("When the query last changed (RFC 3339).")


@attrs.frozen
class GetQueriesArgs:
    state: str | None = prop(
        "Only queries in this current state (e.g. running or errored).", default=None
    )
    owner: str | None = prop("Only queries owned by this role.", default=None, check=check_name)


@attrs.frozen
class GetQueriesResult:
    queries: list[GetQueryResult] = output(
        "The queries, oldest first (ties by id); at most 200 (a warning says when more exist).",
        default=attrs.Factory(list),
    )


def _query_result(row: Mapping[str, Any]) -> GetQueryResult:
    return GetQueryResult(
        query_id=str(row["id"]),
        query_name=row.get("name"),
        query_version=row.get("version"),
        state=str(row.get("current_state") or ""),
        intended_state=row.get("intended_state"),
        owner=str(row.get("owner") or ""),
        created_at=rfc3339(row.get("created_at")) or "",
        updated_at=rfc3339(row.get("updated_at")) or "",
    )


class GetQuery(Function[GetQueryArgs, GetQueryResult]):
    token: ClassVar[str] = "deltastream:index:getQuery"
    description: ClassVar[str] = "Look up one continuous query (or application) by its id."
    args = GetQueryArgs
    result = GetQueryResult

    async def invoke(self, ctx: OperationContext, args: GetQueryArgs) -> GetQueryResult:
        rows = await select(ctx, lookup_sql(args.query_id))
        return _query_result(exactly_one(rows, f"query {args.query_id!r}"))


class GetQueries(Function[GetQueriesArgs, GetQueriesResult]):
    token: ClassVar[str] = "deltastream:index:getQueries"
    description: ClassVar[str] = (
        "List continuous queries and applications, optionally by state and owner, oldest first, "
        "at most 200 (with a warning when there are more)."
    )
    args = GetQueriesArgs
    result = GetQueriesResult

    async def invoke(self, ctx: OperationContext, args: GetQueriesArgs) -> GetQueriesResult:
        filters = []
        if args.state:
            filters.append(f"current_state = {quote_literal(args.state)}")
        if args.owner:
            filters.append(f'"owner" = {quote_literal(args.owner)}')
        where = f" WHERE {' AND '.join(filters)}" if filters else ""
        sql = (
            f'SELECT {_QUERY_COLUMNS} FROM deltastream.sys."queries"{where} '
            f"ORDER BY created_at, id LIMIT {CAPPED_LIMIT};"
        )
        rows = await select(ctx, sql)
        given = (("state", args.state), ("owner", args.owner))
        shown = ", ".join(f"{k}={v!r}" for k, v in given if v)
        rows = capped(
            ctx, rows, f"getQueries({shown})", "filter by state or owner", order="oldest first"
        )
        return GetQueriesResult([_query_result(r) for r in rows])


@hookimpl
def deltastream_register_resource_kinds(registry: Registry) -> None:
    registry.add_kind(QueryKind())


@hookimpl
def deltastream_register_functions(registry: Registry) -> None:
    registry.add_function(GetQuery())
    registry.add_function(GetQueries())
