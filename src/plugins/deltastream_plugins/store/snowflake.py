"""Snowflake stores (``'type' = SNOWFLAKE``): key-pair authentication.

``clientKey`` is the base64 of the PEM private key, as in the official provider, or the PEM
text; either way the PEM bytes travel as the multipart attachment ``@keyfile`` named by
``'snowflake.client.key_file'``, never inside the SQL. ``clientKeyPassphrase`` (from the
Terraform provider) decrypts an encrypted key.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from deltastream_core.model import prop
from deltastream_core.secrets import Secret
from deltastream_plugins.store.certs import decode_key, key_problem
from deltastream_plugins.store.common import KeySpec, StoreType
from deltastream_plugins.store.withclause import Form

KEY_ATTACHMENT = "@keyfile"


@attrs.frozen
class SnowflakeInputs:
    """Settings of a Snowflake store (key-pair authentication)."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:SnowflakeInputs"

    uris: str = prop("Account URL, e.g. https://<account>.snowflakecomputing.com.")
    account_id: str = prop("Snowflake account identifier.")
    role_name: str = prop("Access control role to use after connecting.")
    warehouse_name: str = prop("Warehouse that runs queries and other store operations.")
    cloud_region: str = prop("Cloud region the account operates in, e.g. AWS us-east-1.")
    # defaulted (yet required) because DeltaStream hides it: an import cannot rebuild it
    username: str | None = prop("User login name.", default=None, required=True)
    client_key: Secret | None = prop(
        "The user's private key: base64 of the PEM file (official form) or the PEM text. "
        "Sent as the attachment '@keyfile'.",
        default=None,
        required=True,
        secret=True,
        check=key_problem,
    )
    client_key_passphrase: Secret | None = prop(
        "Passphrase decrypting an encrypted private key.", default=None, secret=True
    )


class SnowflakeType(StoreType):
    block: ClassVar[str] = "snowflake"
    credential_input: ClassVar[str] = "clientKey"
    keyword: ClassVar[str] = "SNOWFLAKE"
    catalog_types: ClassVar[tuple[str, ...]] = ("Snowflake",)
    model: ClassVar[type[Any]] = SnowflakeInputs
    unreturned: ClassVar[tuple[str, ...]] = ("username",)
    keys: ClassVar[tuple[KeySpec, ...]] = (
        KeySpec("uris", "uris"),
        KeySpec("account_id", "snowflake.account_id"),
        KeySpec("cloud_region", "snowflake.cloud.region"),
        KeySpec("warehouse_name", "snowflake.warehouse_name"),
        KeySpec("role_name", "snowflake.role_name"),
        KeySpec("username", "snowflake.username"),
        KeySpec(
            "client_key",
            "snowflake.client.key_file",
            Form.ATTACHMENT,
            attachment=KEY_ATTACHMENT,
            loader=decode_key,
        ),
        KeySpec("client_key_passphrase", "snowflake.client.key_passphrase"),
    )


SNOWFLAKE = SnowflakeType()
