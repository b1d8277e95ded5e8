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

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from deltastream_core import registering
from deltastream_core.errors import (
    NotFoundError,
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
from deltastream_core.sql import quote_literal
from deltastream_core.unknown import is_known
from deltastream_plugins._common import (
    CAPPED_LIMIT,
    capped,
    check_name,
    exactly_one,
    rfc3339,
    select,
)
from deltastream_plugins._plans import (
    Plan,
    compare_relations,
    describe,
    describe_for_check,
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
from deltastream_plugins.query_lifecycle import (
    ERRORED,
    QUERY_COLUMNS,
    STARTING,
    QueryStart,
    change_owner,
    errored_plan_warnings,
    finish_start,
    immutability_failures,
    lookup,
    lookup_sql,
    query_error,
    query_sql,
    start_query,
    state_of,
    terminate,
    warn_if_errored,
)

TOKEN = "deltastream:index:Query"


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
            f'SELECT {QUERY_COLUMNS} FROM deltastream.sys."queries"{where} '
            f"ORDER BY created_at, id LIMIT {CAPPED_LIMIT};"
        )
        rows = await select(ctx, sql)
        given = (("state", args.state), ("owner", args.owner))
        shown = ", ".join(f"{k}={v!r}" for k, v in given if v)
        rows = capped(
            ctx, rows, f"getQueries({shown})", "filter by state or owner", order="oldest first"
        )
        return GetQueriesResult([_query_result(r) for r in rows])


deltastream_register_resource_kinds, deltastream_register_functions = registering(
    kinds=[QueryKind], functions=[GetQuery, GetQueries]
)
