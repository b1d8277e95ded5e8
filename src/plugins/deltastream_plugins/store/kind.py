"""The ``deltastream:index:Store`` resource lifecycle.

Differences from the official provider
(docs/reference/deltastream-sql.md#official-provider-defects), on purpose:

* one ``CREATE STORE`` with keys in a fixed order and every literal escaped;
* a store dropped out of band is drift on refresh, not an error; a delete confirms absence
  with a couple of cheap lookups instead of waiting a fixed minute;
* a create that ends ``errored`` drops the store and confirms it is gone before failing with
  the service's ``status_message``; one whose wait cannot end (timeout, lasting transient
  errors, cancellation) keeps the store and records it as a partial failure, which the next
  ``up`` finishes;
* a rename or a type change replaces the store; ``owner`` is compared and applied in place
  with ``ALTER STORE … OWNER TO``; nothing is sent during preview.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from deltastream_core.diff import DiffResult
from deltastream_core.errors import (
    AlreadyExistsError,
    DeltaStreamError,
    NotFoundError,
    ObjectFailedError,
)
from deltastream_core.kinds import (
    CheckFailure,
    CheckResult,
    OperationContext,
    ReadResult,
    ResourceKind,
)
from deltastream_core.model import (
    converter,
    input_fields,
    is_required_input,
    resolved_type,
    secret_paths,
    strip_optional,
    wire_name,
)
from deltastream_core.ports import EffectProbe, Statement
from deltastream_core.sql import quote_identifier, quote_literal
from deltastream_core.unknown import UNKNOWN
from deltastream_plugins._common import (
    UNFINISHED,
    import_command,
    left_in_place,
    rfc3339,
    run_idempotent,
    run_settled,
)
from deltastream_plugins.store import catalog
from deltastream_plugins.store.common import StoreType, is_set
from deltastream_plugins.store.models import (
    BLOCKS,
    TYPES,
    StoreInputs,
    StoreOutputs,
    block_of,
    blocks_set,
    type_for_catalog,
    type_of,
)
from deltastream_plugins.store.uris import credentials_in_uris
from deltastream_plugins.store.withclause import changed_pairs, create_statement, update_statement

TOKEN = "deltastream:index:Store"


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for value in sorted(secrets, key=len, reverse=True):
        if value:
            text = text.replace(value, "<redacted>")
    return text


def _failed(name: str, row: dict[str, Any] | None, secrets: tuple[str, ...], tail: str) -> str:
    if row is None:
        return f"store {name!r} disappeared from the catalog while becoming ready{tail}"
    message = _scrub(str(row.get("status_message") or "no status message"), secrets)
    return f"store {name!r} errored: {message}{tail}"


def _with_catalog(outputs: StoreOutputs, row: Mapping[str, Any]) -> StoreOutputs:
    return attrs.evolve(
        outputs,
        owner=row.get("owner") or outputs.owner,
        type=row.get("type"),
        state=row.get("status"),
        created_at=rfc3339(row.get("created_at")),
        updated_at=rfc3339(row.get("updated_at")),
    )


def _outputs_from(args: StoreInputs) -> StoreOutputs:
    fields = {f.name: getattr(args, f.name) for f in attrs.fields(StoreInputs)}
    return StoreOutputs(**fields)


def partial_block(store_type: StoreType, wire: Mapping[str, Any]) -> Any:
    """A block model from imported values; secret inputs DeltaStream cannot return stay None."""
    kwargs: dict[str, Any] = {}
    for field in input_fields(store_type.model):
        value = wire.get(wire_name(field))
        inner, _ = strip_optional(resolved_type(store_type.model, field))
        kwargs[field.name] = None if value is None else converter().structure(value, inner)
    return store_type.model(**kwargs)


#: inputs DeltaStream never returns: secrets, and a few identifying settings it hides alike
_UNRETURNED = {".".join(path) for path in secret_paths(StoreInputs)} | {
    f"{t.block}.{name}" for t in TYPES for name in t.unreturned
}


def _missing_unreturned(failure: CheckFailure, olds: Mapping[str, Any]) -> bool:
    """A "required" failure for an input DeltaStream never returns, absent from ``olds`` too."""
    if failure.property not in _UNRETURNED or not failure.reason.startswith("is required"):
        return False
    block, _, field = failure.property.partition(".")
    old_block = olds.get(block)
    return isinstance(old_block, Mapping) and not is_set(old_block.get(field))


def missing_inputs(store_type: StoreType, wire: Mapping[str, Any]) -> list[str]:
    """Wire paths of the secret or required inputs an import could not rebuild."""
    found = []
    secret = store_type.secret_attrs()
    for field in input_fields(store_type.model):
        if wire_name(field) in wire:
            continue
        if field.name in secret or is_required_input(field):
            found.append(f"{store_type.block}.{wire_name(field)}")
    return found


class StoreKind(ResourceKind[StoreInputs, StoreOutputs]):
    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "A DeltaStream store: the connection to a Kafka, Confluent Kafka, Kinesis, PostgreSQL "
        "or Snowflake system that streams and tables read from and write to. Set exactly one "
        "type block. Import with the store's name."
    )
    inputs = StoreInputs
    outputs = StoreOutputs

    def resource_id(self, outputs: StoreOutputs) -> str:
        return outputs.name

    # -- check / diff / preview -------------------------------------------------------------
    async def check(
        self, ctx: OperationContext, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> CheckResult:
        result = await super().check(ctx, olds, news)
        failures = list(result.failures)
        present = blocks_set(news)
        if not present:
            failures.append(
                CheckFailure("", f"set exactly one store type block: one of {', '.join(BLOCKS)}")
            )
        elif len(present) > 1:
            failures.append(
                CheckFailure(
                    "",
                    f"only one store type block may be set, but {' and '.join(present)} are "
                    "both set; a store has exactly one type",
                )
            )
        for store_type in TYPES:
            raw = news.get(store_type.block)
            if isinstance(raw, Mapping):
                failures.extend(store_type.rules(raw, f"{store_type.block}."))
                secret = (store_type.block, "uris") in ctx.secret_inputs
                failures.extend(credentials_in_uris(store_type, raw, marked_secret=secret))
        if olds:
            # an imported store, or one whose program never set them: DeltaStream keeps
            # secrets (and a few hidden settings) and never returns them, so their absence in
            # both the stored and the new inputs is not an error; nothing is sent for them
            # until the program sets them
            failures = [f for f in failures if not _missing_unreturned(f, olds)]
        unique = tuple(dict.fromkeys(failures))
        return CheckResult(inputs=news, failures=unique)

    def diff(self, old_inputs: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
        result = super().diff(old_inputs, news)
        if old_inputs and blocks_set(old_inputs) != blocks_set(news):
            # a different type block is a different store: DeltaStream cannot change the type
            detailed = {path: kind.with_replace() for path, kind in result.detailed.items()}
            return DiffResult(detailed, delete_before_replace=self.delete_before_replace)
        return result

    def preview_outputs(self, news: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(news)
        present = blocks_set(news)
        known = next((t for t in TYPES if [t.block] == present), None)
        out["type"] = known.catalog_types[0] if known else UNKNOWN
        out["state"] = UNKNOWN
        out["createdAt"] = UNKNOWN
        out["updatedAt"] = UNKNOWN
        if not out.get("owner"):
            out["owner"] = UNKNOWN
        return out

    # -- create -----------------------------------------------------------------------------
    async def create(self, ctx: OperationContext, args: StoreInputs) -> StoreOutputs:
        store_type, block = type_of(args), block_of(args)
        probe = EffectProbe(Statement.read(catalog.lookup_sql(args.name)))
        statement = create_statement(
            args.name, store_type.keyword, store_type.pairs(block), probe=probe
        )
        try:
            await run_settled(
                ctx,
                statement,
                ctx.as_role(args.owner),
                lookup=lambda: catalog.lookup(ctx, args.name),
                applied=lambda row: row is not None,
                what=f"store {args.name!r}",
            )
        except AlreadyExistsError as exc:
            raise exc.adopt_with(import_command(TOKEN, ctx.resource_name, args.name)) from None
        return await self._settle(ctx, args, doing="CREATE STORE", created=True)

    async def _settle(
        self, ctx: OperationContext, args: StoreInputs, *, doing: str, created: bool
    ) -> StoreOutputs:
        """Wait until the store is ready after ``doing``.

        A wait that cannot end keeps the store, recorded as a partial failure. An errored
        store that was just ``created`` is dropped (atomic create) unless the drop cannot
        finish either, then it is recorded; an errored store after an update is recorded.
        """
        name = args.name
        secrets = type_of(args).secret_values(block_of(args))
        try:
            row = await catalog.wait_settled(ctx, name, doing=doing)
        except UNFINISHED as exc:
            raise left_in_place(exc, f"store {name!r}", name, _outputs_from(args)) from exc
        if row is not None and catalog.status_of(row) == catalog.READY:
            return _with_catalog(_outputs_from(args), row)
        kept = None if row is None else _with_catalog(_outputs_from(args), row)
        if created:
            try:
                await self._drop(ctx, name)  # leave nothing behind, and be sure of it
            except DeltaStreamError as exc:
                tail = f"; dropping it failed too ({exc}), so it is kept in the stack"
                failure = ObjectFailedError(_failed(name, row, secrets, tail))
            else:
                raise ObjectFailedError(
                    _failed(name, row, secrets, "; the failed store was dropped")
                )
        else:
            tail = "; fix the settings and run the update again"
            failure = ObjectFailedError(_failed(name, row, secrets, tail))
        if kept is not None:
            # the store still exists: a partial failure keeps it (and its settings and
            # errored state) in the stack
            failure.resource_id = name
            failure.outputs = kept
        raise failure

    # -- read -------------------------------------------------------------------------------
    async def read(
        self, ctx: OperationContext, resource_id: str, state: StoreOutputs | None
    ) -> ReadResult[StoreInputs, StoreOutputs] | None:
        row = await catalog.lookup(ctx, resource_id)
        if row is None:
            return None  # dropped out of band: drift, not an error
        if state is not None:
            outputs = _with_catalog(state, row)
            return ReadResult(resource_id, outputs, self.inputs_from_outputs(outputs))
        return await self._import(ctx, resource_id, row)

    async def _import(
        self, ctx: OperationContext, name: str, row: dict[str, Any]
    ) -> ReadResult[StoreInputs, StoreOutputs] | None:
        store_type = type_for_catalog(row.get("type"))
        if store_type is None:
            raise NotFoundError(
                "3D006",
                f"store {name!r} has type {row.get('type')!r}, which this provider does not "
                f"manage (supported: {', '.join(t.keyword for t in TYPES)})",
            )
        props = await catalog.describe_properties(ctx, name)
        wire = store_type.inputs_from_properties(props)
        block = partial_block(store_type, wire)
        attr = "confluent_kafka" if store_type.block == "confluentKafka" else store_type.block
        inputs = StoreInputs(name=name, owner=row.get("owner"), **{attr: block})
        missing = missing_inputs(store_type, wire)
        if missing:
            ctx.log.warning(
                f"store {name!r} was imported without {', '.join(missing)}: DeltaStream never "
                "returns secrets (nor some identifying settings), so set these in your program "
                "(secrets with pulumi.secret / config --secret); until then the next preview "
                "shows them as added."
            )
        return ReadResult(name, _with_catalog(_outputs_from(inputs), row), inputs)

    # -- update -----------------------------------------------------------------------------
    async def update(
        self, ctx: OperationContext, resource_id: str, olds: StoreOutputs, news: StoreInputs
    ) -> StoreOutputs:
        runner = ctx.require_runner()
        name = olds.name
        if news.owner and news.owner != olds.owner:
            owned = EffectProbe(  # settles a lost answer: the owner is the new one
                Statement.read(
                    catalog.lookup_sql(name).removesuffix(";")
                    + f' AND "owner" = {quote_literal(news.owner)};'
                )
            )
            sql = f"ALTER STORE {quote_identifier(name)} OWNER TO {quote_identifier(news.owner)};"
            await runner.run(Statement(sql, probe=owned), ctx.base)
        store_type = type_of(news)
        old_block = block_of(olds) if type_of(olds) is store_type else None
        old_pairs = store_type.pairs(old_block) if old_block is not None else []
        pairs = changed_pairs(old_pairs, store_type.pairs(block_of(news)))
        if pairs:
            await run_idempotent(ctx, update_statement(name, pairs), ctx.base)
            return await self._settle(ctx, news, doing="UPDATE STORE", created=False)
        row = await catalog.lookup(ctx, name)
        if row is None:
            raise NotFoundError("3D006", f"store {name!r} no longer exists; run a refresh")
        if catalog.status_of(row) not in (catalog.READY, catalog.ERRORED):
            # still settling: a create left unfinished (partial state) is finished here
            return await self._settle(ctx, news, doing="CREATE STORE", created=False)
        return _with_catalog(_outputs_from(news), row)

    # -- delete -----------------------------------------------------------------------------
    async def delete(self, ctx: OperationContext, resource_id: str, state: StoreOutputs) -> None:
        await self._drop(ctx, resource_id)

    async def _drop(self, ctx: OperationContext, name: str) -> None:
        """``DROP STORE`` and confirm absence; already gone is success; dependents fail."""
        probe = EffectProbe(Statement.read(catalog.lookup_sql(name)), applied_if_rows=False)
        try:
            await run_settled(
                ctx,
                Statement(f"DROP STORE {quote_identifier(name)};", probe=probe),
                ctx.base,
                lookup=lambda: catalog.lookup(ctx, name),
                applied=lambda row: row is None,
                what=f"the drop of store {name!r}",
            )
        except NotFoundError:
            return
        await catalog.wait_gone(ctx, name)
