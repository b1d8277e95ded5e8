"""``deltastream:index:getStore`` and ``getStores`` on the public lookup bases.

getStore reads the ``deltastream.sys."stores"`` row, then ``DESCRIBE STORE`` for the
type-specific settings, as the Terraform data source does; getStores is one SELECT ordered by
name, optionally narrowed to one store type. Never a secret: DESCRIBE does not report them,
and the settings are limited to the type's non-secret inputs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from deltastream_core.catalog import CatalogListing, CatalogLookup
from deltastream_core.kinds import OperationContext
from deltastream_core.model import input_fields, output, prop, wire_name
from deltastream_core.rows import ROW_CAP, Row, check_name
from deltastream_plugins.store import catalog
from deltastream_plugins.store.common import StoreType, details_key
from deltastream_plugins.store.kind import StoreKind
from deltastream_plugins.store.models import TYPES, type_for_catalog
from deltastream_plugins.store.withclause import Form

_TYPE_NAMES = ", ".join(f"{t.block} ({t.keyword})" for t in TYPES)
#: words that mark a DESCRIBE details key as a credential; such keys are never passed on
_SECRET_WORDS = ("password", "secret", "token", "passphrase", "access_key", "key_file", "username")


def _type_problem(value: Any) -> str | None:
    if isinstance(value, str) and type_for_catalog(value.strip()) is not None:
        return None
    return f"must be a store type, one of {_TYPE_NAMES} (case-insensitive), got {value!r}"


@attrs.frozen
class GetStoreArgs:
    name: str = prop("The name of the store to look up.", check=check_name)


@attrs.frozen
class GetStoreResult:
    TYPE_TOKEN: ClassVar[str] = "deltastream:index:GetStoreResult"
    name: str = output("The name of the store.")
    type: str = output("Type of the store as DeltaStream reports it (e.g. Kafka).")
    state: str = output("Provisioning state of the store (ready once usable).")
    owner: str = output("The role that owns the store.")
    created_at: str = output("When the store was created (RFC 3339).")
    updated_at: str = output("When the store was last changed (RFC 3339).")


@attrs.frozen
class GetStoreDetails(GetStoreResult):
    """getStore's result: the catalog row and what ``DESCRIBE STORE`` reports."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:GetStoreDetails"
    uris: str | None = output("The store's URIs (any user info removed by DeltaStream).")
    tls_enabled: bool | None = output("Whether connections use TLS.")
    tls_verify_server_hostname: bool | None = output(
        "Whether the servers' certificates must match their host names."
    )
    schema_registry_name: str | None = output("The schema registry the store names, if any.")
    path: list[str] | None = output("The store's path as DeltaStream reports it.")
    settings: dict[str, str] = output(
        "The type's non-secret settings DeltaStream reports, keyed by the Store resource's "
        "property names of its type block (e.g. warehouseName); never a secret.",
        default=attrs.Factory(dict),
    )
    details: dict[str, str] = output(
        "DESCRIBE STORE's details object as reported (short keys, e.g. warehouse_name); "
        "never a secret.",
        default=attrs.Factory(dict),
    )


@attrs.frozen
class GetStoresArgs:
    type: str | None = prop(
        "Only stores of this type: a type block name or type keyword, case-insensitive "
        f"({_TYPE_NAMES}).",
        default=None,
        check=_type_problem,
    )


@attrs.frozen
class GetStoresResult:
    stores: list[GetStoreResult] = output(
        f"The stores, ordered by name; at most {ROW_CAP} (a warning says when more exist).",
        default=attrs.Factory(list),
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def settings_of(store_type: StoreType, props: Mapping[str, Any]) -> dict[str, str]:
    """The non-secret settings of ``store_type`` in DESCRIBE's ``props``, by property name."""
    names = {f.name: wire_name(f) for f in input_fields(store_type.model)}
    secret = store_type.secret_attrs()
    out: dict[str, str] = {}
    for spec in store_type.keys:
        if spec.attr in secret or spec.form is Form.ATTACHMENT:
            continue
        value = props.get(spec.key, props.get(details_key(spec.key)))
        if value is not None and value != "":
            out[names[spec.attr]] = _text(value)
    return out


def _shown_details(store_type: StoreType | None, details: Mapping[str, Any]) -> dict[str, str]:
    hidden = set()
    if store_type is not None:
        secret = store_type.secret_attrs()
        hidden = {
            details_key(s.key)[len("details:") :] for s in store_type.keys if s.attr in secret
        }
    return {
        k: _text(v)
        for k, v in details.items()
        if v is not None and k not in hidden and not any(w in k.lower() for w in _SECRET_WORDS)
    }


def _path(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return [str(value)]
    return [str(v) for v in parsed] if isinstance(parsed, list) else [str(value)]


class GetStore(CatalogLookup[GetStoreArgs, GetStoreDetails]):
    token: ClassVar[str] = "deltastream:index:getStore"
    description: ClassVar[str] = (
        "Look up one store by name, with the type-specific settings DESCRIBE STORE reports "
        "(never a secret). Fails if it does not exist."
    )
    args = GetStoreArgs
    result = GetStoreDetails
    kind = StoreKind()

    def what(self, args: GetStoreArgs, where: Mapping[str, str]) -> str:
        return f"store {args.name!r}"

    async def complete(
        self, ctx: OperationContext, args: GetStoreArgs, row: Row, result: GetStoreDetails
    ) -> GetStoreDetails:
        record = await catalog.describe(ctx, result.name)
        if record is None:
            return result  # dropped between the two reads: the row is all there is
        props = catalog.describe_properties_of(record)
        store_type = type_for_catalog(result.type)
        tls = record.get("tls_enabled")
        verify = record.get("verify_server_hostname")
        return attrs.evolve(
            result,
            uris=record.get("uris"),
            tls_enabled=None if tls is None else catalog.flag(tls),
            tls_verify_server_hostname=None if verify is None else catalog.flag(verify),
            schema_registry_name=record.get("schema_registry_name"),
            path=_path(record.get("path")),
            settings=settings_of(store_type, props) if store_type is not None else {},
            details=_shown_details(store_type, catalog.json_object(record.get("details"))),
        )


class GetStores(CatalogListing[GetStoresArgs, GetStoresResult]):
    token: ClassVar[str] = "deltastream:index:getStores"
    description: ClassVar[str] = (
        f"List stores ordered by name, optionally of one type, at most {ROW_CAP} (a warning "
        "is logged when there are more)."
    )
    args = GetStoresArgs
    result = GetStoresResult
    kind = StoreKind()
    items: ClassVar[str] = "stores"
    item_model = GetStoreResult
    narrower: ClassVar[str] = "look up a single store with getStore"

    def where(self, args: GetStoresArgs) -> dict[str, str]:
        if args.type is None:
            return {}
        store_type = type_for_catalog(args.type.strip())
        assert store_type is not None  # the argument's check refuses unknown types
        return {"type": store_type.catalog_types[0]}
