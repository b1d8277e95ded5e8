"""A base for kinds whose objects are rows of one ``deltastream.sys`` table.

A kind declares its table, key and columns, its CREATE/DROP (and optional update) statements,
who owns what it creates, and its readiness states; it inherits the lifecycle every kind
owes the engine (see ``docs/plugins.md``):

- create with an effect probe (a lost answer is reconciled by reading the catalog, never by
  sending the CREATE twice), created as the ``owner`` input's role, then a wait until the row
  is there (and ready); "already exists" carries the ``pulumi import`` line; a wait that
  cannot end leaves the object recorded as partial state (the next ``up`` finishes it through
  ``update``), a failed object is dropped;
- read by id, returning nothing when the object is gone (refresh drops it), and working with
  no prior state (import);
- delete with an effect probe, succeeding when the object is already gone, then a wait until
  the row is gone;
- the singular and plural lookups (:class:`CatalogLookup`, :class:`CatalogListing`): one
  SELECT, ordered by key, the 200-row cap with its warning; :func:`name_lookups` declares
  both for a kind keyed by one name.

Optional extension points (each off by default, so a kind that does not declare it behaves
as before): ``variants`` (exactly one of several input blocks, a switch replaces),
``unreturned`` (inputs DeltaStream never reads back, forgiven at Check once the object
exists), ``ready_timeout`` / ``poll`` / :meth:`CatalogKind.describe_row` (how the waits poll
and report), ``fail_when_gone`` and :meth:`CatalogKind.object_failed` (what a failed or
vanished object means), :meth:`CatalogLookup.what` and :meth:`CatalogLookup.complete`
(the not-found message; a second read that adds to a singular lookup's result).
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, NoReturn, TypeVar

import attrs

from deltastream_core.diff import DiffResult
from deltastream_core.errors import (
    AlreadyExistsError,
    DependentObjectsError,
    NotFoundError,
    ObjectFailedError,
)
from deltastream_core.errors import ValidationError as _ValidationError
from deltastream_core.kinds import (
    CheckFailure,
    CheckResult,
    Function,
    OperationContext,
    ReadResult,
    ResourceKind,
)
from deltastream_core.model import camel, output, prop
from deltastream_core.ports import EffectProbe, ResultSet, Statement, StatementContext
from deltastream_core.rows import (
    CAPPED_LIMIT,
    CATALOG_POLL,
    CATALOG_TIMEOUT,
    UNFINISHED,
    Row,
    capped,
    check_name,
    exactly_one,
    first_or_none,
    import_command,
    left_in_place,
    run_idempotent,
    run_settled,
    select,
    wait_for_no_row,
    wait_for_row,
)
from deltastream_core.sql import quote_identifier, quote_literal
from deltastream_core.waiting import Backoff, wait_until

A = TypeVar("A")
S = TypeVar("S")
R = TypeVar("R")

ID_SEPARATOR = "/"


def _same(value: Any) -> Any:
    return value


@attrs.frozen
class Column:
    """One system-table column read into an outputs field."""

    #: the column's name in ``deltastream.sys."<table>"``
    name: str
    #: the outputs attribute it fills; the column name when empty
    field: str = ""
    #: converts the column's value (e.g. :func:`~deltastream_core.rows.rfc3339`)
    convert: Callable[[Any], Any] = _same

    @property
    def attribute(self) -> str:
        return self.field or self.name


def column(name: str, field: str = "", *, convert: Callable[[Any], Any] = _same) -> Column:
    """``column("database_name", "database")``: the ``database_name`` column fills the
    ``database`` output."""
    return Column(name, field, convert)


def autoname(resource_name: str, urn: str) -> str:
    """``<resource name>-<7 hex>``: the suffix comes from the URN, so every Check of the
    same resource (preview, then up) gives the same name."""
    suffix = hashlib.sha256(urn.encode()).hexdigest()[:7]
    return f"{resource_name or 'object'}-{suffix}"


def encode_id(parts: Sequence[str]) -> str:
    """The id of a multi-part key: ``db/ns``; parts that contain ``/`` (or start with a
    quote) are double-quoted so the id splits back unambiguously."""
    if len(parts) == 1:
        return parts[0]
    if any(ID_SEPARATOR in p or p.startswith('"') for p in parts):
        return ID_SEPARATOR.join(quote_identifier(p) for p in parts)
    return ID_SEPARATOR.join(parts)


def decode_id(resource_id: str, size: int | None) -> tuple[str, ...] | None:
    """The key parts of an id made by :func:`encode_id`; None when it has another shape.
    ``size=None`` accepts any number of parts from two on (a key of variable length, such
    as an entity's store and path)."""
    if size == 1:
        return (resource_id,) if resource_id else None
    parts = _split_quoted(resource_id) if resource_id.startswith('"') else resource_id.split("/")
    if parts is None or not all(parts):
        return None
    if len(parts) != size and (size is not None or len(parts) < 2):
        return None
    return tuple(parts)


def _split_quoted(text: str) -> list[str] | None:
    """``"a/b"/"n""s"`` → ``["a/b", 'n"s']``: double-quoted parts (``""`` escapes a quote)
    joined by ``/``; None when it is not of that shape."""
    parts: list[str] = []
    i = 0
    while i < len(text):
        if text[i] != '"':
            return None
        i += 1
        part = []
        while True:
            end = text.find('"', i)
            if end < 0:
                return None
            part.append(text[i:end])
            if text.startswith('""', end):
                part.append('"')
                i = end + 2
                continue
            i = end + 1
            break
        parts.append("".join(part))
        if i < len(text):
            if text[i] != ID_SEPARATOR or i + 1 == len(text):
                return None
            i += 1
    return parts


class CatalogKind(ResourceKind[A, S], abc.ABC):
    """A kind whose objects are rows of ``deltastream.sys."<system_table>"``.

    Declare ``system_table``, ``key`` (the columns that identify one object, in id order),
    ``columns`` (the other columns read into outputs), ``noun`` (for messages), and implement
    :meth:`create_statement` and :meth:`drop_statement`. Optional: ``state_column`` with
    ``ready_states`` / ``failed_states`` (create waits for readiness), ``owner_field`` (the
    input naming the role to create as), :meth:`update_statements` (in-place updates).

    Extension points, for kinds whose shape is not quite a plain row (the relation kind uses
    them; see ``docs/plugins.md``): ``id_hint`` / :meth:`encode_key` / :meth:`decode_key`
    (another id form), ``canonical_ids``, :meth:`describe_key` (how messages name one object),
    ``poll`` (the waits' backoff), :meth:`create_key` / :meth:`create_context` /
    :meth:`created_key` (a key learnt from the server before the CREATE, a statement run in
    another context), :meth:`read_outputs` (outputs that need more than the row) and
    :meth:`dependents_hint` (what to do when a drop is refused for dependents).
    """

    #: the ``deltastream.sys`` table listing these objects, e.g. ``"databases"``
    system_table: ClassVar[str]
    #: the columns identifying one object, in id order (the id joins them with ``/``)
    key: ClassVar[tuple[Column, ...]]
    #: the other columns read into outputs
    columns: ClassVar[tuple[Column, ...]] = ()
    #: what one object is called in messages, e.g. ``"database"``
    noun: ClassVar[str]
    #: the column holding the object's state; None when a row means ready
    state_column: ClassVar[str | None] = None
    #: states in which the object is usable (create returns)
    ready_states: ClassVar[frozenset[str]] = frozenset()
    #: states in which the object will never become usable (create fails and drops it)
    failed_states: ClassVar[frozenset[str]] = frozenset()
    #: the input naming the role the object is created as (DeltaStream makes the creating
    #: role its owner); None: created as the provider's role
    owner_field: ClassVar[str | None] = "owner"
    #: an optional name input Check fills when the program leaves it out (Pulumi
    #: autonaming): the resource name plus a suffix derived from the URN, so preview and up
    #: agree, and a name once given stays
    autoname_field: ClassVar[str | None] = None
    #: how an id that does not parse is told to be written (e.g. ``'the quoted FQN
    #: "database"."namespace"."name"'``); empty: the key fields joined by ``/``
    id_hint: ClassVar[str] = ""
    #: read answers with the id of what it read (:meth:`encode_key`), not the id it was given
    #: (for id forms with several spellings)
    canonical_ids: ClassVar[bool] = False
    #: wire names of input blocks of which exactly one must be set (a store's type blocks);
    #: Check says so (naming them), and switching to another block is a replacement
    variants: ClassVar[tuple[str, ...]] = ()
    #: what one of ``variants`` is called in messages
    variant_noun: ClassVar[str] = "block"
    #: wire paths (``block.field``) of inputs DeltaStream keeps but never reads back (secrets,
    #: hidden settings): once the object exists (``olds``), their "is required" failures are
    #: dropped when the old inputs lack them too (an import), and nothing is sent for them
    unreturned: ClassVar[frozenset[str]] = frozenset()
    #: wire names of inputs an import cannot know (DeltaStream never returns them, e.g. the
    #: path of an uploaded file): when the old inputs lack one, the value the program names
    #: is adopted, not a change (which would replace the object for what was not read back)
    first_named: ClassVar[frozenset[str]] = frozenset()
    #: the readiness (and absence) wait's deadline when customTimeouts sets none
    ready_timeout: ClassVar[float] = CATALOG_TIMEOUT
    #: the polling schedule of the readiness and absence waits
    poll: ClassVar[Backoff] = CATALOG_POLL
    #: whether a row that disappears during the readiness wait ends it as a failure
    #: (:meth:`object_failed` with no row) instead of waiting for it to come back
    fail_when_gone: ClassVar[bool] = False

    async def check(
        self, ctx: OperationContext, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> CheckResult:
        field = self.autoname_field
        if field and news.get(field) in (None, ""):
            news = {**news, field: olds.get(field) or autoname(ctx.resource_name, ctx.urn)}
        result = await super().check(ctx, olds, news)
        extra = [*self.variant_failures(news), *self.check_raw(ctx, news)]
        if not extra and not self.unreturned:
            return result
        failures = [*result.failures, *extra]
        if olds:
            failures = [f for f in failures if not self._forgiven(f, olds)]
        return CheckResult(inputs=result.inputs, failures=tuple(dict.fromkeys(failures)))

    def check_raw(self, ctx: OperationContext, raw: Mapping[str, Any]) -> list[CheckFailure]:
        """Cross-field rules on the raw inputs (unknowns allowed, so they run in every
        preview, unlike :meth:`validate`); every failure at once. Default: none."""
        return []

    def variants_set(self, raw: Mapping[str, Any]) -> list[str]:
        """The ``variants`` blocks present in raw inputs (an unknown block counts)."""
        return [b for b in self.variants if raw.get(b) not in (None, "", {})]

    def variant_failures(self, raw: Mapping[str, Any]) -> list[CheckFailure]:
        """Check's failure when not exactly one of ``variants`` is set."""
        if not self.variants:
            return []
        present = self.variants_set(raw)
        noun = self.variant_noun
        if not present:
            return [CheckFailure("", f"set exactly one {noun}: one of {', '.join(self.variants)}")]
        if len(present) > 1:
            both = " and ".join(present)
            reason = f"only one {noun} may be set, but {both} are both set"
            return [CheckFailure("", f"{reason}; a {self.noun} has exactly one {noun}")]
        return []

    def _forgiven(self, failure: CheckFailure, olds: Mapping[str, Any]) -> bool:
        if failure.property not in self.unreturned or not failure.reason.startswith("is required"):
            return False
        value: Any = olds
        for part in failure.property.split("."):
            if not isinstance(value, Mapping):
                return False
            value = value.get(part)
        return value in (None, "")

    def diff(self, old_inputs: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
        if old_inputs:
            adopted = {
                name: news[name]
                for name in self.first_named
                if name in news and old_inputs.get(name) in (None, "")
            }
            old_inputs = {**old_inputs, **adopted}
        result = super().diff(old_inputs, news)
        if (
            self.variants
            and old_inputs
            and self.variants_set(old_inputs) != self.variants_set(news)
        ):
            # another variant is another object: DeltaStream cannot change an object's type
            detailed = {path: kind.with_replace() for path, kind in result.detailed.items()}
            return DiffResult(detailed, delete_before_replace=self.delete_before_replace)
        return result

    # -- what a kind declares ---------------------------------------------------------------
    @abc.abstractmethod
    def create_statement(self, args: A) -> Statement | str:
        """The CREATE statement for ``args`` (quote with :mod:`deltastream_core.sql`)."""

    @abc.abstractmethod
    def drop_statement(self, key: tuple[str, ...]) -> Statement | str:
        """The DROP statement for the object with these key values."""

    def update_statements(self, key: tuple[str, ...], olds: S, news: A) -> list[Statement | str]:
        """Statements applying in-place changes (fields not marked ``replace``); none by
        default, so every change must be a replacement."""
        return []

    # -- extension points (defaults: a plain row with a ``/``-joined id) --------------------
    def encode_key(self, key: Sequence[str]) -> str:
        """The id of the object with these key values (default: :func:`encode_id`)."""
        return encode_id(key)

    def decode_key(self, resource_id: str) -> tuple[str, ...] | None:
        """The key values of an id; None when it has another shape (default:
        :func:`decode_id`)."""
        return decode_id(resource_id, len(self.key))

    def describe_key(self, key: Sequence[str]) -> str:
        """How messages name one object, e.g. ``database 'analytics'``."""
        return f"{self.noun} {'.'.join(key)!r}"

    async def create_key(self, ctx: OperationContext, args: A) -> tuple[str, ...]:
        """The key of the object ``args`` creates, before anything is written (default: the
        key fields of ``args``). A kind whose key the server decides (a name inside a
        statement) asks it here, and may refuse ``args`` with a ``ValidationError``."""
        return self.key_of(args)

    def create_context(self, ctx: OperationContext, args: A) -> StatementContext:
        """The context the CREATE runs in (default: as the ``owner_field`` role)."""
        owner = getattr(args, self.owner_field, None) if self.owner_field else None
        return ctx.as_role(owner)

    def created_key(self, result: ResultSet, key: tuple[str, ...]) -> tuple[str, ...]:
        """The key of what the CREATE made, from its result (default: ``key``)."""
        return key

    async def read_outputs(
        self, ctx: OperationContext, key: tuple[str, ...], row: Row, previous: A | None
    ) -> S:
        """Read's outputs for the object whose row is ``row``; ``previous`` are the inputs of
        the prior state (None on import). Override to read more than the row, or to recover
        inputs the row lacks. Default: :meth:`outputs_from_row`."""
        return self.outputs_from_row(row, previous)

    def dependents_hint(self, key: tuple[str, ...]) -> str | None:
        """What the user should do when the DROP is refused for dependent objects (added to
        the error); None: the server's error as it is."""
        return None

    # -- derived ----------------------------------------------------------------------------
    def key_of(self, values: Any) -> tuple[str, ...]:
        """The key values of an inputs or outputs object (a missing value is ``""``)."""
        values = [getattr(values, c.attribute) for c in self.key]
        return tuple("" if v is None else str(v) for v in values)

    def resource_id(self, outputs: S) -> str:
        return self.encode_key(self.key_of(outputs))

    def parse_id(self, resource_id: str) -> tuple[str, ...]:
        parts = self.decode_key(resource_id)
        if parts is None:
            shape = self.id_hint or ID_SEPARATOR.join(c.attribute for c in self.key)
            raise _ValidationError(
                [CheckFailure("id", f"{resource_id!r} is not a {self.noun} id; use {shape}")],
                resource=self.token,
            )
        return parts

    def select_sql(
        self, where: Mapping[str, str] | None = None, *, limit: int | None = None
    ) -> str:
        """``SELECT <key and columns> FROM deltastream.sys."<table>" [WHERE …] ORDER BY …``."""
        names = ", ".join(quote_identifier(c.name) for c in (*self.key, *self.columns))
        sql = f"SELECT {names} FROM deltastream.sys.{quote_identifier(self.system_table)}"
        if where:
            sql += " WHERE " + " AND ".join(
                f"{quote_identifier(col)} = {quote_literal(value)}" for col, value in where.items()
            )
        if limit:
            order = ", ".join(quote_identifier(c.name) for c in self.key)
            sql += f" ORDER BY {order} LIMIT {limit}"
        return sql + ";"

    def probe_statement(self, key: Sequence[str]) -> Statement:
        """The read-only statement whose rows show that the object exists: the effect probe
        of its CREATE (and, inverted, of its DROP). The ``SELECT`` of its system-table row by
        default; a kind without a system table overrides it together with :meth:`lookup`
        (e.g. ``DESCRIBE ENTITY``, whose not-found error settles as "look again")."""
        return Statement.read(self.select_sql(self.key_filter(key)))

    def key_filter(self, key: Sequence[str]) -> dict[str, str]:
        return {c.name: value for c, value in zip(self.key, key, strict=True)}

    def row_values(self, row: Row) -> dict[str, Any]:
        """The row as outputs attribute values (converted)."""
        return {c.attribute: c.convert(row.get(c.name)) for c in (*self.key, *self.columns)}

    def outputs_from_row(self, row: Row, args: A | None = None) -> S:
        """The outputs for ``row``; inputs the catalog does not report come from ``args``
        (or stay at their defaults on import)."""
        values = attrs.asdict(args, recurse=False) if args is not None else {}  # type: ignore[arg-type]
        values.update(self.row_values(row))
        names = {f.name for f in attrs.fields(self.outputs)}
        outputs: S = self.outputs(**{k: v for k, v in values.items() if k in names})
        return outputs

    async def lookup(self, ctx: OperationContext, key: Sequence[str]) -> Row | None:
        """The object's row, or None when it does not exist (nor its parents)."""
        try:
            return first_or_none(await select(ctx, self.select_sql(self.key_filter(key))))
        except NotFoundError:
            return None

    def _statement(self, made: Statement | str, probe: EffectProbe | None) -> Statement:
        statement = made if isinstance(made, Statement) else Statement(made)
        return statement if statement.probe else attrs.evolve(statement, probe=probe)

    def _describe(self, key: Sequence[str]) -> str:
        return self.describe_key(key)

    def describe_row(self, row: Row | None) -> str:
        """How the waits' progress and timeout messages show the last row seen."""
        return repr(row)

    async def object_failed(
        self,
        ctx: OperationContext,
        key: tuple[str, ...],
        row: Row | None,
        args: A,
        *,
        created: bool,
    ) -> NoReturn:
        """The object reached a failed state (or vanished, with ``fail_when_gone``) after a
        create (``created``) or an update. Default: drop it, so nothing failed is left
        behind, and raise :class:`ObjectFailedError`. A kind may report otherwise (e.g. keep
        an object that an update broke, as a partial failure carrying its outputs)."""
        what = self._describe(key)
        if row is None:
            raise ObjectFailedError(f"{what} disappeared from the catalog while becoming ready")
        await self._drop(ctx, key)  # atomic: a failed create leaves nothing behind
        state = self.state_column or ""
        raise ObjectFailedError(f"{what} failed: {state} is {row.get(state)!r}")

    # -- the inherited lifecycle ------------------------------------------------------------
    async def create(self, ctx: OperationContext, args: A) -> S:
        key = await self.create_key(ctx, args)
        try:
            result = await run_settled(
                ctx,
                self._statement(
                    self.create_statement(args), EffectProbe(self.probe_statement(key))
                ),
                self.create_context(ctx, args),
                lookup=lambda: self.lookup(ctx, key),
                applied=lambda row: row is not None,
                what=self._describe(key),
            )
        except AlreadyExistsError as exc:
            raise exc.adopt_with(
                import_command(self.token, ctx.resource_name, self.encode_key(key))
            ) from None
        return await self._finish(ctx, self.created_key(result, key), args)

    async def _finish(
        self, ctx: OperationContext, key: tuple[str, ...], args: A, *, created: bool = True
    ) -> S:
        """Wait until the object written for ``args`` is ready; a wait that cannot end (a
        deadline, errors that kept coming, a cancel) leaves it recorded as partial state for
        the next ``up`` to finish, never forgotten. A failed object was already undone."""
        try:
            row = await self._wait_ready(ctx, key, args, created=created)
        except ObjectFailedError:
            raise
        except UNFINISHED as exc:
            partial = self.outputs(**attrs.asdict(args, recurse=False))  # type: ignore[arg-type]
            raise left_in_place(exc, self._describe(key), self.encode_key(key), partial) from exc
        return self.outputs_from_row(row, args)

    async def _wait_ready(
        self, ctx: OperationContext, key: tuple[str, ...], args: A, *, created: bool = True
    ) -> Row:
        what = self._describe(key)
        if self.state_column is None:
            return await wait_for_row(ctx, lambda: self.lookup(ctx, key), what, backoff=self.poll)
        state = self.state_column
        done = self.ready_states | self.failed_states
        gone_ends = self.fail_when_gone
        row = await wait_until(
            lambda: self.lookup(ctx, key),
            lambda r: gone_ends if r is None else str(r.get(state) or "").lower() in done,
            clock=ctx.clock,
            timeout=ctx.timeout or self.ready_timeout,
            what=f"{what} to become ready",
            describe=self.describe_row,
            log=ctx.log,
            backoff=self.poll,
        )
        if row is None or str(row.get(state) or "").lower() in self.failed_states:
            await self.object_failed(ctx, key, row, args, created=created)
        return row

    async def read(
        self, ctx: OperationContext, resource_id: str, state: S | None
    ) -> ReadResult[A, S] | None:
        key = self.parse_id(resource_id)
        row = await self.lookup(ctx, key)
        if row is None:
            return None
        previous = self.inputs_from_outputs(state) if state is not None else None
        outputs = await self.read_outputs(ctx, key, row, previous)
        found = self.encode_key(key) if self.canonical_ids else resource_id
        return ReadResult(found, outputs, self.inputs_from_outputs(outputs))

    async def update(self, ctx: OperationContext, resource_id: str, olds: S, news: A) -> S:
        """Apply :meth:`update_statements`; with none (every input replaces), only a create
        left unfinished (partial state) gets here, and this finishes it."""
        key = self.parse_id(resource_id)
        for made in self.update_statements(key, olds, news):
            # an update sets values: sending it again after a lost answer is safe
            await run_idempotent(ctx, self._statement(made, None), ctx.base)
        return await self._finish(ctx, key, news, created=False)

    async def delete(self, ctx: OperationContext, resource_id: str, state: S) -> None:
        await self._drop(ctx, self.parse_id(resource_id))

    async def _drop(self, ctx: OperationContext, key: tuple[str, ...]) -> None:
        gone = EffectProbe(self.probe_statement(key), applied_if_rows=False)
        try:
            await run_settled(
                ctx,
                self._statement(self.drop_statement(key), gone),
                ctx.base,
                lookup=lambda: self.lookup(ctx, key),
                applied=lambda row: row is None,
                what=f"the drop of {self._describe(key)}",
            )
        except NotFoundError:
            return  # already gone (or its parent is): deletes are idempotent
        except DependentObjectsError as exc:
            hint = self.dependents_hint(key)
            if hint is None:
                raise
            raise DependentObjectsError(
                exc.sql_state, exc.server_message, statement_id=exc.statement_id, hint=hint
            ) from None
        await wait_for_no_row(
            ctx,
            lambda: self.lookup(ctx, key),
            self._describe(key),
            timeout=self.ready_timeout,
            backoff=self.poll,
            describe=self.describe_row,
        )


class _Lookup(Function[A, R], Generic[A, R]):
    #: the kind whose system table the lookup reads
    kind: ClassVar[CatalogKind[Any, Any]]

    def where(self, args: A) -> dict[str, str]:
        """The column filters of ``args``: each argument named like a key or column field
        filters that column (override for other shapes)."""
        fields = {c.attribute: c.name for c in (*self.kind.key, *self.kind.columns)}
        return {
            fields[name]: value
            for name, value in attrs.asdict(args, recurse=False).items()  # type: ignore[arg-type]
            if name in fields and value is not None
        }

    def what(self, args: A, where: Mapping[str, str]) -> str:
        """How messages name what was looked up (the singular lookup's "not found", the
        plural one's cap warning)."""
        return f"{self.kind.noun} " + ", ".join(f"{k}={v!r}" for k, v in where.items())

    def item(self, row: Row, model: type[Any]) -> Any:
        names = {f.name for f in attrs.fields(model)}
        return model(**{k: v for k, v in self.kind.row_values(row).items() if k in names})


class CatalogLookup(_Lookup[A, R]):
    """A singular lookup (``getX``): the one object matching the arguments; not found and
    several matches are errors. Declare ``token``, ``description``, ``args``, ``result`` and
    ``kind`` (an instance of the :class:`CatalogKind` whose table it reads)."""

    async def invoke(self, ctx: OperationContext, args: A) -> R:
        where = self.where(args)
        rows = await select(ctx, self.kind.select_sql(where, limit=2))
        row = exactly_one(rows, self.what(args, where))
        return await self.complete(ctx, args, row, self.item(row, self.result))

    async def complete(self, ctx: OperationContext, args: A, row: Row, result: R) -> R:
        """The result of the object found in ``row``; override to add what a second,
        read-only statement reports (e.g. a ``DESCRIBE``). Default: ``result`` as is."""
        return result


class CatalogListing(_Lookup[A, R]):
    """A plural lookup (``getXs``): the matching objects ordered by key, at most 200 with a
    warning when more exist. Declare ``items`` (the result field holding the list) and
    ``item_model`` (the type of one element) besides what :class:`CatalogLookup` needs."""

    #: the result attribute holding the list, e.g. ``"databases"``
    items: ClassVar[str]
    #: the model of one element
    item_model: ClassVar[type[Any]]
    #: what narrows the lookup, for the cap's warning, e.g. ``"use getDatabase"``
    narrower: ClassVar[str] = "add a filter"

    def what(self, args: A, where: Mapping[str, str]) -> str:
        return self.token.rsplit(":", 1)[-1]

    async def invoke(self, ctx: OperationContext, args: A) -> R:
        where = self.where(args)
        rows = await select(ctx, self.kind.select_sql(where, limit=CAPPED_LIMIT))
        rows = capped(ctx, rows, self.what(args, where), self.narrower)
        result: R = self.result(**{self.items: [self.item(r, self.item_model) for r in rows]})
        return result


def name_input(noun: str, short: str = "") -> Any:
    """The ``name`` input of a kind that names its object after the resource
    (``autoname_field = "name"``): optional, a valid name, a change replaces. ``short`` is how
    the description says "replaces the …" (default: ``noun``)."""
    return prop(
        f"Name of the {noun}; defaults to the resource name with a suffix. Changing it "
        f"replaces the {short or noun}.",
        default=None,
        replace=True,
        check=check_name,
    )


def owner_input(short: str, description: str = "") -> Any:
    """The ``owner`` input (``owner_field``): the role the object is created as; a change
    replaces; absent, it keeps the role DeltaStream filled in (``keep_when_absent``), so a
    refresh does not turn the next ``up`` into a replacement. ``description`` rewords it."""
    return prop(
        description
        or f"Owning role; the {short} is created as this role. Changing it replaces the {short}.",
        default=None,
        replace=True,
        check=check_name,
        keep_when_absent=True,
    )


def name_lookups(
    kind: type[CatalogKind[Any, Any]],
    result: type[Any],
    *,
    items: str,
    one: str = "",
    many: str = "",
    argument: str = "",
    listed: str = "",
    narrower: str = "",
) -> tuple[type[CatalogLookup[Any, Any]], type[CatalogListing[Any, Any]]]:
    """The two lookups of a kind keyed by one name: ``getX(name)`` and ``getXs()``::

        GetSecret, GetSecrets = name_lookups(
            SecretKind, GetSecretResult, items="secrets",
            one="Look up one secret by name.", many="List secrets ordered by name, at most 200.",
        )

    ``result`` is the model of one object (give it a ``TYPE_TOKEN``); ``items`` the
    snake_case plural, which names the list field and the plural token (``secrets``:
    ``getSecrets``). The descriptions of the two lookups (``one``, ``many``), of the name
    argument (``argument``) and the list field (``listed``), and the cap's warning
    (``narrower``) default to ones made from the kind's ``noun`` and ``items``. Assign both
    to module names (tests and the registry see ordinary classes).
    """
    noun, module, plural_noun = kind.noun, kind.__module__, items.replace("_", " ")
    one_name = kind.token.rsplit(":", 1)[-1]
    many_name = camel(items)[:1].upper() + camel(items)[1:]

    def model(name: str, fields: dict[str, Any], types: dict[str, Any]) -> type[Any]:
        return attrs.frozen(
            type(name, (), {"__module__": module, "__annotations__": types, **fields})
        )

    def lookup(base: type[Any], name: str, attributes: dict[str, Any]) -> Any:
        token = f"deltastream:index:get{name}"
        return type(f"Get{name}", (base,), {"__module__": module, "token": token, **attributes})

    args = model(
        f"Get{one_name}Args",
        {"name": prop(argument or f"Name of the {noun} to look up.", check=check_name)},
        {"name": str},
    )
    wording = f"The {plural_noun}, ordered by name; at most 200 (a warning says when more exist)."
    listing = output(listed or wording, default=attrs.Factory(list))
    many_result = model(f"Get{many_name}Result", {items: listing}, {items: list[result]})  # type: ignore[valid-type]
    singular = {
        "description": one or f"Look up one {noun} by name.",
        "args": args,
        "result": result,
        "kind": kind(),
    }
    plural = {
        "description": many or f"List {plural_noun} ordered by name, at most 200.",
        "args": model(f"Get{many_name}Args", {}, {}),
        "result": many_result,
        "kind": kind(),
        "items": items,
        "item_model": result,
        "narrower": narrower or f"look up a single {noun} with get{one_name}",
    }
    return lookup(CatalogLookup, one_name, singular), lookup(CatalogListing, many_name, plural)
