"""Application: ``deltastream:index:Application`` (``BEGIN APPLICATION … END APPLICATION``).

An application is a set of statements run as one query, possibly through VIRTUAL relations
that exist only inside it. It follows the Query rules: DESCRIBE-checked sinks and sources
(physical ones only; declaring a virtual relation is refused and says so), immutability,
start/wait/terminate, in-place owner changes, import by id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from deltastream_core import registering
from deltastream_core.errors import NotFoundError
from deltastream_core.kinds import (
    CheckFailure,
    CheckResult,
    OperationContext,
    ReadResult,
    ResourceKind,
)
from deltastream_core.lexer import (
    SqlStatement,
    application_parts,
    single_statement_problem,
    split_statements,
)
from deltastream_core.model import output, prop
from deltastream_plugins._common import check_name, rfc3339
from deltastream_plugins._plans import (
    Plan,
    compare_relations,
    describe,
    describe_for_check,
    fqn_set_key,
    fqns_problem,
    known_str,
    normalize_sql,
    unchanged,
)
from deltastream_plugins.query_lifecycle import (
    ERRORED,
    STARTING,
    QueryStart,
    change_owner,
    errored_plan_warnings,
    finish_start,
    immutability_failures,
    lookup,
    query_error,
    query_sql,
    start_query,
    state_of,
    terminate,
    warn_if_errored,
)

TOKEN = "deltastream:index:Application"
_PLANNED_INPUTS = ("sql", "sinkRelationFqns", "sourceRelationFqns")

_SOURCES = (
    'Physical relations the application reads, as "database"."namespace"."name". Must equal '
    "the sources of the sql's plan (order does not matter); virtual relations are not declared."
)
_SINKS = (
    'Physical relations the application writes to, as "database"."namespace"."name". Must '
    "equal the sinks of the sql's plan; virtual relations are not declared."
)
_SQL = (
    "The BEGIN APPLICATION … END APPLICATION statement. Immutable: a changed body is refused at "
    "preview; declare a new Application instead. Whitespace-only edits are not changes."
)
_OWNER = (
    "Role that owns the application. It is started as this role; a change is applied in place "
    "with ALTER QUERY … OWNER TO."
)


_BLOCK = "one BEGIN APPLICATION <name> … END APPLICATION block"
#: what may run inside an application (the service refuses anything else there)
_INNER = "INSERT INTO, CREATE [VIRTUAL] STREAM|CHANGELOG|TABLE|MATERIALIZED VIEW and USE"


def _inner_allowed(statement: SqlStatement) -> bool:
    if statement.starts_with("INSERT", "INTO") or statement.starts_with("USE"):
        return True
    words = statement.words[:4]
    if not words or not words[0].is_word("CREATE"):
        return False
    rest = words[2:] if len(words) > 1 and words[1].is_word("VIRTUAL") else words[1:]
    return bool(rest) and (
        rest[0].is_word("STREAM", "CHANGELOG", "TABLE")
        or (len(rest) > 1 and rest[0].is_word("MATERIALIZED") and rest[1].is_word("VIEW"))
    )


def _opening(statement: SqlStatement, words: int = 3) -> str:
    return " ".join(t.text for t in statement.words[:words])


def application_sql_problem(value: Any) -> str | None:
    """Check rule for an application body: exactly one application block, nothing after its
    END APPLICATION but a WITH clause, and only statements an application can run inside."""
    if not isinstance(value, str):
        return None
    problem = single_statement_problem(value, expected=_BLOCK)
    if problem:
        return problem
    (statement,) = split_statements(value)
    if not statement.is_application:
        hint = (
            " (use the Query resource for INSERT INTO)" if statement.starts_with("INSERT") else ""
        )
        return f"must be {_BLOCK}, but it starts with {_opening(statement, 2)!r}{hint}"
    inner, tail = application_parts(statement)
    problems: list[str] = []
    if not inner:
        problems.append("has no statement between BEGIN APPLICATION <name> and END APPLICATION")
    refused = [s for s in inner if not _inner_allowed(s)]
    if refused:
        listed = ", ".join(repr(_opening(s)) for s in refused)
        problems.append(f"may hold only {_INNER} statements, not {listed}")
    if tail and not tail[0].is_word("WITH"):
        problems.append(
            f"has {tail[0].text!r} after END APPLICATION, where only a WITH (…) clause may follow"
        )
    return "; ".join(problems) or None


@attrs.frozen
class ApplicationInputs:
    source_relation_fqns: list[str] = prop(
        _SOURCES, replace=True, normalize=fqn_set_key, check=fqns_problem
    )
    sink_relation_fqns: list[str] = prop(
        _SINKS, replace=True, normalize=fqn_set_key, check=fqns_problem
    )
    sql: str = prop(_SQL, replace=True, normalize=normalize_sql, check=application_sql_problem)
    owner: str | None = prop(_OWNER, default=None, check=check_name, keep_when_absent=True)


@attrs.frozen
class ApplicationOutputs(ApplicationInputs):
    """What DeltaStream reports: the inputs, and what it computes."""

    application_id: str | None = output("System-generated application (query) identifier.")
    query_name: str | None = output("Name of the application's query.")
    query_version: int | None = output("Version of the application's query.")
    state: str | None = output(
        "Lifecycle state of the application "
        "(starting|running|terminate_requested|terminated|errored)."
    )
    created_at: str | None = output("When the application was created (RFC 3339).")
    updated_at: str | None = output("When the application last changed (RFC 3339).")


def application_plan_failures(plan: Plan, news: Mapping[str, Any]) -> list[CheckFailure]:
    """The plan must be an APPLICATION whose physical sinks and sources are the declared ones."""
    if plan.kind != "APPLICATION":
        hint = " (use the Query resource for INSERT INTO)" if plan.kind == "INSERT_INTO" else ""
        return [
            CheckFailure(
                "sql",
                "must be a BEGIN APPLICATION … END APPLICATION statement, but DeltaStream plans "
                f"it as {plan.kind}{hint}",
            )
        ]
    virtual = plan.virtual_paths()
    return [
        *compare_relations(
            "sinkRelationFqns",
            news.get("sinkRelationFqns"),
            plan.sinks,
            role="writes to",
            virtual=virtual,
        ),
        *compare_relations(
            "sourceRelationFqns",
            news.get("sourceRelationFqns"),
            plan.sources,
            role="reads from",
            virtual=virtual,
        ),
    ]


class ApplicationKind(ResourceKind[ApplicationInputs, ApplicationOutputs]):
    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "A streaming application (BEGIN APPLICATION … END APPLICATION) with several sinks and "
        "optional virtual intermediate relations, run as one query. Immutable: a changed body "
        "is refused at preview. Import with the application id."
    )
    inputs = ApplicationInputs
    outputs = ApplicationOutputs
    #: DeltaStream may leave these null; optional in the official schema too
    optional_outputs: ClassVar[tuple[str, ...]] = ("queryName", "queryVersion")

    def diff_warnings(self, old_outputs: Mapping[str, Any], urn: str) -> list[str]:
        return errored_plan_warnings(old_outputs, urn, "applicationId")

    def resource_id(self, outputs: ApplicationOutputs) -> str:
        return outputs.application_id or ""

    async def check(
        self, ctx: OperationContext, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> CheckResult:
        base = await super().check(ctx, olds, news)
        failures = list(base.failures)
        failures.extend(immutability_failures("Application", olds, news, ("sinkRelationFqns",)))
        if failures or unchanged(olds, news, _PLANNED_INPUTS):
            return CheckResult(inputs=base.inputs, failures=tuple(failures))
        sql = known_str(news.get("sql"))
        if sql is None:
            return base
        context = ctx.as_role(known_str(news.get("owner")))
        outcome = await describe_for_check(ctx, sql, context, f"{TOKEN} {ctx.resource_name}")
        failures.extend(outcome.failures)
        if outcome.plan is not None:
            failures.extend(application_plan_failures(outcome.plan, news))
        return CheckResult(inputs=base.inputs, failures=tuple(failures))

    async def create(self, ctx: OperationContext, args: ApplicationInputs) -> ApplicationOutputs:
        what = f"Application {ctx.resource_name}".strip()
        start = QueryStart(args.sql, args.owner, what, TOKEN, list(args.sink_relation_fqns))
        return await start_query(ctx, start, lambda row: _outputs(args, row))

    async def read(
        self, ctx: OperationContext, resource_id: str, state: ApplicationOutputs | None
    ) -> ReadResult[ApplicationInputs, ApplicationOutputs] | None:
        row = await lookup(ctx, resource_id)
        if row is None or state_of(row) == "terminated":
            return None
        what = f"Application {ctx.resource_name}".strip()
        if state_of(row) == ERRORED:
            warn_if_errored(ctx, row, what, await query_error(ctx, resource_id))
        if state is not None:
            args = ApplicationInputs(
                list(state.source_relation_fqns),
                list(state.sink_relation_fqns),
                state.sql,
                row.get("owner") or state.owner,
            )
        else:  # import: the statement from DeltaStream, sinks and sources from its plan
            sql = await query_sql(ctx, resource_id)
            plan = await describe(ctx, sql, ctx.base)
            args = ApplicationInputs(
                [r.fqn for r in plan.sources], [r.fqn for r in plan.sinks], sql, row.get("owner")
            )
        return ReadResult(resource_id, _outputs(args, row), args)

    async def update(
        self,
        ctx: OperationContext,
        resource_id: str,
        olds: ApplicationOutputs,
        news: ApplicationInputs,
    ) -> ApplicationOutputs:
        await change_owner(ctx, resource_id, olds.owner, news.owner)
        row = await lookup(ctx, resource_id)
        if row is None:
            raise NotFoundError("3D019", f"application {resource_id} disappeared during update")
        if state_of(row) == STARTING:  # a start left unfinished (partial state) ends here
            what = f"Application {ctx.resource_name}".strip()
            return await finish_start(
                ctx, resource_id, what, lambda r: _outputs(news, r), created=False
            )
        return _outputs(news, row)

    async def delete(
        self, ctx: OperationContext, resource_id: str, state: ApplicationOutputs
    ) -> None:
        await terminate(ctx, resource_id, f"Application {ctx.resource_name}".strip())


def _outputs(args: ApplicationInputs, row: Mapping[str, Any]) -> ApplicationOutputs:
    return ApplicationOutputs(
        source_relation_fqns=list(args.source_relation_fqns),
        sink_relation_fqns=list(args.sink_relation_fqns),
        sql=args.sql,
        owner=row.get("owner") or args.owner,
        application_id=str(row["id"]),
        query_name=row.get("name"),
        query_version=row.get("version"),
        state=row.get("current_state"),
        created_at=rfc3339(row.get("created_at")),
        updated_at=rfc3339(row.get("updated_at")),
    )


deltastream_register_resource_kinds, _ = registering(kinds=[ApplicationKind])
