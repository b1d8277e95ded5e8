"""ComputePool: ``deltastream:index:ComputePool`` (compute that runs a statement's work,
experimental: no official IaC tool manages pools) and the getComputePool/getComputePools
lookups. The WITH keys are dbt-deltastream's (``compute_pool.size``,
``compute_pool.timeout_min``; the Python SDK shows another set, see
docs/reference/other-kinds.md#compute-pools). Size and timeout change in place with
``UPDATE COMPUTE_POOL``; a pool is stopped before it is dropped.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from deltastream_core import name_input, name_lookups, owner_input, registering
from deltastream_core.catalog import CatalogKind, Column, column
from deltastream_core.errors import NotFoundError
from deltastream_core.kinds import OperationContext
from deltastream_core.model import output, prop
from deltastream_core.ports import Statement
from deltastream_core.rows import rfc3339, run_idempotent
from deltastream_core.sql import quote_identifier
from deltastream_core.withclause import Pair, changed_pairs, with_statement

TOKEN = "deltastream:index:ComputePool"
SIZES = ("small", "medium", "large")
STOPPED = "stopped"


def _size_problem(value: str) -> str | None:
    return None if value.lower() in SIZES else f"must be one of {', '.join(SIZES)}"


def _timeout_problem(value: int) -> str | None:
    return None if value > 0 else "must be a positive number of minutes"


def _optional_int(value: object) -> int | None:
    return None if value in (None, "") else int(str(value))


@attrs.frozen
class ComputePoolInputs:
    size: str = prop(
        "Size of the pool: small, medium or large ('compute_pool.size'). Changes in place.",
        check=_size_problem,
        normalize=str.lower,
    )
    name: str | None = name_input("compute pool", "pool")
    timeout_minutes: int | None = prop(
        "Minutes of inactivity after which the pool suspends ('compute_pool.timeout_min'); "
        "DeltaStream's default when unset. Changes in place.",
        default=None,
        check=_timeout_problem,
    )
    owner: str | None = owner_input("pool")


@attrs.frozen
class ComputePoolOutputs(ComputePoolInputs):
    """What DeltaStream reports: the inputs, and what it computes."""

    intended_state: str | None = output("The state the pool was asked to be in (running).")
    actual_state: str | None = output("The state the pool is in (running once usable).")
    created_at: str | None = output("When the pool was created (RFC 3339).")
    updated_at: str | None = output("When the pool was last changed (RFC 3339).")


def _pairs(values: ComputePoolInputs) -> list[Pair]:
    pairs = [Pair.text("compute_pool.size", values.size.lower())]
    if values.timeout_minutes is not None:
        # a bare number, as dbt-deltastream sends it
        minutes = int(values.timeout_minutes)
        pairs.append(Pair("compute_pool.timeout_min", str(minutes), minutes))
    return pairs


class ComputePoolKind(CatalogKind[ComputePoolInputs, ComputePoolOutputs]):
    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "A compute pool (experimental: only dbt-deltastream and the Python SDK manage pools, "
        "and they disagree on its settings). Size and timeout change in place; the pool is "
        "stopped, then dropped, on delete. Import with its name."
    )
    inputs = ComputePoolInputs
    outputs = ComputePoolOutputs
    required_outputs: ClassVar[tuple[str, ...]] = ("name",)
    system_table: ClassVar[str] = "compute_pools"
    noun: ClassVar[str] = "compute pool"
    key: ClassVar[tuple[Column, ...]] = (column("name"),)
    columns: ClassVar[tuple[Column, ...]] = (
        column("size"),
        column("timeout_min", "timeout_minutes", convert=_optional_int),
        column("intended_state"),
        column("actual_state"),
        column("owner"),
        column("created_at", convert=rfc3339),
        column("updated_at", convert=rfc3339),
    )
    state_column: ClassVar[str | None] = "actual_state"
    ready_states: ClassVar[frozenset[str]] = frozenset({"running"})
    failed_states: ClassVar[frozenset[str]] = frozenset({"failed", "error", "errored"})
    autoname_field: ClassVar[str | None] = "name"

    def create_statement(self, args: ComputePoolInputs) -> Statement:
        return with_statement(
            f"CREATE COMPUTE_POOL {quote_identifier(str(args.name))}", _pairs(args)
        )

    def update_statements(
        self, key: tuple[str, ...], olds: ComputePoolOutputs, news: ComputePoolInputs
    ) -> list[Statement | str]:
        changed = changed_pairs(_pairs(olds), _pairs(news))
        if not changed:
            return []
        return [with_statement(f"UPDATE COMPUTE_POOL {quote_identifier(key[0])}", changed)]

    def drop_statement(self, key: tuple[str, ...]) -> str:
        return f"DROP COMPUTE_POOL {quote_identifier(key[0])};"

    async def _drop(self, ctx: OperationContext, key: tuple[str, ...]) -> None:
        # "Compute pools need to be stopped before they can be dropped" (dbt-deltastream)
        row = await self.lookup(ctx, key)
        if row is None:
            return
        if str(row.get("actual_state") or "").lower() != STOPPED:
            stop = Statement(f"STOP COMPUTE_POOL {quote_identifier(key[0])};")
            try:
                # stopping twice leaves it stopped: safe to send again after a lost answer
                await run_idempotent(ctx, stop, ctx.base)
            except NotFoundError:
                return
        await super()._drop(ctx, key)


# -- lookups --------------------------------------------------------------------------------


@attrs.frozen
class GetComputePoolResult:
    TYPE_TOKEN: ClassVar[str] = "deltastream:index:GetComputePoolResult"
    name: str = output("Name of the compute pool.")
    size: str = output("Size of the pool.")
    timeout_minutes: int | None = output("Minutes of inactivity before the pool suspends.")
    intended_state: str = output("The state the pool was asked to be in.")
    actual_state: str = output("The state the pool is in.")
    owner: str = output("Owning role of the pool.")
    created_at: str = output("When the pool was created (RFC 3339).")
    updated_at: str = output("When the pool was last changed (RFC 3339).")


GetComputePool, GetComputePools = name_lookups(
    ComputePoolKind,
    GetComputePoolResult,
    items="compute_pools",
    one="Look up one compute pool by name (experimental).",
    many="List compute pools ordered by name, at most 200 (experimental).",
    narrower="look up a single pool with getComputePool",
)


deltastream_register_resource_kinds, deltastream_register_functions = registering(
    kinds=[ComputePoolKind], functions=[GetComputePool, GetComputePools]
)
