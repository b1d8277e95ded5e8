"""Databricks stores (``'type' = DATABRICKS``), experimental: a SQL warehouse, with S3 staging.

Evidence (docs/reference/deltastream-sql.md#newer-store-types): the keys of the Terraform
provider before 1.0, which removed the type, and an SDK test; DeltaStream's concept pages name
Databricks only as a sink for CREATE TABLE AS queries. The Terraform provider always sent
``'databricks.warehouse_port' = 443`` (a bare number); here it is sent only when set.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from deltastream_core.model import prop
from deltastream_core.secrets import Secret
from deltastream_plugins.store.common import KeySpec, StoreType
from deltastream_plugins.store.withclause import Form


def _port_problem(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536
    return None if ok else f"must be a port number (1-65535), got {value!r}"


@attrs.frozen
class DatabricksInputs:
    """Experimental: settings of a Databricks store (a SQL warehouse and an S3 bucket that
    stages the data); keys from an older Terraform provider only."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:DatabricksInputs"

    uris: str = prop("URL of the Databricks workspace, e.g. https://dbc-1234.cloud.databricks.com.")
    warehouse_id: str = prop("Id of the SQL warehouse that runs the statements.")
    cloud_s3_bucket: str = prop("S3 bucket that stages the data written to Databricks.")
    cloud_region: str = prop("Cloud region of the bucket, e.g. AWS us-west-2.")
    app_token: Secret | None = prop(
        "Databricks personal access token.", default=None, required=True, secret=True
    )
    access_key_id: Secret | None = prop(
        "AWS IAM access key id for the staging bucket.", default=None, required=True, secret=True
    )
    secret_access_key: Secret | None = prop(
        "AWS IAM secret access key for the staging bucket.",
        default=None,
        required=True,
        secret=True,
    )
    warehouse_port: int | None = prop(
        "Port of the SQL warehouse (sent as a bare number; the older Terraform provider always "
        "sent 443).",
        default=None,
        check=_port_problem,
    )


class DatabricksType(StoreType):
    block: ClassVar[str] = "databricks"
    credential_input: ClassVar[str] = "appToken"
    keyword: ClassVar[str] = "DATABRICKS"
    catalog_types: ClassVar[tuple[str, ...]] = ("Databricks",)
    model: ClassVar[type[Any]] = DatabricksInputs
    experimental: ClassVar[str] = "keys from the Terraform provider before 1.0 and an SDK test"
    keys: ClassVar[tuple[KeySpec, ...]] = (
        KeySpec("uris", "uris"),
        KeySpec("app_token", "databricks.app_token"),
        KeySpec("warehouse_id", "databricks.warehouse_id"),
        KeySpec("warehouse_port", "databricks.warehouse_port", Form.NUMBER),
        KeySpec("access_key_id", "aws.access_key_id"),
        KeySpec("secret_access_key", "aws.secret_access_key"),
        KeySpec("cloud_s3_bucket", "databricks.cloud.s3.bucket"),
        KeySpec("cloud_region", "databricks.cloud.region"),
    )


DATABRICKS = DatabricksType()
