"""DeltaStreamObject: ``deltastream:index:DeltaStreamObject`` (stream, changelog, table).

The object is created from a user-written ``CREATE STREAM|CHANGELOG|TABLE`` statement run in
the context of its ``database``, ``namespace`` and ``store``. Check and create both read the
statement's DESCRIBE plan, so a statement that would land elsewhere than declared is refused
before anything is created. The id is the quoted FQN ``"db"."namespace"."name"``; Read needs
nothing else, so ``pulumi import`` works (the official provider's Read needs prior state).

Lookups ``getObject`` and ``getObjects`` live here too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs

from deltastream_core import registering
from deltastream_core.catalog import CatalogKind, CatalogListing, CatalogLookup, Column, column
from deltastream_core.errors import (
    AlreadyExistsError,
    DeltaStreamError,
    NotFoundError,
    ObjectFailedError,
    StatementError,
    ValidationError,
)
from deltastream_core.kinds import CheckFailure, CheckResult, OperationContext
from deltastream_core.lexer import LexError, qualified_parts, split_statements
from deltastream_core.model import output, prop
from deltastream_core.ports import EffectProbe, ResultSet, Statement, StatementContext
from deltastream_core.rows import (
    UNFINISHED,
    Row,
    check_name,
    describe_state,
    first_or_none,
    import_command,
    left_in_place,
    read_until_answered,
    rfc3339,
    select,
)
from deltastream_core.sql import qualified, quote_identifier
from deltastream_core.waiting import Backoff, wait_until
from deltastream_plugins._plans import (
    POLL,
    Plan,
    RelationPath,
    describe,
    describe_for_check,
    describe_properties,
    known_str,
    normalize_sql,
    parse_fqn,
    sql_problem,
    unchanged,
)

TOKEN = "deltastream:index:DeltaStreamObject"
READY_TIMEOUT = 300.0
#: ``relations.state`` once the relation is usable
#: (docs/reference/deltastream-sql.md#states-and-lifecycles; TF waits for it too)
READY_STATE = "created"
#: states after which the relation will never become ready
FAILED_STATES = frozenset({"errored", "failed", "error"})
#: DESCRIBE kinds this resource accepts, and the relation type each creates
KINDS = {"CREATE_STREAM": "stream", "CREATE_CHANGELOG": "changelog", "CREATE_TABLE": "table"}
#: the inputs whose change requires a new DESCRIBE in Check
_PLANNED_INPUTS = ("sql", "database", "namespace", "store")

_DATABASE = "Database the relation is created in (request context); changing it replaces it."
_NAMESPACE = "Namespace (schema) the relation is created in; changing it replaces it."
_STORE = "Store backing the relation (request context); changing it replaces it."
_SQL = (
    "The CREATE STREAM, CREATE CHANGELOG or CREATE TABLE statement. Check validates it with "
    "DESCRIBE: it must create a stream, changelog or table in the declared database, "
    "namespace and store. Any change replaces the relation, except whitespace-only edits "
    "(leading/trailing whitespace, trailing semicolons, runs of whitespace outside quotes, "
    "whitespace next to punctuation), which are not changes."
)
_OWNER = (
    "Role that owns the relation. The relation is created as this role; a change is applied "
    "in place with ALTER … OWNER TO. When absent, the creating role owns it."
)


@attrs.frozen
class ObjectColumn:
    """One column of a relation, in the relation's declared order
    (docs/reference/requirements.md#fr-018)."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:ObjectColumn"
    name: str = output("Column name.")
    type: str = output("SQL type of the column, as DeltaStream reports it.")
    nullable: bool = output("Whether the column accepts nulls.", default=True)


@attrs.frozen
class ObjectInputs:
    database: str = prop(_DATABASE, replace=True, check=check_name)
    namespace: str = prop(_NAMESPACE, replace=True, check=check_name)
    store: str = prop(_STORE, replace=True, check=check_name)
    sql: str = prop(_SQL, replace=True, normalize=normalize_sql, check=sql_problem)
    owner: str | None = prop(_OWNER, default=None, check=check_name, keep_when_absent=True)


@attrs.frozen
class ObjectOutputs(ObjectInputs):
    """What DeltaStream reports: the inputs, and what it computes."""

    name: str | None = output("Name of the relation.")
    path: list[str] | None = output("Path of the relation as [database, namespace, name].")
    fqn: str | None = output(
        'Fully qualified name of the relation, "database"."namespace"."name" (the form '
        "Query and Application sources and sinks are declared in)."
    )
    type: str | None = output("Type of the relation (stream|changelog|table).")
    state: str | None = output("Provisioning state of the relation (created when ready).")
    created_at: str | None = output("When the relation was created (RFC 3339).")
    updated_at: str | None = output("When the relation last changed (RFC 3339).")
    columns: list[ObjectColumn] | None = output(
        "The relation's columns in declared order (empty when DeltaStream does not report them)."
    )


# -- ids and SQL -----------------------------------------------------------------------------


def object_id(path: Sequence[str]) -> str:
    """The relation's id and FQN, ``"db"."namespace"."name"``."""
    return qualified(*path)


def _artifact_path(result: ResultSet) -> RelationPath | None:
    """The ``path`` column of the DDL's artifact row (JSON text ``["db","ns","name"]``)."""
    for record in result.records():
        raw = record.get("path")
        if not isinstance(raw, str):
            continue
        try:
            parts = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if isinstance(parts, list) and len(parts) == 3 and all(isinstance(p, str) for p in parts):
            return parts[0], parts[1], parts[2]
    return None


def statement_path(sql: str, database: str, namespace: str) -> RelationPath | None:
    """The relation a ``CREATE [OR REPLACE] STREAM|CHANGELOG|TABLE|MATERIALIZED VIEW <name>``
    names, its 1- or 2-part name completed from the inputs as the service completes it from
    the request context (docs/reference/sql-lexing.md); None when the text is not one."""
    parts = _statement_name(sql)
    if parts is None or not 1 <= len(parts) <= 3:
        return None
    names = [part if quoted else part.lower() for part, quoted in parts]
    full = [database, namespace][: 3 - len(names)] + names
    return full[0], full[1], full[2]


def _statement_name(sql: str) -> list[tuple[str, bool]] | None:
    try:
        statements = split_statements(sql)
    except LexError:
        return None
    if len(statements) != 1:
        return None
    words = list(statements[0].words)
    if not words or not words[0].is_word("CREATE"):
        return None
    i = 1
    if len(words) > 2 and words[1].is_word("OR") and words[2].is_word("REPLACE"):
        i = 3
    if i < len(words) and words[i].is_word("MATERIALIZED"):
        i += 1
    if i >= len(words) or not words[i].is_word("STREAM", "CHANGELOG", "TABLE", "VIEW"):
        return None
    return qualified_parts(words[i + 1 :])


def name_failures(sql: str, database: str | None, namespace: str | None) -> list[CheckFailure]:
    """The statement's own qualified name against the inputs, before anything is sent: a
    relation aimed at another database or namespace fails at preview even when that one
    does not exist (DESCRIBE would only say "not found", which Check must skip)."""
    parts = _statement_name(sql)
    if parts is None:
        return []
    if len(parts) > 3:
        shown = ".".join(p for p, _ in parts)
        return [
            CheckFailure(
                "sql",
                f"names the relation {shown!r} with {len(parts)} parts; write name, "
                "namespace.name or database.namespace.name",
            )
        ]
    path = statement_path(sql, database or "", namespace or "")
    assert path is not None
    fqn = object_id(path)
    failures: list[CheckFailure] = []
    if len(parts) == 3 and database is not None and path[0] != database:
        failures.append(
            CheckFailure(
                "database",
                f"is {database!r} but the sql creates {fqn} in database {path[0]!r}; make them "
                "agree (or leave the database out of the statement's name)",
            )
        )
    if len(parts) >= 2 and namespace is not None and path[1] != namespace:
        failures.append(
            CheckFailure(
                "namespace",
                f"is {namespace!r} but the sql creates {fqn} in namespace {path[1]!r}; make "
                "them agree (or leave the namespace out of the statement's name)",
            )
        )
    return failures


def plan_failures(plan: Plan, database: str, namespace: str, store: str) -> list[CheckFailure]:
    """Why a DESCRIBE plan does not match the declared inputs (each failure names both)."""
    if plan.kind not in KINDS:
        return [
            CheckFailure(
                "sql",
                "must be a CREATE STREAM, CREATE CHANGELOG or CREATE TABLE statement, but "
                f"DeltaStream plans it as {plan.kind}",
            )
        ]
    ddl = plan.ddl
    if ddl is None:
        return [CheckFailure("sql", f"DESCRIBE returned a {plan.kind} plan without a relation")]
    failures: list[CheckFailure] = []
    if ddl.database != database:
        failures.append(
            CheckFailure(
                "database",
                f"is {database!r} but the sql creates {ddl.fqn} in database {ddl.database!r}; "
                "make them agree (or leave the database out of the statement's name)",
            )
        )
    if ddl.namespace != namespace:
        failures.append(
            CheckFailure(
                "namespace",
                f"is {namespace!r} but the sql creates {ddl.fqn} in namespace "
                f"{ddl.namespace!r}; make them agree",
            )
        )
    if ddl.store is not None and ddl.store != store:
        failures.append(
            CheckFailure(
                "store",
                f"is {store!r} but the sql puts {ddl.fqn} in store {ddl.store!r} (a 'store' "
                "property in its WITH clause?); make them agree",
            )
        )
    return failures


# -- the resource kind -------------------------------------------------------------------------


def _lower(value: Any) -> str | None:
    return str(value or "").lower() or None


class ObjectKind(CatalogKind[ObjectInputs, ObjectOutputs]):
    """A row of ``deltastream.sys."relations"`` on the catalog base. What differs from a
    plain row: the key comes from the statement's DESCRIBE plan (:meth:`create_key`), the
    statement runs in the declared database/namespace/store, the id is the quoted FQN, the
    columns are read after the row, import recovers the statement from DESCRIBE RELATION, a
    failed create says whether the drop worked, and the owner changes in place."""

    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "A stream, changelog or table created from a CREATE STREAM|CHANGELOG|TABLE statement. "
        "Create waits until DeltaStream reports the relation `created`. Import with the id "
        '`"database"."namespace"."name"`.'
    )
    inputs = ObjectInputs
    outputs = ObjectOutputs
    system_table: ClassVar[str] = "relations"
    noun: ClassVar[str] = "relation"
    key: ClassVar[tuple[Column, ...]] = (
        column("database_name", "database"),
        column("schema_name", "namespace"),
        column("name"),
    )
    columns: ClassVar[tuple[Column, ...]] = (
        column("relation_type", "type", convert=_lower),
        column("owner"),
        column("state"),
        column("created_at", convert=rfc3339),
        column("updated_at", convert=rfc3339),
    )
    state_column: ClassVar[str | None] = "state"
    ready_states: ClassVar[frozenset[str]] = frozenset({READY_STATE})
    failed_states: ClassVar[frozenset[str]] = FAILED_STATES
    id_hint: ClassVar[str] = 'the quoted FQN "database"."namespace"."name"'
    canonical_ids: ClassVar[bool] = True
    poll: ClassVar[Backoff] = POLL

    # -- ids and messages -------------------------------------------------------------------
    def encode_key(self, key: Sequence[str]) -> str:
        return qualified(*key)

    def decode_key(self, resource_id: str) -> tuple[str, ...] | None:
        return parse_fqn(resource_id)

    def describe_key(self, key: Sequence[str]) -> str:
        return f"relation {qualified(*key)}"

    def dependents_hint(self, key: tuple[str, ...]) -> str:
        return (
            f"Delete (or terminate) the queries using {object_id(_path(key))} first; when they "
            "are Pulumi resources, make them depend on this object so Pulumi orders the deletes."
        )

    # -- check -----------------------------------------------------------------------------
    async def check(
        self, ctx: OperationContext, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> CheckResult:
        base = await super().check(ctx, olds, news)
        if base.failures or unchanged(olds, news, _PLANNED_INPUTS):
            return base
        values = [known_str(news.get(key)) for key in _PLANNED_INPUTS]
        sql, database, namespace, store = values
        # aimed elsewhere is known from the text alone, even when that place does not exist
        # (DESCRIBE would answer "not found", which Check must skip)
        failures = name_failures(sql, database, namespace) if sql is not None else []
        if sql is None or database is None or namespace is None or store is None:
            # an unknown input hides the plan: say nothing more rather than guess
            return CheckResult(inputs=base.inputs, failures=tuple(failures))
        context = _context(ctx, database, namespace, store, known_str(news.get("owner")))
        outcome = await describe_for_check(ctx, sql, context, f"{TOKEN} {ctx.resource_name}")
        failures.extend(outcome.failures)
        if outcome.plan is not None:
            named = {f.property for f in failures}
            planned = plan_failures(outcome.plan, database, namespace, store)
            failures.extend(f for f in planned if f.property not in named)
        return CheckResult(inputs=base.inputs, failures=tuple(failures))

    # -- create (the base runs the statement with its effect probe, then _finish) ----------
    def create_statement(self, args: ObjectInputs) -> Statement:
        return Statement(args.sql)

    def create_context(self, ctx: OperationContext, args: ObjectInputs) -> StatementContext:
        return _context(ctx, args.database, args.namespace, args.store, args.owner)

    async def create_key(self, ctx: OperationContext, args: ObjectInputs) -> tuple[str, ...]:
        named = name_failures(args.sql, args.database, args.namespace)
        if named:  # (Check refuses it too; nothing is sent for a statement aimed elsewhere)
            raise ValidationError(named, resource=f"{TOKEN} {ctx.resource_name}".strip())
        # The plan again (Check may have skipped it at preview): refuse a statement that would
        # land elsewhere, and learn the relation's name for the effect probe and messages.
        try:
            plan = await describe(ctx, args.sql, self.create_context(ctx, args))
        except AlreadyExistsError as exc:  # DESCRIBE refuses an existing relation (42P017)
            existing = statement_path(args.sql, args.database, args.namespace)
            if existing is None:
                raise
            command = import_command(TOKEN, ctx.resource_name, object_id(existing))
            raise exc.adopt_with(command) from None
        failures = plan_failures(plan, args.database, args.namespace, args.store)
        if failures:
            raise ValidationError(failures, resource=f"{TOKEN} {ctx.resource_name}".strip())
        assert plan.ddl is not None
        return plan.ddl.path

    def created_key(self, result: ResultSet, key: tuple[str, ...]) -> tuple[str, ...]:
        return _artifact_path(result) or key

    def drop_statement(self, key: tuple[str, ...]) -> str:
        return f"DROP RELATION {object_id(_path(key))};"

    async def _finish(
        self,
        ctx: OperationContext,
        key: tuple[str, ...],
        args: ObjectInputs,
        *,
        created: bool = True,
    ) -> ObjectOutputs:
        """Wait until the relation is ready and read its columns.

        A failed relation that was just ``created`` is dropped (atomic create); a wait that
        cannot end, or a drop that cannot, keeps it recorded as a partial failure.
        """
        path = _path(key)
        partial = _outputs(
            args, {"database_name": path[0], "schema_name": path[1], "name": path[2]}, []
        )
        try:
            row = await self._wait_ready(ctx, path)
            columns = await read_until_answered(
                ctx,
                lambda: _columns(ctx, path),
                f"the columns of relation {object_id(path)}",
                timeout=READY_TIMEOUT,
            )
        except ObjectFailedError as failed:
            if not created:
                failed.resource_id, failed.outputs = object_id(path), partial
                raise
            try:
                await self._drop(ctx, path)
            except DeltaStreamError as exc:
                raise ObjectFailedError(
                    f"{failed} Dropping it failed too ({exc}), so it is kept in the stack: fix "
                    "the cause and run `pulumi up` again, or `pulumi destroy`.",
                    resource_id=object_id(path),
                    outputs=partial,
                ) from exc
            raise ObjectFailedError(f"{failed} It was dropped.") from failed
        except UNFINISHED as exc:
            raise left_in_place(
                exc, f"relation {object_id(path)}", object_id(path), partial
            ) from exc
        return _outputs(args, row, columns)

    async def _wait_ready(
        self,
        ctx: OperationContext,
        key: tuple[str, ...],
        args: ObjectInputs | None = None,
        *,
        created: bool = True,
    ) -> Row:
        path = _path(key)

        async def probe() -> Row | None:
            row = first_or_none(await select(ctx, self.select_sql(self.key_filter(path))))
            if row is not None and str(row.get("state", "")).lower() in FAILED_STATES:
                raise ObjectFailedError(
                    f"relation {object_id(path)} reached state {row['state']!r} instead of "
                    f"{READY_STATE!r}. Check its store and WITH properties."
                )
            return row

        row = await wait_until(
            probe,
            lambda r: r is not None and str(r.get("state", "")).lower() == READY_STATE,
            clock=ctx.clock,
            timeout=ctx.timeout or READY_TIMEOUT,
            what=f"relation {object_id(path)} to be {READY_STATE}",
            describe=describe_state(["state"]),
            log=ctx.log,
            backoff=POLL,
        )
        assert row is not None
        return row

    # -- read (the base looks the row up; gone is None) -----------------------------------
    async def read_outputs(
        self,
        ctx: OperationContext,
        key: tuple[str, ...],
        row: Row,
        previous: ObjectInputs | None,
    ) -> ObjectOutputs:
        path = _path(key)
        columns = await _columns(ctx, path)
        if previous is not None:
            store, sql = previous.store, previous.sql
        else:  # import: only DeltaStream knows the statement and the store
            store, sql = await _definition(ctx, path)
        args = ObjectInputs(row["database_name"], row["schema_name"], store, sql, row["owner"])
        return _outputs(args, row, columns)

    # -- update ----------------------------------------------------------------------------
    async def update(
        self, ctx: OperationContext, resource_id: str, olds: ObjectOutputs, news: ObjectInputs
    ) -> ObjectOutputs:
        path = _path(self.parse_id(resource_id))
        lookup = self.select_sql(self.key_filter(path))
        if news.owner and news.owner != olds.owner:
            kind = (olds.type or "relation").upper()
            sql = f"ALTER {kind} {object_id(path)} OWNER TO {quote_identifier(news.owner)};"
            owned = EffectProbe(  # settles a lost answer: the owner is the new one
                Statement.read(self.select_sql({**self.key_filter(path), "owner": news.owner}))
            )
            # run as the current owner, who holds the privilege to give the relation away
            await ctx.require_runner().run(Statement(sql, probe=owned), ctx.as_role(olds.owner))
        row = first_or_none(await select(ctx, lookup))
        if row is None:
            raise NotFoundError("3D020", f"relation {object_id(path)} disappeared during update")
        state = str(row.get("state", "")).lower()
        if state not in (READY_STATE, *FAILED_STATES) or not olds.columns:
            # a create left unfinished (partial state) is finished here
            return await self._finish(ctx, path, news, created=False)
        # every output is refreshed, never blanked (official defect 5)
        return _outputs(news, row, olds.columns or [])


def _path(key: Sequence[str]) -> RelationPath:
    return key[0], key[1], key[2]


def _context(
    ctx: OperationContext, database: str, namespace: str, store: str, owner: str | None
) -> StatementContext:
    return ctx.as_role(owner).with_(database=database, schema=namespace, store=store)


def _outputs(args: ObjectInputs, row: dict[str, Any], columns: list[ObjectColumn]) -> ObjectOutputs:
    path = (row["database_name"], row["schema_name"], row["name"])
    return ObjectOutputs(
        database=args.database,
        namespace=args.namespace,
        store=args.store,
        sql=args.sql,
        owner=row.get("owner") or args.owner,
        name=row["name"],
        path=list(path),
        fqn=object_id(path),
        type=str(row.get("relation_type") or "").lower() or None,
        state=row.get("state"),
        created_at=rfc3339(row.get("created_at")),
        updated_at=rfc3339(row.get("updated_at")),
        columns=columns,
    )


async def _columns(ctx: OperationContext, path: RelationPath) -> list[ObjectColumn]:
    """The columns in the server's order (the declared order,
    docs/reference/requirements.md#fr-018).

    ``DESCRIBE RELATION COLUMNS`` (name, type, nullable rows) as DeltaStream documents it; a
    server that does not know that statement is asked ``DESCRIBE RELATION`` and its
    ``columns`` property (a JSON list) instead.
    """
    try:
        rows = await select(ctx, f"DESCRIBE RELATION COLUMNS {object_id(path)};")
    except StatementError as exc:
        if exc.sql_state not in {"42601", "0A000"}:
            raise
        props = await describe_properties(ctx, f"DESCRIBE RELATION {object_id(path)};")
        try:
            rows = json.loads(props.get("columns") or "[]")
        except json.JSONDecodeError:
            rows = []
    return [_column(row) for row in rows if isinstance(row, Mapping)]


def _column(row: Mapping[str, Any]) -> ObjectColumn:
    lowered = {str(k).lower(): v for k, v in row.items()}
    nullable = lowered.get("nullable", True)
    if isinstance(nullable, str):
        nullable = nullable.strip().lower() not in {"false", "no", "0", "not null"}
    return ObjectColumn(str(lowered.get("name")), str(lowered.get("type")), bool(nullable))


async def _definition(ctx: OperationContext, path: RelationPath) -> tuple[str, str]:
    """The store and the creating statement of a relation, from ``DESCRIBE RELATION``."""
    props = await describe_properties(ctx, f"DESCRIBE RELATION {object_id(path)};")
    store = props.get("store_name") or props.get("store") or ""
    sql = props.get("sql") or props.get("statement") or props.get("ddl") or ""
    return str(store), str(sql)


# -- lookups ---------------------------------------------------------------------------------


@attrs.frozen
class GetObjectArgs:
    database: str = prop("The database containing the relation.", check=check_name)
    namespace: str = prop("The namespace containing the relation.", check=check_name)
    name: str = prop("The name of the relation.", check=check_name)


@attrs.frozen
class GetObjectResult:
    TYPE_TOKEN: ClassVar[str] = "deltastream:index:GetObjectResult"
    database: str = output("The database containing the relation.")
    namespace: str = output("The namespace containing the relation.")
    name: str = output("The name of the relation.")
    fqn: str = output('Fully qualified name, "database"."namespace"."name".')
    type: str = output("Type of the relation (stream|changelog|table).")
    state: str = output("Provisioning state of the relation.")
    owner: str = output("The role that owns the relation.")
    created_at: str = output("When the relation was created (RFC 3339).")
    updated_at: str = output("When the relation last changed (RFC 3339).")


@attrs.frozen
class GetObjectsArgs:
    database: str = prop("The database whose relations to list.", check=check_name)
    namespace: str = prop("The namespace whose relations to list.", check=check_name)


@attrs.frozen
class GetObjectsResult:
    objects: list[GetObjectResult] = output(
        "The relations, ordered by name; at most 200 (a warning says when more exist).",
        default=attrs.Factory(list),
    )


def _result(row: dict[str, Any]) -> GetObjectResult:
    path = (row["database_name"], row["schema_name"], row["name"])
    return GetObjectResult(
        database=path[0],
        namespace=path[1],
        name=path[2],
        fqn=object_id(path),
        type=str(row.get("relation_type") or "").lower(),
        state=str(row.get("state") or ""),
        owner=str(row.get("owner") or ""),
        created_at=rfc3339(row.get("created_at")) or "",
        updated_at=rfc3339(row.get("updated_at")) or "",
    )


class GetObject(CatalogLookup[GetObjectArgs, GetObjectResult]):
    token: ClassVar[str] = "deltastream:index:getObject"
    description: ClassVar[str] = (
        "Look up one stream, changelog or table by database, namespace and name."
    )
    args = GetObjectArgs
    result = GetObjectResult
    kind = ObjectKind()

    def what(self, args: GetObjectArgs, where: Mapping[str, str]) -> str:
        return f"relation {qualified(args.database, args.namespace, args.name)}"

    def item(self, row: Row, model: type[Any]) -> GetObjectResult:
        return _result(row)


class GetObjects(CatalogListing[GetObjectsArgs, GetObjectsResult]):
    token: ClassVar[str] = "deltastream:index:getObjects"
    description: ClassVar[str] = (
        "List the streams, changelogs and tables of a namespace ordered by name, at most 200 "
        "(with a warning when there are more)."
    )
    args = GetObjectsArgs
    result = GetObjectsResult
    kind = ObjectKind()
    items: ClassVar[str] = "objects"
    item_model = GetObjectResult
    narrower: ClassVar[str] = "use getObject with a name"

    def what(self, args: GetObjectsArgs, where: Mapping[str, str]) -> str:
        return f"getObjects({qualified(args.database, args.namespace)})"

    def item(self, row: Row, model: type[Any]) -> GetObjectResult:
        return _result(row)


deltastream_register_resource_kinds, deltastream_register_functions = registering(
    kinds=[ObjectKind], functions=[GetObject, GetObjects]
)
