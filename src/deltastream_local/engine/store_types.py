"""Store types and the validation of their WITH properties
(docs/reference/deltastream-sql.md#store-types-and-keys).

Each type lists the keys it accepts and requires; conditional requirements (Kafka SASL
credentials, MSK IAM keys) are checked by a small per-type function. Unknown keys fail with
3D008 naming the key. Error messages quote keys, never values: many values are secrets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from deltastream_local.engine.ast import PropertyValue
from deltastream_local.engine.errors import INVALID_PARAMETER, MISSING_PARAMETER, SqlError

Props = Mapping[str, PropertyValue]

#: Keys every store type accepts.
COMMON_KEYS = frozenset({"type", "uris", "access_region"})
TLS_KEYS = frozenset(
    {
        "tls.disabled",
        "tls.verify_server_hostname",
        "tls.ca_cert_file",
        "tls.client.cert_file",
        "tls.client.key_file",
        "tls.client.key_passphrase",
    }
)
#: The one schema-registry link key (decision: the Terraform provider's and the Confluent
#: type's spelling). PUL's ``kafka.schema_registry_name`` is refused with a pointer to it.
SCHEMA_REGISTRY_KEY = "schema_registry.name"
_RENAMED_KEYS = {
    "kafka.schema_registry_name": SCHEMA_REGISTRY_KEY,
    "schema_registry_name": SCHEMA_REGISTRY_KEY,
}

_SASL_WITH_CREDENTIALS = frozenset({"PLAIN", "SHA256", "SHA512"})
_KAFKA_HASH_FUNCTIONS = _SASL_WITH_CREDENTIALS | {"NONE", "AWS_MSK_IAM"}

#: Substrings that make a key's value secret: stored, never shown anywhere.
_SECRET_MARKERS = (
    "password",
    "secret",
    "passphrase",
    "private",
    "token",
    "key_file",
    "cert_file",
    "username",
    "access_key",
    "iam_role_arn",
    "external_id",
    "account.id",
)


def is_secret(key: str) -> bool:
    return any(marker in key for marker in _SECRET_MARKERS) or key == "file"


def is_attachment_key(key: str) -> bool:
    """Keys whose string value names a multipart attachment (``tls.ca_cert_file``, ``file``)."""
    return key == "file" or key.endswith("_file")


@dataclass(frozen=True)
class StoreType:
    keyword: str
    #: the ``type`` column value (CamelCase, as TF and PUL compare case-insensitively)
    display: str
    default_port: int
    required: frozenset[str] = frozenset({"uris"})
    optional: frozenset[str] = frozenset()
    #: key prefixes accepted wholesale (types the local server validates only generically)
    prefixes: tuple[str, ...] = ()
    #: keys shown in DESCRIBE STORE's ``details`` JSON (never secrets)
    details: tuple[str, ...] = ()
    check: Callable[[Props], None] | None = field(default=None, compare=False)

    def accepts(self, key: str) -> bool:
        if key in COMMON_KEYS or key in self.required or key in self.optional:
            return True
        return bool(self.prefixes) and key.startswith(self.prefixes)


def _text(value: PropertyValue | None) -> str | None:
    return None if value is None or value.value is None else value.value


def _require(props: Props, keys: list[str], reason: str) -> None:
    for key in keys:
        if _text(props.get(key)) in (None, ""):
            raise SqlError(MISSING_PARAMETER, f"property '{key}' is required {reason}")


def _forbid(props: Props, keys: list[str], reason: str) -> None:
    for key in keys:
        if key in props:
            raise SqlError(INVALID_PARAMETER, f"property '{key}' is not allowed {reason}")


def _hash_function(props: Props, allowed: frozenset[str], default: str | None) -> str | None:
    raw = _text(props.get("kafka.sasl.hash_function"))
    if raw is None:
        return default
    value = raw.upper()
    if value not in allowed:
        raise SqlError(
            INVALID_PARAMETER,
            "property 'kafka.sasl.hash_function' must be one of " + ", ".join(sorted(allowed)),
        )
    return value


def _check_kafka(props: Props) -> None:
    mechanism = _hash_function(props, _KAFKA_HASH_FUNCTIONS, "NONE")
    credentials = ["kafka.sasl.username", "kafka.sasl.password"]
    iam = ["kafka.msk.iam_role_arn", "kafka.msk.aws_region"]
    if mechanism in _SASL_WITH_CREDENTIALS:
        _require(props, credentials, f"when 'kafka.sasl.hash_function' is {mechanism}")
        _forbid(props, iam, f"when 'kafka.sasl.hash_function' is {mechanism}")
    elif mechanism == "AWS_MSK_IAM":
        _require(props, iam, "when 'kafka.sasl.hash_function' is AWS_MSK_IAM")
        _forbid(props, credentials, "when 'kafka.sasl.hash_function' is AWS_MSK_IAM")


def _check_confluent(props: Props) -> None:
    _require(props, ["kafka.sasl.hash_function"], "for CONFLUENT_KAFKA stores")
    _hash_function(props, _SASL_WITH_CREDENTIALS, None)


def _check_kinesis(props: Props) -> None:
    keys = ["kinesis.access_key_id", "kinesis.secret_access_key"]
    if any(_text(props.get(k)) not in (None, "") for k in keys):
        _require(props, keys, "together (static AWS credentials)")


def _check_databricks(props: Props) -> None:
    port = props.get("databricks.warehouse_port")
    if port is not None and (port.kind != "number" or not (port.value or "").isdigit()):
        raise SqlError(
            INVALID_PARAMETER, "property 'databricks.warehouse_port' must be a bare port number"
        )


def _check_s3(props: Props) -> None:
    keys = ["aws.access_key_id", "aws.secret_access_key"]
    if any(_text(props.get(k)) not in (None, "") for k in keys):
        _require(props, keys, "together (static AWS credentials)")
    if _text(props.get("aws.iam_external_id")) not in (None, ""):
        _require(props, ["aws.iam_role_arn"], "with 'aws.iam_external_id'")


_KAFKA_KEYS = frozenset(
    {
        "kafka.sasl.hash_function",
        "kafka.sasl.username",
        "kafka.sasl.password",
        "kafka.msk.iam_role_arn",
        "kafka.msk.aws_region",
        SCHEMA_REGISTRY_KEY,
    }
)

STORE_TYPES: dict[str, StoreType] = {
    t.keyword: t
    for t in (
        StoreType(
            "KAFKA",
            "Kafka",
            9092,
            optional=_KAFKA_KEYS | TLS_KEYS,
            details=("kafka.sasl.hash_function",),
            check=_check_kafka,
        ),
        StoreType(
            "CONFLUENT_KAFKA",
            "ConfluentKafka",
            9092,
            required=frozenset(
                {"uris", "kafka.sasl.hash_function", "kafka.sasl.username", "kafka.sasl.password"}
            ),
            optional=frozenset({SCHEMA_REGISTRY_KEY}) | TLS_KEYS,
            details=("kafka.sasl.hash_function",),
            check=_check_confluent,
        ),
        StoreType(
            "KINESIS",
            "Kinesis",
            443,
            # static keys are optional (Terraform's kinesis block): without them DeltaStream
            # uses its own AWS identity or the IAM role; with them, both go together
            optional=frozenset(
                {
                    "kinesis.account.id",
                    "kinesis.iam_role_arn",
                    "kinesis.access_key_id",
                    "kinesis.secret_access_key",
                }
            ),
            check=_check_kinesis,
        ),
        StoreType(
            "POSTGRESQL",
            "Postgres",
            5432,
            required=frozenset({"uris", "postgres.username", "postgres.password"}),
            optional=TLS_KEYS,
        ),
        StoreType(
            "SNOWFLAKE",
            "Snowflake",
            443,
            required=frozenset(
                {
                    "uris",
                    "snowflake.account_id",
                    "snowflake.warehouse_name",
                    "snowflake.role_name",
                    "snowflake.username",
                    "snowflake.cloud.region",
                    "snowflake.client.key_file",
                }
            ),
            optional=frozenset({"snowflake.client.key_passphrase"}),
            details=(
                "snowflake.account_id",
                "snowflake.warehouse_name",
                "snowflake.role_name",
                "snowflake.cloud.region",
            ),
        ),
        # the four below take exactly the keys their (SDK, older Terraform) evidence shows
        # (docs/reference/deltastream-sql.md#newer-store-types); no TLS keys
        StoreType(
            "DATABRICKS",
            "Databricks",
            443,
            required=frozenset(
                {
                    "uris",
                    "databricks.app_token",
                    "databricks.warehouse_id",
                    "aws.access_key_id",
                    "aws.secret_access_key",
                    "databricks.cloud.s3.bucket",
                    "databricks.cloud.region",
                }
            ),
            optional=frozenset({"databricks.warehouse_port"}),
            details=(
                "databricks.warehouse_id",
                "databricks.warehouse_port",
                "databricks.cloud.s3.bucket",
                "databricks.cloud.region",
            ),
            check=_check_databricks,
        ),
        StoreType(
            "S3",
            "S3",
            443,
            optional=frozenset(
                {
                    "aws.access_key_id",
                    "aws.secret_access_key",
                    "aws.iam_role_arn",
                    "aws.iam_external_id",
                }
            ),
            check=_check_s3,
        ),
        StoreType(
            "CLICKHOUSE",
            "Clickhouse",
            8443,
            required=frozenset({"uris", "clickhouse.username", "clickhouse.password"}),
        ),
        StoreType(
            "ICEBERG_REST",
            "IcebergRest",
            443,
            required=frozenset(
                {
                    "uris",
                    "iceberg.catalog.id",
                    "iceberg.rest.client_id",
                    "iceberg.rest.client_secret",
                }
            ),
            optional=frozenset({"iceberg.rest.client_scope"}),
            details=("iceberg.catalog.id", "iceberg.rest.client_id", "iceberg.rest.client_scope"),
        ),
        # keys not known from any source: checked only by prefix
        StoreType(
            "ICEBERG_GLUE", "IcebergGlue", 443, optional=TLS_KEYS, prefixes=("iceberg.", "aws.")
        ),
    )
}


def store_type(props: Props) -> StoreType:
    value = props.get("type")
    if value is None or value.value is None:
        raise SqlError(MISSING_PARAMETER, "property 'type' is required")
    found = STORE_TYPES.get(value.value.upper())
    if found is None:
        raise SqlError(
            INVALID_PARAMETER,
            "property 'type' must be one of " + ", ".join(sorted(STORE_TYPES)),
        )
    return found


def validate(kind: StoreType, props: Props) -> None:
    """Check a store's complete property set (after an UPDATE's merge, too)."""
    for key in props:
        if key in _RENAMED_KEYS:
            raise SqlError(
                INVALID_PARAMETER,
                f"property '{key}' is not supported: use '{_RENAMED_KEYS[key]}'",
            )
        if not kind.accepts(key):
            raise SqlError(
                INVALID_PARAMETER, f"property '{key}' is not valid for {kind.keyword} stores"
            )
    _require(props, sorted(kind.required), f"for {kind.keyword} stores")
    for key, value in props.items():
        if is_attachment_key(key) and value.kind != "string":
            raise SqlError(
                INVALID_PARAMETER, f"property '{key}' must be a string naming an attachment"
            )
        is_flag = key.startswith("tls.") and key.endswith(("disabled", "hostname"))
        if is_flag and (value.value or "").lower() not in ("true", "false"):
            raise SqlError(INVALID_PARAMETER, f"property '{key}' must be TRUE or FALSE")
    if kind.check is not None:
        kind.check(props)


def flag(props: Props, key: str, default: bool) -> bool:
    text = _text(props.get(key))
    return default if text is None else text.lower() == "true"
