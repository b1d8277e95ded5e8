"""Entity: ``deltastream:index:Entity`` (a topic, stream or table inside a store) and the
getEntities/getEntityData lookups. Property names follow the earlier bridged provider.

There is no system table of entities: an entity is read back with ``DESCRIBE ENTITY … IN
STORE …`` (Kafka rows: partitions, replicas, key and value descriptors, every config as JSON;
Kinesis rows: shards, descriptor), so this kind overrides the catalog lookup and the effect
probe. No ``UPDATE ENTITY`` with these keys is known, so every change is a replacement; the
store and the path replace too (the Terraform provider tried an update that fails). Statements
and evidence: docs/reference/other-kinds.md#entities.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs

from deltastream_core import registering
from deltastream_core.catalog import CatalogKind, Column, decode_id
from deltastream_core.errors import NotFoundError, StatementError
from deltastream_core.kinds import CheckFailure, CheckResult, Function, OperationContext
from deltastream_core.model import output, prop
from deltastream_core.ports import Statement
from deltastream_core.rows import ROW_CAP, Row, capped, check_name, first_or_none
from deltastream_core.sql import qualified, quote_identifier, unquote_identifier
from deltastream_core.withclause import Pair, with_statement

TOKEN = "deltastream:index:Entity"
#: DESCRIBE ENTITY of an absent entity: 3D020, or 3D008 (both seen by dbt-deltastream)
_ABSENT = {"3D020", "3D008"}
#: getEntityData: rows returned when numRows is not given, and the most it may ask for
DATA_ROWS_DEFAULT = 10
DATA_ROWS_MAX = ROW_CAP


def _positive(value: int) -> str | None:
    return None if value >= 1 else "must be at least 1"


def _path_problem(value: list[str]) -> str | None:
    if not value:
        return "must name at least one path component (a Kafka topic is a one-element path)"
    bad = [part for part in value if check_name(part)]
    return f"has invalid components: {', '.join(repr(p) for p in bad)}" if bad else None


def _configs_problem(value: dict[str, str]) -> str | None:
    bad = [k for k in value if not k or k.strip() != k or "'" in k]
    return f"has invalid config names: {', '.join(repr(k) for k in bad)}" if bad else None


@attrs.frozen
class EntityKafkaProperties:
    """Topic settings of an entity in a Kafka or Confluent Kafka store."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:EntityKafkaProperties"
    topic_partitions: int | None = prop(
        "Number of partitions (sent as 'kafka.partitions'; DeltaStream's default when "
        "absent); changing it replaces the entity.",
        default=None,
        keep_when_absent=True,
        check=_positive,
    )
    topic_replicas: int | None = prop(
        "Number of replicas (sent as 'kafka.replicas'; DeltaStream's default when absent); "
        "changing it replaces the entity.",
        default=None,
        keep_when_absent=True,
        check=_positive,
    )
    configs: dict[str, str] | None = prop(
        "Topic configurations (each sent as 'kafka.topic.<name>'); changing them replaces "
        "the entity. Not read back on import (allConfigs shows every config).",
        default=None,
        check=_configs_problem,
    )
    all_configs: dict[str, str] | None = output(
        "Output: every topic configuration, including those the server set."
    )
    key_descriptor: str | None = output(
        "Output: the descriptor (of a descriptor source) that decodes keys, if any."
    )
    value_descriptor: str | None = output(
        "Output: the descriptor (of a descriptor source) that decodes values, if any."
    )


