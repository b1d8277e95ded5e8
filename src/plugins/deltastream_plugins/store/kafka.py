"""Kafka stores (``'type' = KAFKA``): SASL, AWS MSK IAM, TLS options and a CA certificate.

Auth modes by ``saslHashFunction``: ``PLAIN``/``SHA256``/``SHA512`` need ``saslUsername`` and
``saslPassword``; ``AWS_MSK_IAM`` needs ``mskIamRoleArn`` and ``mskAwsRegion``; ``NONE`` takes
neither. Check rejects keys of the other mode instead of silently dropping them (the official
provider ignores them), and an UPDATE that switches mode NULLs the old mode's keys.

The schema-registry link is written as ``'schema_registry.name'``: the Terraform provider and
its Confluent Kafka type use that key, whereas the official Pulumi provider's
``kafka.schema_registry_name`` appears nowhere else
(docs/reference/deltastream-sql.md#schema-registry-key, official defect 8).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from deltastream_core.kinds import CheckFailure
from deltastream_core.model import prop
from deltastream_core.secrets import Secret
from deltastream_plugins.store.certs import cert_problem, load_cert
from deltastream_plugins.store.common import (
    KeySpec,
    StoreType,
    forbid,
    known_text,
    one_of,
    require,
    upper,
)
from deltastream_plugins.store.withclause import Form

HASH_FUNCTIONS = ("NONE", "PLAIN", "SHA256", "SHA512", "AWS_MSK_IAM")
SASL_FUNCTIONS = ("PLAIN", "SHA256", "SHA512")
#: the attachment name of the CA certificate (as the official provider names it)
CA_CERT_ATTACHMENT = "@cacert"
SCHEMA_REGISTRY_KEY = "schema_registry.name"

_SASL = ("saslUsername", "saslPassword")
_MSK = ("mskIamRoleArn", "mskAwsRegion")


def _cert_check(value: Any) -> str | None:
    return cert_problem(value) if isinstance(value, str) and value else None


@attrs.frozen
class KafkaInputs:
    """Settings of a Kafka store (SASL, AWS MSK IAM or no authentication; TLS options)."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:KafkaInputs"

    uris: str = prop("Comma-separated list of host:port bootstrap servers.")
    sasl_hash_function: str = prop(
        "SASL mechanism: NONE, PLAIN, SHA256, SHA512 or AWS_MSK_IAM (case-insensitive).",
        check=one_of(HASH_FUNCTIONS),
        normalize=upper,
    )
    schema_registry_name: str | None = prop(
        "Name of a DeltaStream schema registry to decode messages with "
        "(sent as 'schema_registry.name').",
        default=None,
    )
    sasl_username: Secret | None = prop(
        "SASL username; required for PLAIN, SHA256 and SHA512.", default=None, secret=True
    )
    sasl_password: Secret | None = prop(
        "SASL password; required for PLAIN, SHA256 and SHA512.", default=None, secret=True
    )
    msk_iam_role_arn: str | None = prop(
        "IAM role ARN to authenticate to Amazon MSK with; required for AWS_MSK_IAM.", default=None
    )
    msk_aws_region: str | None = prop(
        "AWS region of the Amazon MSK cluster; required for AWS_MSK_IAM.", default=None
    )
    tls_disabled: bool | None = prop("Connect without TLS.", default=None)
    tls_verify_server_hostname: bool | None = prop(
        "Verify that the brokers' certificates match their host names.", default=None
    )
    tls_ca_cert_file: str | None = prop(
        "CA certificate for TLS: the path of a PEM file (read at apply time, as in the "
        "official provider) or the PEM text itself. Sent as the attachment '@cacert'.",
        default=None,
        check=_cert_check,
    )


class KafkaType(StoreType):
    block: ClassVar[str] = "kafka"
    credential_input: ClassVar[str] = "saslPassword"
    keyword: ClassVar[str] = "KAFKA"
    catalog_types: ClassVar[tuple[str, ...]] = ("Kafka",)
    model: ClassVar[type[Any]] = KafkaInputs
    unreturned: ClassVar[tuple[str, ...]] = ("mskIamRoleArn", "mskAwsRegion")
    keys: ClassVar[tuple[KeySpec, ...]] = (
        KeySpec("uris", "uris"),
        KeySpec("sasl_hash_function", "kafka.sasl.hash_function", Form.KEYWORD, HASH_FUNCTIONS),
        KeySpec("sasl_username", "kafka.sasl.username"),
        KeySpec("sasl_password", "kafka.sasl.password"),
        KeySpec("msk_iam_role_arn", "kafka.msk.iam_role_arn"),
        KeySpec("msk_aws_region", "kafka.msk.aws_region"),
        KeySpec("schema_registry_name", SCHEMA_REGISTRY_KEY),
        KeySpec("tls_disabled", "tls.disabled", Form.BOOL),
        KeySpec("tls_verify_server_hostname", "tls.verify_server_hostname", Form.BOOL),
        KeySpec(
            "tls_ca_cert_file",
            "tls.ca_cert_file",
            Form.ATTACHMENT,
            attachment=CA_CERT_ATTACHMENT,
            loader=load_cert,
        ),
    )

    def rules(self, raw: Mapping[str, Any], prefix: str) -> list[CheckFailure]:
        failures: list[CheckFailure] = []
        mode = known_text(raw.get("saslHashFunction"))
        mode = mode.strip().upper() if mode else None
        if mode in SASL_FUNCTIONS:
            why = f"when saslHashFunction is {mode}"
            failures += require(raw, prefix, _SASL, why) + forbid(raw, prefix, _MSK, why)
        elif mode == "AWS_MSK_IAM":
            why = "when saslHashFunction is AWS_MSK_IAM"
            failures += require(raw, prefix, _MSK, why) + forbid(raw, prefix, _SASL, why)
        elif mode == "NONE":
            failures += forbid(raw, prefix, _SASL + _MSK, "when saslHashFunction is NONE")
        if raw.get("tlsDisabled") is True:
            why = "when tlsDisabled is true (the certificate would be ignored)"
            failures += forbid(raw, prefix, ("tlsCaCertFile",), why)
            if raw.get("tlsVerifyServerHostname") is True:
                failures.append(
                    CheckFailure(
                        f"{prefix}tlsVerifyServerHostname",
                        "cannot be true when tlsDisabled is true (there is no certificate)",
                    )
                )
        return failures


KAFKA = KafkaType()
__all__ = ["KAFKA", "KafkaInputs"]
