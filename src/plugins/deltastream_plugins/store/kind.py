"""The ``deltastream:index:Store`` resource: a :class:`~deltastream_core.catalog.CatalogKind`
whose type blocks are its variants.

Differences from the official provider
(docs/reference/deltastream-sql.md#official-provider-defects), on purpose:

* one ``CREATE STORE`` with keys in a fixed order and every literal escaped;
* a store dropped out of band is drift on refresh, not an error; a delete confirms absence
  with a couple of cheap lookups instead of waiting a fixed minute;
* a create that ends ``errored`` drops the store and confirms it is gone before failing with
  the service's ``status_message``; one whose wait cannot end (timeout, lasting transient
  errors, cancellation) keeps the store and records it as a partial failure, which the next
  ``up`` finishes; an update that ends ``errored`` keeps the store as a partial failure;
* a rename or a type change replaces the store; ``owner`` is compared and applied in place
  with ``ALTER STORE … OWNER TO``; nothing is sent during preview.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, NoReturn

import attrs

from deltastream_core.catalog import CatalogKind, Column, column
from deltastream_core.errors import DeltaStreamError, NotFoundError, ObjectFailedError
from deltastream_core.kinds import CheckFailure, OperationContext, ReadResult
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
from deltastream_core.sql import quote_identifier
from deltastream_core.unknown import UNKNOWN
from deltastream_core.waiting import Backoff
from deltastream_plugins._common import rfc3339
from deltastream_plugins.store import catalog
from deltastream_plugins.store.common import StoreType
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


def _failed(name: str, row: Mapping[str, Any] | None, secrets: tuple[str, ...], tail: str) -> str:
    if row is None:
        return f"store {name!r} disappeared from the catalog while becoming ready{tail}"
    message = _scrub(str(row.get("status_message") or "no status message"), secrets)
    return f"store {name!r} errored: {message}{tail}"


def partial_block(store_type: StoreType, wire: Mapping[str, Any]) -> Any:
    """A block model from imported values; secret inputs DeltaStream cannot return stay None."""
    kwargs: dict[str, Any] = {}
    for field in input_fields(store_type.model):
        value = wire.get(wire_name(field))
        inner, _ = strip_optional(resolved_type(store_type.model, field))
        kwargs[field.name] = None if value is None else converter().structure(value, inner)
    return store_type.model(**kwargs)


#: inputs DeltaStream never returns: secrets, and a few identifying settings it hides alike
_UNRETURNED = frozenset({".".join(path) for path in secret_paths(StoreInputs)}) | {
    f"{t.block}.{name}" for t in TYPES for name in t.unreturned
}


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


class StoreKind(CatalogKind[StoreInputs, StoreOutputs]):
    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "A DeltaStream store: the connection to a Kafka, Confluent Kafka, Kinesis, PostgreSQL, "
        "Snowflake, Databricks, S3, ClickHouse or Iceberg REST system that streams and tables "
        "read from and write to (the last four are experimental). Set exactly one type block. "
        "Import with the store's name."
    )
    inputs = StoreInputs
    outputs = StoreOutputs
    system_table: ClassVar[str] = "stores"
    noun: ClassVar[str] = "store"
    key: ClassVar[tuple[Column, ...]] = (column("name"),)
    columns: ClassVar[tuple[Column, ...]] = (
        column("type"),
        column("status", "state"),
        column("owner"),
        column("created_at", convert=rfc3339),
        column("updated_at", convert=rfc3339),
        column("status_message"),  # not an output: the reason an errored store gives
    )
    state_column: ClassVar[str | None] = "status"
    ready_states: ClassVar[frozenset[str]] = frozenset({catalog.READY})
    failed_states: ClassVar[frozenset[str]] = frozenset({catalog.ERRORED})
    fail_when_gone: ClassVar[bool] = True
    ready_timeout: ClassVar[float] = catalog.READY_TIMEOUT
    poll: ClassVar[Backoff] = catalog.POLL
    variants: ClassVar[tuple[str, ...]] = BLOCKS
    variant_noun: ClassVar[str] = "store type block"
    unreturned: ClassVar[frozenset[str]] = _UNRETURNED

    # -- check / preview --------------------------------------------------------------------
    def check_raw(self, ctx: OperationContext, raw: Mapping[str, Any]) -> list[CheckFailure]:
        failures: list[CheckFailure] = []
        for store_type in TYPES:
            block = raw.get(store_type.block)
            if isinstance(block, Mapping):
                failures.extend(store_type.rules(block, f"{store_type.block}."))
                secret = (store_type.block, "uris") in ctx.secret_inputs
                failures.extend(credentials_in_uris(store_type, block, marked_secret=secret))
        return failures

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

    # -- statements -------------------------------------------------------------------------
    def create_statement(self, args: StoreInputs) -> Statement:
        store_type = type_of(args)
        return create_statement(args.name, store_type.keyword, store_type.pairs(block_of(args)))

    def update_statements(
        self, key: tuple[str, ...], olds: StoreOutputs, news: StoreInputs
    ) -> list[Statement | str]:
        name = key[0]
        out: list[Statement | str] = []
        if news.owner and news.owner != olds.owner:
            # settles a lost answer: the owner is the new one
            owned = self.select_sql({"name": name, "owner": news.owner})
            sql = f"ALTER STORE {quote_identifier(name)} OWNER TO {quote_identifier(news.owner)};"
            out.append(Statement(sql, probe=EffectProbe(Statement.read(owned))))
        store_type = type_of(news)
        old_block = block_of(olds) if type_of(olds) is store_type else None
        old_pairs = store_type.pairs(old_block) if old_block is not None else []
        pairs = changed_pairs(old_pairs, store_type.pairs(block_of(news)))
        if pairs:
            out.append(update_statement(name, pairs))
        return out

    def drop_statement(self, key: tuple[str, ...]) -> str:
        return f"DROP STORE {quote_identifier(key[0])};"

    # -- waits and failures -----------------------------------------------------------------
    def describe_row(self, row: Mapping[str, Any] | None) -> str:
        return catalog.describe_row(row)

    async def object_failed(
        self,
        ctx: OperationContext,
        key: tuple[str, ...],
        row: Mapping[str, Any] | None,
        args: StoreInputs,
        *,
        created: bool,
    ) -> NoReturn:
        """An errored (or vanished) store fails with its scrubbed ``status_message``. Just
        created: it is dropped (and confirmed gone); if the drop cannot finish it is kept.
        After an update it is kept: a partial failure with its settings and errored state."""
        name = key[0]
        if row is None and not created:
            raise NotFoundError("3D006", f"store {name!r} no longer exists; run a refresh")
        secrets = type_of(args).secret_values(block_of(args))
        kept = None if row is None else self.outputs_from_row(dict(row), args)
        if created:
            try:
                await self._drop(ctx, key)  # leave nothing behind, and be sure of it
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
            failure.resource_id = name
            failure.outputs = kept
        raise failure

    # -- import -----------------------------------------------------------------------------
    async def read(
        self, ctx: OperationContext, resource_id: str, state: StoreOutputs | None
    ) -> ReadResult[StoreInputs, StoreOutputs] | None:
        found = await super().read(ctx, resource_id, state)
        if found is None or state is not None:
            return found  # gone (drift, not an error), or a refresh of known state
        return await self._import(ctx, found.outputs)

    async def _import(
        self, ctx: OperationContext, seen: StoreOutputs
    ) -> ReadResult[StoreInputs, StoreOutputs]:
        name = seen.name
        store_type = type_for_catalog(seen.type)
        if store_type is None:
            raise NotFoundError(
                "3D006",
                f"store {name!r} has type {seen.type!r}, which this provider does not "
                f"manage (supported: {', '.join(t.keyword for t in TYPES)})",
            )
        props = await catalog.describe_properties(ctx, name)
        wire = store_type.inputs_from_properties(props)
        block = partial_block(store_type, wire)
        outputs = attrs.evolve(seen, **{store_type.attr(): block})
        missing = missing_inputs(store_type, wire)
        if missing:
            ctx.log.warning(
                f"store {name!r} was imported without {', '.join(missing)}: DeltaStream never "
                "returns secrets (nor some identifying settings), so set these in your program "
                "(secrets with pulumi.secret / config --secret); until then the next preview "
                "shows them as added."
            )
        return ReadResult(name, outputs, self.inputs_from_outputs(outputs))
