"""ClickHouse stores (``'type' = CLICKHOUSE``), experimental: a JDBC URL and a user.

Evidence (docs/reference/deltastream-sql.md#newer-store-types): one Python SDK test of the
rendered WITH clause only. DeltaStream does not return the user name (as for PostgreSQL).
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from deltastream_core.model import prop
from deltastream_core.secrets import Secret
from deltastream_plugins.store.common import KeySpec, StoreType


@attrs.frozen
class ClickhouseInputs:
    """Experimental: settings of a ClickHouse store; keys from a Python SDK test only."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:ClickhouseInputs"

    uris: str = prop("JDBC URL of the server, e.g. jdbc:clickhouse://ch.example.com:8443.")
    # defaulted (yet required) because DeltaStream hides it: an import cannot rebuild it
    username: str | None = prop("User name to authenticate with.", default=None, required=True)
    password: Secret | None = prop(
        "Password to authenticate with.", default=None, required=True, secret=True
    )


class ClickhouseType(StoreType):
    block: ClassVar[str] = "clickhouse"
    credential_input: ClassVar[str] = "password"
    keyword: ClassVar[str] = "CLICKHOUSE"
    catalog_types: ClassVar[tuple[str, ...]] = ("Clickhouse", "ClickHouse")
    model: ClassVar[type[Any]] = ClickhouseInputs
    unreturned: ClassVar[tuple[str, ...]] = ("username",)
    experimental: ClassVar[str] = "keys from a Python SDK test only"
    keys: ClassVar[tuple[KeySpec, ...]] = (
        KeySpec("uris", "uris"),
        KeySpec("username", "clickhouse.username"),
        KeySpec("password", "clickhouse.password"),
    )


CLICKHOUSE = ClickhouseType()