@attrs.frozen
class EntityKinesisProperties:
    """Stream settings of an entity in a Kinesis store."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:EntityKinesisProperties"
    kinesis_shards: int | None = prop(
        "Number of shards (sent as 'kinesis.shards'; DeltaStream's default when absent); "
        "changing it replaces the entity.",
        default=None,
        keep_when_absent=True,
        check=_positive,
    )
    descriptor: str | None = output(
        "Output: the descriptor (of a descriptor source) that decodes records, if any."
    )


@attrs.frozen
class EntityInputs:
    store: str = prop("Name of the store the entity lives in.", replace=True, check=check_name)
    entity_paths: list[str] = prop(
        "Path of the entity in the store (a Kafka topic: one component).",
        replace=True,
        check=_path_problem,
    )
    kafka_properties: EntityKafkaProperties | None = prop(
        "Settings for a Kafka or Confluent Kafka store; changing them replaces the entity "
        "(leaving them out keeps what exists).",
        default=None,
        keep_when_absent=True,
        replace=True,
    )
    kinesis_properties: EntityKinesisProperties | None = prop(
        "Settings for a Kinesis store; changing them replaces the entity (leaving them out "
        "keeps what exists).",
        default=None,
        keep_when_absent=True,
        replace=True,
    )


@attrs.frozen
class EntityOutputs(EntityInputs):
    """What DeltaStream reports: the inputs (with the settings read back)."""


def _kafka_block(values: list[Any], given: EntityKafkaProperties | None) -> EntityKafkaProperties:
    """A Kafka DESCRIBE row: two leading columns, partitions, replicas, key descriptor,
    value descriptor, configs JSON (read by position, as the official provider does)."""
    raw = values[6] if len(values) > 6 else None
    try:
        decoded = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        decoded = {}
    every = {str(k): str(v) for k, v in decoded.items()} if isinstance(decoded, dict) else {}
    return EntityKafkaProperties(
        topic_partitions=_int(values[2]),
        topic_replicas=_int(values[3]),
        # only the configs the program set are inputs; the rest are the server's
        configs=None if given is None else given.configs,
        all_configs=every,
        key_descriptor=_text(values[4]),
        value_descriptor=_text(values[5]),
    )


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


#: output fields of the blocks, which a program cannot set
_BLOCK_OUTPUTS = {
    "kafkaProperties": ("allConfigs", "keyDescriptor", "valueDescriptor"),
    "kinesisProperties": ("descriptor",),
}


def _block_problems(raw: Mapping[str, Any]) -> list[CheckFailure]:
    failures: list[CheckFailure] = []
    if all(raw.get(block) is not None for block in _BLOCK_OUTPUTS):
        failures.append(
            CheckFailure("", "set at most one of kafkaProperties and kinesisProperties")
        )
    for block, names in _BLOCK_OUTPUTS.items():
        values = raw.get(block)
        if not isinstance(values, Mapping):
            continue
        for name in names:
            if values.get(name) is not None:
                failures.append(CheckFailure(f"{block}.{name}", "is an output; it cannot be set"))
    return failures


class EntityKind(CatalogKind[EntityInputs, EntityOutputs]):
    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "An entity: a topic (Kafka), stream (Kinesis) or other object inside a store. Every "
        "change is a replacement (DeltaStream cannot alter an entity's settings). Import with "
        "`<store>/<path component>/…`."
    )
    inputs = EntityInputs
    outputs = EntityOutputs
    #: a store of another type has neither block
    optional_outputs: ClassVar[tuple[str, ...]] = ("kafkaProperties", "kinesisProperties")
    system_table: ClassVar[str] = ""  # none: read back with DESCRIBE ENTITY
    noun: ClassVar[str] = "entity"
    key: ClassVar[tuple[Column, ...]] = ()
    id_hint: ClassVar[str] = "<store>/<path component>/…"
    owner_field: ClassVar[str | None] = None

    async def check(
        self, ctx: OperationContext, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> CheckResult:
        """The model's rules, plus the cross-field ones on the raw inputs, so that every
        problem is reported at once (``validate`` would run only once the fields pass)."""
        result = await super().check(ctx, olds, news)
        return attrs.evolve(result, failures=(*result.failures, *_block_problems(news)))

    # -- the key: the store, then every path component --------------------------------------
    def key_of(self, values: Any) -> tuple[str, ...]:
        return (str(values.store), *[str(p) for p in values.entity_paths])

    def decode_key(self, resource_id: str) -> tuple[str, ...] | None:
        return decode_id(resource_id, None)  # the store and at least one path component

    def _target(self, key: Sequence[str]) -> str:
        return f"{qualified(*key[1:])} IN STORE {quote_identifier(key[0])}"

    def probe_statement(self, key: Sequence[str]) -> Statement:
        return Statement.read(f"DESCRIBE ENTITY {self._target(key)};")

    async def lookup(self, ctx: OperationContext, key: Sequence[str]) -> Row | None:
        """The DESCRIBE row as ``{"store", "path", "columns": [values in order]}``, or None
        when the entity (or its store) is absent."""
        try:
            result = await ctx.require_runner().run(self.probe_statement(key), ctx.base)
        except NotFoundError:
            return None
        except StatementError as exc:
            if exc.sql_state in _ABSENT:
                return None
            raise
        row = first_or_none(list(result.records()))
        if row is None:
            return None
        return {"store": key[0], "path": list(key[1:]), "columns": list(row.values())}

    def outputs_from_row(self, row: Row, args: EntityInputs | None = None) -> EntityOutputs:
        values: list[Any] = row["columns"]
        kafka: EntityKafkaProperties | None = None
        kinesis: EntityKinesisProperties | None = None
        if len(values) >= 7:
            kafka = _kafka_block(values, None if args is None else args.kafka_properties)
        elif len(values) == 3:
            kinesis = EntityKinesisProperties(
                kinesis_shards=_int(values[1]), descriptor=_text(values[2])
            )
        return EntityOutputs(
            store=row["store"],
            entity_paths=list(row["path"]),
            kafka_properties=kafka,
            kinesis_properties=kinesis,
        )

    def inputs_from_outputs(self, outputs: EntityOutputs) -> EntityInputs:
        """The inputs without the blocks' output fields (a program cannot set them)."""
        kafka, kinesis = outputs.kafka_properties, outputs.kinesis_properties
        return EntityInputs(
            store=outputs.store,
            entity_paths=list(outputs.entity_paths),
            kafka_properties=None
            if kafka is None
            else EntityKafkaProperties(kafka.topic_partitions, kafka.topic_replicas, kafka.configs),
            kinesis_properties=None
            if kinesis is None
            else EntityKinesisProperties(kinesis.kinesis_shards),
        )

    # -- statements ---------------------------------------------------------------------------
    def create_statement(self, args: EntityInputs) -> Statement:
        head = f"CREATE ENTITY {self._target(self.key_of(args))}"
        pairs: list[Pair] = []
        kafka = args.kafka_properties
        if kafka is not None:
            if kafka.topic_partitions is not None:
                pairs.append(
                    Pair("kafka.partitions", str(kafka.topic_partitions), kafka.topic_partitions)
                )
            if kafka.topic_replicas is not None:
                pairs.append(
                    Pair("kafka.replicas", str(kafka.topic_replicas), kafka.topic_replicas)
                )
            for name, value in sorted((kafka.configs or {}).items()):
                pairs.append(Pair.text(f"kafka.topic.{name}", value))
        kinesis = args.kinesis_properties
        if kinesis is not None and kinesis.kinesis_shards is not None:
            shards = kinesis.kinesis_shards
            pairs.append(Pair("kinesis.shards", str(shards), shards))
        if not pairs:
            return Statement(f"{head};")
        return with_statement(head, pairs)

    def drop_statement(self, key: tuple[str, ...]) -> str:
        return f"DROP ENTITY {self._target(key)};"


