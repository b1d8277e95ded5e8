"""Iceberg REST catalog stores (``'type' = ICEBERG_REST``), experimental: OAuth client
credentials for a REST catalog.

Evidence (docs/reference/deltastream-sql.md#newer-store-types): one Python SDK test of the
rendered WITH clause only.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from deltastream_core.model import prop
from deltastream_core.secrets import Secret
from deltastream_plugins.store.common import KeySpec, StoreType


@attrs.frozen
class IcebergRestInputs:
    """Experimental: settings of an Iceberg REST catalog store; keys from a Python SDK test
    only."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:IcebergRestInputs"

    uris: str = prop("URL of the REST catalog, e.g. https://catalog.example.com/api/catalog.")
    catalog_id: str = prop("Id of the catalog (sent as 'iceberg.catalog.id').")
    client_id: str = prop("OAuth client id to authenticate to the catalog with.")
    client_secret: Secret | None = prop(
        "OAuth client secret.", default=None, required=True, secret=True
    )
    client_scope: str | None = prop(
        "OAuth scope to request, e.g. PRINCIPAL_ROLE:ALL.", default=None
    )


class IcebergRestType(StoreType):
    block: ClassVar[str] = "icebergRest"
    credential_input: ClassVar[str] = "clientSecret"
    keyword: ClassVar[str] = "ICEBERG_REST"
    catalog_types: ClassVar[tuple[str, ...]] = ("IcebergRest",)
    model: ClassVar[type[Any]] = IcebergRestInputs
    experimental: ClassVar[str] = "keys from a Python SDK test only"
    keys: ClassVar[tuple[KeySpec, ...]] = (
        KeySpec("uris", "uris"),
        KeySpec("catalog_id", "iceberg.catalog.id"),
        KeySpec("client_id", "iceberg.rest.client_id"),
        KeySpec("client_secret", "iceberg.rest.client_secret"),
        KeySpec("client_scope", "iceberg.rest.client_scope"),
    )


ICEBERG_REST = IcebergRestType()
