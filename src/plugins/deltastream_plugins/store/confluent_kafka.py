"""Confluent Kafka stores (``'type' = CONFLUENT_KAFKA``): SASL credentials always required.

Not in the official Pulumi provider; modelled on the Terraform provider's ``confluent_kafka``
block (same keys, same allowed hash functions).
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from deltastream_core.model import prop
from deltastream_core.secrets import Secret
from deltastream_plugins.store.common import KeySpec, StoreType, one_of, upper
from deltastream_plugins.store.kafka import SASL_FUNCTIONS, SCHEMA_REGISTRY_KEY
from deltastream_plugins.store.withclause import Form


@attrs.frozen
class ConfluentKafkaInputs:
    """Settings of a Confluent Kafka (Confluent Cloud) store: SASL credentials required."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:ConfluentKafkaInputs"

    uris: str = prop("Comma-separated list of host:port bootstrap servers of the cluster.")
    sasl_hash_function: str = prop(
        "SASL mechanism: PLAIN, SHA256 or SHA512 (case-insensitive).",
        check=one_of(SASL_FUNCTIONS),
        normalize=upper,
    )
    sasl_username: Secret | None = prop(
        "SASL username (the Confluent API key).", default=None, required=True, secret=True
    )
    sasl_password: Secret | None = prop(
        "SASL password (the Confluent API secret).", default=None, required=True, secret=True
    )
    schema_registry_name: str | None = prop(
        "Name of a DeltaStream schema registry to decode messages with "
        "(sent as 'schema_registry.name').",
        default=None,
    )


class ConfluentKafkaType(StoreType):
    block: ClassVar[str] = "confluentKafka"
    credential_input: ClassVar[str] = "saslPassword"
    keyword: ClassVar[str] = "CONFLUENT_KAFKA"
    catalog_types: ClassVar[tuple[str, ...]] = ("ConfluentKafka",)
    model: ClassVar[type[Any]] = ConfluentKafkaInputs
    keys: ClassVar[tuple[KeySpec, ...]] = (
        KeySpec("uris", "uris"),
        KeySpec("sasl_hash_function", "kafka.sasl.hash_function", Form.KEYWORD, SASL_FUNCTIONS),
        KeySpec("sasl_username", "kafka.sasl.username"),
        KeySpec("sasl_password", "kafka.sasl.password"),
        KeySpec("schema_registry_name", SCHEMA_REGISTRY_KEY),
    )


CONFLUENT_KAFKA = ConfluentKafkaType()
