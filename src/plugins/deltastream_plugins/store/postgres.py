"""Postgres stores (``'type' = POSTGRESQL``).

Unlike the official provider, ``uris`` is sent exactly as written (it rewrites it to
``postgresql://host:port/db`` keeping only the first URI), so what the catalog shows is what
the program says, and a change of ``name`` replaces the store instead of being ignored.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from deltastream_core.model import prop
from deltastream_core.secrets import Secret
from deltastream_plugins.store.common import KeySpec, StoreType
from deltastream_plugins.store.withclause import Form


@attrs.frozen
class PostgresInputs:
    """Settings of a PostgreSQL store."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:PostgresInputs"

    uris: str = prop("Connection URI, e.g. postgresql://db.example.com:5432/mydb.")
    # defaulted (yet required) because DeltaStream hides it: an import cannot rebuild it
    username: str | None = prop("User name to authenticate with.", default=None, required=True)
    password: Secret | None = prop(
        "Password to authenticate with.", default=None, required=True, secret=True
    )
    tls_disabled: bool | None = prop("Connect without TLS.", default=None)
    tls_verify_server_hostname: bool | None = prop(
        "Verify that the server's certificate matches its host name.", default=None
    )


class PostgresType(StoreType):
    block: ClassVar[str] = "postgres"
    credential_input: ClassVar[str] = "password"
    keyword: ClassVar[str] = "POSTGRESQL"
    catalog_types: ClassVar[tuple[str, ...]] = ("Postgres", "PostgreSQL")
    model: ClassVar[type[Any]] = PostgresInputs
    unreturned: ClassVar[tuple[str, ...]] = ("username",)
    keys: ClassVar[tuple[KeySpec, ...]] = (
        KeySpec("uris", "uris"),
        KeySpec("username", "postgres.username"),
        KeySpec("password", "postgres.password"),
        KeySpec("tls_disabled", "tls.disabled", Form.BOOL),
        KeySpec("tls_verify_server_hostname", "tls.verify_server_hostname", Form.BOOL),
    )


POSTGRES = PostgresType()
