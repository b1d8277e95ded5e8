"""SchemaRegistry: ``deltastream:index:SchemaRegistry`` (a Confluent or Confluent Cloud
schema registry that Kafka stores name) and the getSchemaRegistry/getSchemaRegistries
lookups. Property names follow the earlier bridged provider. Credentials are secret and never
read back; changing them or the URIs is one ``UPDATE SCHEMA_REGISTRY``, switching between
``confluent`` and ``confluentCloud`` a replacement (docs/reference/other-kinds.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from deltastream_core import name_input, name_lookups, owner_input, registering
from deltastream_core.catalog import CatalogKind, Column, column
from deltastream_core.diff import DiffResult
from deltastream_core.kinds import CheckFailure, OperationContext, ReadResult
from deltastream_core.model import output, prop
from deltastream_core.ports import Statement
from deltastream_core.rows import describe_properties, rfc3339
from deltastream_core.secrets import Secret
from deltastream_core.sql import quote_identifier
from deltastream_core.withclause import Form, KeySpec, Pair, changed_pairs, pairs_of, with_statement

TOKEN = "deltastream:index:SchemaRegistry"
_URIS = "List of host:port URIs to connect to the schema registry."


@attrs.frozen
class SchemaRegistryConfluent:
    """A self-managed Confluent schema registry."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:SchemaRegistryConfluent"
    uris: str = prop(_URIS)
    username: Secret | None = prop("Username for the registry.", default=None, secret=True)
    password: Secret | None = prop("Password for the registry.", default=None, secret=True)


