"""Secret: ``deltastream:index:Secret`` (a value DeltaStream keeps for stores and functions)
and the getSecret/getSecrets lookups. Property names follow the earlier bridged provider;
``stringValue`` is secret (that schema forgot to mark it). DeltaStream has no
``UPDATE SECRET``, so every change is a replacement; the value and custom properties are
never read back (docs/reference/other-kinds.md#secrets).
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from deltastream_core import name_input, name_lookups, owner_input, registering
from deltastream_core.catalog import CatalogKind, Column, column
from deltastream_core.model import output, prop
from deltastream_core.ports import Statement
from deltastream_core.rows import rfc3339
from deltastream_core.secrets import Secret
from deltastream_core.sql import quote_identifier
from deltastream_core.withclause import Pair, with_statement

TOKEN = "deltastream:index:Secret"
TYPES = ("generic_string",)


def _custom_problem(value: dict[str, str]) -> str | None:
    reserved = [k for k in value if k.lower() in ("type", "description", "secret_string")]
    return f"may not set {', '.join(reserved)} (a property of its own)" if reserved else None


@attrs.frozen
class SecretInputs:
    type: str = prop(
        "Type of the secret: generic_string.",
        replace=True,
        choices=TYPES,
        normalize=str.lower,
    )
    name: str | None = name_input("secret")
    description: str | None = prop("Description of the secret.", default=None, replace=True)
    string_value: Secret | None = prop(
        "The secret's value. Never read back from DeltaStream.",
        default=None,
        replace=True,
        secret=True,
    )
    custom_properties: dict[str, str] | None = prop(
        "Other properties of the secret (WITH keys). Never read back from DeltaStream.",
        default=None,
        replace=True,
        check=_custom_problem,
    )
    owner: str | None = owner_input("secret")


@attrs.frozen
class SecretOutputs(SecretInputs):
    """What DeltaStream reports: the inputs, and what it computes."""

    status: str | None = output("Status of the secret (ready once usable).")
    created_at: str | None = output("When the secret was created (RFC 3339).")
    updated_at: str | None = output("When the secret was last changed (RFC 3339).")


class SecretKind(CatalogKind[SecretInputs, SecretOutputs]):
    token: ClassVar[str] = TOKEN
    description: ClassVar[str] = (
        "A secret: a value DeltaStream keeps encrypted for other objects to use. Every change "
        "is a replacement (DeltaStream cannot alter a secret). Import with its name."
    )
    inputs = SecretInputs
    outputs = SecretOutputs
    required_outputs: ClassVar[tuple[str, ...]] = ("name",)
    system_table: ClassVar[str] = "secrets"
    noun: ClassVar[str] = "secret"
    key: ClassVar[tuple[Column, ...]] = (column("name"),)
    columns: ClassVar[tuple[Column, ...]] = (
        column("type"),
        column("description"),
        column("owner"),
        column("status"),
        column("created_at", convert=rfc3339),
        column("updated_at", convert=rfc3339),
    )
    state_column: ClassVar[str | None] = "status"
    ready_states: ClassVar[frozenset[str]] = frozenset({"ready"})
    failed_states: ClassVar[frozenset[str]] = frozenset({"failed", "error", "errored"})
    autoname_field: ClassVar[str | None] = "name"

    def create_statement(self, args: SecretInputs) -> Statement:
        pairs = [Pair.keyword("type", args.type, (t.upper() for t in TYPES))]
        if args.description is not None:
            pairs.append(Pair.text("description", args.description))
        for key, value in sorted((args.custom_properties or {}).items()):
            pairs.append(Pair.text(key, value, secret=True))
        if args.string_value is not None:
            pairs.append(Pair.text("secret_string", args.string_value.reveal(), secret=True))
        return with_statement(f"CREATE SECRET {quote_identifier(str(args.name))}", pairs)

    def drop_statement(self, key: tuple[str, ...]) -> str:
        return f"DROP SECRET {quote_identifier(key[0])};"


# -- lookups (never a secret value) --------------------------------------------------------


@attrs.frozen
class GetSecretResult:
    TYPE_TOKEN: ClassVar[str] = "deltastream:index:GetSecretResult"
    name: str = output("Name of the secret.")
    type: str = output("Type of the secret.")
    description: str | None = output("Description of the secret.")
    owner: str = output("Owning role of the secret.")
    status: str = output("Status of the secret.")
    created_at: str = output("When the secret was created (RFC 3339).")
    updated_at: str = output("When the secret was last changed (RFC 3339).")


GetSecret, GetSecrets = name_lookups(
    SecretKind,
    GetSecretResult,
    items="secrets",
    one="Look up one secret by name (never its value).",
    many="List secrets ordered by name, at most 200 (never a value).",
)


deltastream_register_resource_kinds, deltastream_register_functions = registering(
    kinds=[SecretKind], functions=[GetSecret, GetSecrets]
)