# -- lookups -----------------------------------------------------------------------------


@attrs.frozen
class GetEntitiesArgs:
    store: str = prop("Name of the store.", check=check_name)
    parent_paths: list[str] | None = prop(
        "Path of the parent entity whose children to list; the store's top level when absent.",
        default=None,
    )


@attrs.frozen
class GetEntitiesResult:
    store: str = output("Name of the store.")
    parent_paths: list[str] | None = output("Path of the parent entity.")
    child_entities: list[str] = output(
        "Names of the child entities, in the order DeltaStream lists them; at most 200.",
        default=attrs.Factory(list),
    )


class GetEntities(Function[GetEntitiesArgs, GetEntitiesResult]):
    token: ClassVar[str] = "deltastream:index:getEntities"
    description: ClassVar[str] = (
        "List the entities in a store (or below a parent path), at most 200."
    )
    args = GetEntitiesArgs
    result = GetEntitiesResult

    async def invoke(self, ctx: OperationContext, args: GetEntitiesArgs) -> GetEntitiesResult:
        parent = f" IN {qualified(*args.parent_paths)}" if args.parent_paths else ""
        sql = f"LIST ENTITIES{parent} IN STORE {quote_identifier(args.store)};"
        result = await ctx.require_runner().run(Statement.read(sql), ctx.base)
        names = [unquote_identifier(str(next(iter(r.values())))) for r in result.records() if r]
        names = capped(ctx, names, "getEntities", "give parentPaths", order="as listed")
        return GetEntitiesResult(args.store, args.parent_paths, names)


