"""Kinesis stores (``'type' = KINESIS``): an AWS account, optionally static access keys.

Not in the official Pulumi provider; modelled on the Terraform provider's ``kinesis`` block.
The access key id and secret go together (both or neither: without them DeltaStream uses
its own AWS identity).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from deltastream_core.kinds import CheckFailure
from deltastream_core.model import prop
from deltastream_core.secrets import Secret
from deltastream_plugins.store.common import KeySpec, StoreType, is_set

_KEYS = ("accessKeyId", "secretAccessKey")


@attrs.frozen
class KinesisInputs:
    """Settings of an Amazon Kinesis store; static access keys are optional."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:KinesisInputs"

    uris: str = prop("The Kinesis endpoint URL, e.g. https://kinesis.us-east-1.amazonaws.com.")
    # defaulted (yet required) because DeltaStream hides it: an import cannot rebuild it
    aws_account_id: str | None = prop(
        "The AWS account id owning the streams.", default=None, required=True
    )
    access_key_id: Secret | None = prop(
        "AWS IAM access key id (together with secretAccessKey).", default=None, secret=True
    )
    secret_access_key: Secret | None = prop(
        "AWS IAM secret access key (together with accessKeyId).", default=None, secret=True
    )


class KinesisType(StoreType):
    block: ClassVar[str] = "kinesis"
    credential_input: ClassVar[str] = "secretAccessKey"
    keyword: ClassVar[str] = "KINESIS"
    catalog_types: ClassVar[tuple[str, ...]] = ("Kinesis",)
    model: ClassVar[type[Any]] = KinesisInputs
    unreturned: ClassVar[tuple[str, ...]] = ("awsAccountId",)
    keys: ClassVar[tuple[KeySpec, ...]] = (
        KeySpec("uris", "uris"),
        KeySpec("aws_account_id", "kinesis.account.id"),
        KeySpec("access_key_id", "kinesis.access_key_id"),
        KeySpec("secret_access_key", "kinesis.secret_access_key"),
    )

    def rules(self, raw: Mapping[str, Any], prefix: str) -> list[CheckFailure]:
        given = [k for k in _KEYS if is_set(raw.get(k))]
        if len(given) == 1:
            other = next(k for k in _KEYS if k not in given)
            return [CheckFailure(f"{prefix}{other}", f"is required together with {given[0]}")]
        return []


KINESIS = KinesisType()