@attrs.frozen
class SchemaRegistryConfluentCloud:
    """A Confluent Cloud schema registry."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:SchemaRegistryConfluentCloud"
    uris: str = prop(_URIS)
    key: Secret | None = prop("API key of the registry (required).", default=None, secret=True)
    secret: Secret | None = prop(
        "API secret of the registry (required).", default=None, secret=True
    )


#: per block: its type keyword, its WITH keys, and how the catalog shows the type
VARIANTS: dict[str, tuple[str, tuple[KeySpec, ...], str]] = {
    "confluent": (
        "CONFLUENT",
        (
            KeySpec("uris", "uris"),
            KeySpec("username", "confluent.username"),
            KeySpec("password", "confluent.password"),
        ),
        "Confluent",
    ),
    "confluent_cloud": (
        "CONFLUENT_CLOUD",
        (
            KeySpec("uris", "uris"),
            KeySpec("key", "confluent_cloud.key", Form.TEXT),
            KeySpec("secret", "confluent_cloud.secret", Form.TEXT),
        ),
        "ConfluentCloud",
    ),
}
_WIRE = {"confluent": "confluent", "confluent_cloud": "confluentCloud"}


@attrs.frozen
class SchemaRegistryInputs:
    name: str | None = name_input("schema registry", "registry")
    owner: str | None = owner_input(
        "registry",
        "Owning role; the registry is created as this role. Changing it replaces it.",
    )
    confluent: SchemaRegistryConfluent | None = prop(
        "A Confluent schema registry (exactly one of confluent and confluentCloud).",
        default=None,
    )
    confluent_cloud: SchemaRegistryConfluentCloud | None = prop(
        "A Confluent Cloud schema registry (exactly one of confluent and confluentCloud).",
        default=None,
    )


@attrs.frozen
class SchemaRegistryOutputs(SchemaRegistryInputs):
    """What DeltaStream reports: the inputs, and what it computes."""

    type: str | None = output("Type of the registry as DeltaStream reports it.")
    state: str | None = output("State of the registry (ready once usable).")
    created_at: str | None = output("When the registry was created (RFC 3339).")
    updated_at: str | None = output("When the registry was last changed (RFC 3339).")


def _variant(values: Any) -> tuple[str, Any] | None:
    for block in VARIANTS:
        found = getattr(values, block)
        if found is not None:
            return block, found
    return None


def _present(raw: Mapping[str, Any]) -> list[str]:
    return [wire for wire in _WIRE.values() if raw.get(wire) is not None]


class SchemaRegistryKind(CatalogKind[SchemaRegistryInputs, SchemaRegistryOutputs]):
    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "A schema registry (Confluent or Confluent Cloud) that Kafka stores name in "
        "`schemaRegistryName`. Import with its name (credentials cannot be read back)."
    )
    inputs = SchemaRegistryInputs
    outputs = SchemaRegistryOutputs
    required_outputs: ClassVar[tuple[str, ...]] = ("name",)
    system_table: ClassVar[str] = "schema_registries"
    noun: ClassVar[str] = "schema registry"
    key: ClassVar[tuple[Column, ...]] = (column("name"),)
    columns: ClassVar[tuple[Column, ...]] = (
        column("type"),
        column("status", "state"),
        column("owner"),
        column("created_at", convert=rfc3339),
        column("updated_at", convert=rfc3339),
    )
    state_column: ClassVar[str | None] = "status"
    ready_states: ClassVar[frozenset[str]] = frozenset({"ready"})
    failed_states: ClassVar[frozenset[str]] = frozenset({"failed", "error", "errored"})
    autoname_field: ClassVar[str | None] = "name"

    def validate(self, args: SchemaRegistryInputs) -> list[CheckFailure]:
        failures: list[CheckFailure] = []
        if (args.confluent is None) == (args.confluent_cloud is None):
            failures.append(CheckFailure("", "set exactly one of confluent and confluentCloud"))
        cloud = args.confluent_cloud
        if cloud is not None:
            for field in ("key", "secret"):
                if getattr(cloud, field) is None:
                    failures.append(CheckFailure(f"confluentCloud.{field}", "is required"))
        local = args.confluent
        if local is not None and (local.username is None) != (local.password is None):
            missing = "password" if local.password is None else "username"
            failures.append(
                CheckFailure(f"confluent.{missing}", "is required with the other credential")
            )
        return failures

    def diff(self, old_inputs: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
        result = super().diff(old_inputs, news)
        if old_inputs and _present(old_inputs) != _present(news):
            # another type is another registry: DeltaStream cannot change a registry's type
            detailed = {path: kind.with_replace() for path, kind in result.detailed.items()}
            return DiffResult(detailed, delete_before_replace=self.delete_before_replace)
        return result

    def _pairs(self, args: Any) -> tuple[str, list[Pair]]:
        found = _variant(args)
        assert found is not None  # Check requires exactly one block
        block, values = found
        keyword, keys, _ = VARIANTS[block]
        secret = {"username", "password", "key", "secret"}
        return keyword, pairs_of(keys, values, secret)

    def create_statement(self, args: SchemaRegistryInputs) -> Statement:
        keyword, pairs = self._pairs(args)
        head = f"CREATE SCHEMA_REGISTRY {quote_identifier(str(args.name))}"
        return with_statement(head, [Pair.keyword("type", keyword, (keyword,)), *pairs])

    def update_statements(
        self, key: tuple[str, ...], olds: SchemaRegistryOutputs, news: SchemaRegistryInputs
    ) -> list[Statement | str]:
        _, before = self._pairs(olds)
        _, after = self._pairs(news)
        changed = [p for p in changed_pairs(before, after) if p.sql != "NULL"]
        if not changed:
            return []
        head = f"UPDATE SCHEMA_REGISTRY {quote_identifier(key[0])}"
        return [with_statement(head, changed)]

    def drop_statement(self, key: tuple[str, ...]) -> str:
        return f"DROP SCHEMA_REGISTRY {quote_identifier(key[0])};"

    async def read(
        self, ctx: OperationContext, resource_id: str, state: SchemaRegistryOutputs | None
    ) -> ReadResult[SchemaRegistryInputs, SchemaRegistryOutputs] | None:
        found = await super().read(ctx, resource_id, state)
        if found is None or state is not None:
            return found
        # import: the block and its URIs come from DESCRIBE (credentials never come back)
        sql = f"DESCRIBE SCHEMA_REGISTRY {quote_identifier(resource_id)};"
        uris = str((await describe_properties(ctx, sql)).get("uris") or "")
        if found.outputs.type == "ConfluentCloud":
            outputs = attrs.evolve(
                found.outputs, confluent_cloud=SchemaRegistryConfluentCloud(uris=uris)
            )
        else:
            outputs = attrs.evolve(found.outputs, confluent=SchemaRegistryConfluent(uris=uris))
        return ReadResult(resource_id, outputs, self.inputs_from_outputs(outputs))


# -- lookups --------------------------------------------------------------------------------


@attrs.frozen
class GetSchemaRegistryResult:
    TYPE_TOKEN: ClassVar[str] = "deltastream:index:GetSchemaRegistryResult"
    name: str = output("Name of the schema registry.")
    type: str = output("Type of the registry (Confluent or ConfluentCloud).")
    state: str = output("State of the registry.")
    owner: str = output("Owning role of the registry.")
    created_at: str = output("When the registry was created (RFC 3339).")
    updated_at: str = output("When the registry was last changed (RFC 3339).")


GetSchemaRegistry, GetSchemaRegistries = name_lookups(
    SchemaRegistryKind,
    GetSchemaRegistryResult,
    items="schema_registries",
    one="Look up one schema registry by name (never its credentials).",
    narrower="look up a single registry with getSchemaRegistry",
)


deltastream_register_resource_kinds, deltastream_register_functions = registering(
    kinds=[SchemaRegistryKind], functions=[GetSchemaRegistry, GetSchemaRegistries]
)