def _rows_problem(value: int) -> str | None:
    if 1 <= value <= DATA_ROWS_MAX:
        return None
    return f"must be between 1 and {DATA_ROWS_MAX}"


@attrs.frozen
class GetEntityDataArgs:
    store: str = prop("Name of the store.", check=check_name)
    entity_paths: list[str] = prop("Path of the entity to read.", check=_path_problem)
    # The defaults are applied here, not declared: a schema default makes the Go SDK's output
    # form of the lookup send empty arguments.
    from_beginning: bool | None = prop(
        "Read from the first retained record rather than the latest ones (default false).",
        default=None,
    )
    num_rows: int | None = prop(
        f"How many records to return: default {DATA_ROWS_DEFAULT}, at most {DATA_ROWS_MAX}.",
        default=None,
        check=_rows_problem,
    )


@attrs.frozen
class GetEntityDataResult:
    store: str = output("Name of the store.")
    entity_paths: list[str] = output("Path of the entity.")
    from_beginning: bool = output("Whether reading started from the beginning.")
    num_rows: int = output("The number of records asked for.")
    rows: list[str] = output(
        "The records, each as JSON text (a single-column record: that column's text).",
        default=attrs.Factory(list),
    )


def _row_text(row: Mapping[str, Any]) -> str:
    values = list(row.values())
    if len(values) == 1 and isinstance(values[0], str):
        return values[0]
    return json.dumps(dict(row), default=str, ensure_ascii=False)


class GetEntityData(Function[GetEntityDataArgs, GetEntityDataResult]):
    token: ClassVar[str] = "deltastream:index:getEntityData"
    description: ClassVar[str] = (
        "Read records of an entity with PRINT ENTITY: at most numRows (default 10, at most 200)."
    )
    args = GetEntityDataArgs
    result = GetEntityDataResult

    async def invoke(self, ctx: OperationContext, args: GetEntityDataArgs) -> GetEntityDataResult:
        target = f"{qualified(*args.entity_paths)} IN STORE {quote_identifier(args.store)}"
        start = bool(args.from_beginning)
        count = DATA_ROWS_DEFAULT if args.num_rows is None else args.num_rows
        sql = f"PRINT ENTITY {target}" + (" WITH ('from_beginning')" if start else "")
        result = await ctx.require_runner().run(Statement.read(sql + ";"), ctx.base)
        rows = [_row_text(r) for r in result.records()][:count]
        return GetEntityDataResult(args.store, list(args.entity_paths), start, count, rows)


deltastream_register_resource_kinds, deltastream_register_functions = registering(
    kinds=[EntityKind], functions=[GetEntities, GetEntityData]
)
