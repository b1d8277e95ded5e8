"""S3 stores (``'type' = S3``), experimental: a bucket, with static keys or an IAM role.

Evidence (docs/reference/deltastream-sql.md#newer-store-types): the Python SDK only (its
``create_s3_store`` and a test of the rendered WITH clause). The access key id and secret go
together; an external id belongs to a role. DeltaStream does not return the role settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from deltastream_core.kinds import CheckFailure
from deltastream_core.model import prop
from deltastream_core.secrets import Secret
from deltastream_plugins.store.common import KeySpec, StoreType, is_set, require

_KEYS = ("accessKeyId", "secretAccessKey")


@attrs.frozen
class S3Inputs:
    """Experimental: settings of an Amazon S3 store (static keys or an IAM role); keys from
    the Python SDK only."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:S3Inputs"

    uris: str = prop("URL of the bucket, e.g. https://my-bucket.s3.amazonaws.com/.")
    access_key_id: Secret | None = prop(
        "AWS IAM access key id (together with secretAccessKey).", default=None, secret=True
    )
    secret_access_key: Secret | None = prop(
        "AWS IAM secret access key (together with accessKeyId).", default=None, secret=True
    )
    iam_role_arn: str | None = prop("ARN of an IAM role DeltaStream assumes.", default=None)
    iam_external_id: str | None = prop(
        "External id the role's trust policy requires (with iamRoleArn).", default=None
    )


class S3Type(StoreType):
    block: ClassVar[str] = "s3"
    credential_input: ClassVar[str] = "secretAccessKey"
    keyword: ClassVar[str] = "S3"
    catalog_types: ClassVar[tuple[str, ...]] = ("S3",)
    model: ClassVar[type[Any]] = S3Inputs
    unreturned: ClassVar[tuple[str, ...]] = ("iamRoleArn", "iamExternalId")
    experimental: ClassVar[str] = "keys from the Python SDK only"
    keys: ClassVar[tuple[KeySpec, ...]] = (
        KeySpec("uris", "uris"),
        KeySpec("access_key_id", "aws.access_key_id"),
        KeySpec("secret_access_key", "aws.secret_access_key"),
        KeySpec("iam_role_arn", "aws.iam_role_arn"),
        KeySpec("iam_external_id", "aws.iam_external_id"),
    )

    def rules(self, raw: Mapping[str, Any], prefix: str) -> list[CheckFailure]:
        failures: list[CheckFailure] = []
        given = [k for k in _KEYS if is_set(raw.get(k))]
        if len(given) == 1:
            other = next(k for k in _KEYS if k not in given)
            failures.append(
                CheckFailure(f"{prefix}{other}", f"is required together with {given[0]}")
            )
        if is_set(raw.get("iamExternalId")):
            failures += require(raw, prefix, ("iamRoleArn",), "with iamExternalId")
        return failures


S3 = S3Type()
