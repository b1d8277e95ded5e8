"""The Store resource's inputs and outputs, and the table of store types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from deltastream_core.model import output, prop
from deltastream_plugins._common import check_name
from deltastream_plugins.store.clickhouse import CLICKHOUSE, ClickhouseInputs
from deltastream_plugins.store.common import StoreType, is_set
from deltastream_plugins.store.confluent_kafka import CONFLUENT_KAFKA, ConfluentKafkaInputs
from deltastream_plugins.store.databricks import DATABRICKS, DatabricksInputs
from deltastream_plugins.store.iceberg_rest import ICEBERG_REST, IcebergRestInputs
from deltastream_plugins.store.kafka import KAFKA, KafkaInputs
from deltastream_plugins.store.kinesis import KINESIS, KinesisInputs
from deltastream_plugins.store.postgres import POSTGRES, PostgresInputs
from deltastream_plugins.store.s3 import S3, S3Inputs
from deltastream_plugins.store.snowflake import SNOWFLAKE, SnowflakeInputs

#: every store type, in the order blocks are listed in messages
TYPES: tuple[StoreType, ...] = (
    KAFKA,
    CONFLUENT_KAFKA,
    KINESIS,
    POSTGRES,
    SNOWFLAKE,
    DATABRICKS,
    S3,
    CLICKHOUSE,
    ICEBERG_REST,
)
BLOCKS: tuple[str, ...] = tuple(t.block for t in TYPES)

_NAME = (
    "The name of the store. Taken literally (always quoted), so it keeps its case; changing "
    "it replaces the store."
)
_OWNER = (
    "The role owning the store. The store is created as this role; a change is applied in "
    "place with ALTER STORE … OWNER TO. When unset, the creating role owns the store."
)
_EXPERIMENTAL = "Experimental ({why}): settings of {what} store."


def _experimental(store_type: StoreType, what: str) -> str:
    return _EXPERIMENTAL.format(why=store_type.experimental, what=what)


@attrs.frozen
class StoreInputs:
    name: str = prop(_NAME, replace=True, check=check_name)
    owner: str | None = prop(_OWNER, default=None, check=check_name, keep_when_absent=True)
    kafka: KafkaInputs | None = prop("Settings of a Kafka store.", default=None)
    confluent_kafka: ConfluentKafkaInputs | None = prop(
        "Settings of a Confluent Kafka store.", default=None
    )
    kinesis: KinesisInputs | None = prop("Settings of an Amazon Kinesis store.", default=None)
    postgres: PostgresInputs | None = prop("Settings of a PostgreSQL store.", default=None)
    snowflake: SnowflakeInputs | None = prop("Settings of a Snowflake store.", default=None)
    databricks: DatabricksInputs | None = prop(
        _experimental(DATABRICKS, "a Databricks"), default=None
    )
    s3: S3Inputs | None = prop(_experimental(S3, "an Amazon S3"), default=None)
    clickhouse: ClickhouseInputs | None = prop(
        _experimental(CLICKHOUSE, "a ClickHouse"), default=None
    )
    iceberg_rest: IcebergRestInputs | None = prop(
        _experimental(ICEBERG_REST, "an Iceberg REST catalog"), default=None
    )


@attrs.frozen
class StoreOutputs(StoreInputs):
    """What DeltaStream reports: the inputs, and what it computes."""

    type: str | None = output("Type of the store as DeltaStream reports it (e.g. Kafka).")
    state: str | None = output("Provisioning state of the store (ready once usable).")
    created_at: str | None = output("When the store was created (RFC 3339).")
    updated_at: str | None = output("When the store was last changed (RFC 3339).")


def blocks_set(raw: Mapping[str, Any]) -> list[str]:
    """The type blocks present in raw inputs (an unknown block counts as present)."""
    return [b for b in BLOCKS if is_set(raw.get(b)) and raw.get(b) != {}]


def type_of(args: StoreInputs | StoreOutputs) -> StoreType:
    """The store type of fully structured inputs (Check guarantees exactly one block)."""
    for store_type in TYPES:
        if getattr(args, store_type.attr()) is not None:
            return store_type
    raise ValueError(f"store {args.name!r} has none of the blocks {', '.join(BLOCKS)}")


def block_of(args: StoreInputs | StoreOutputs) -> Any:
    return getattr(args, type_of(args).attr())


def type_for_catalog(catalog_type: str | None) -> StoreType | None:
    return next((t for t in TYPES if t.matches(catalog_type)), None)
