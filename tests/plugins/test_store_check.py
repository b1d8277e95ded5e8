"""Store Check and Diff: exactly one type block, per-type rules, all failures at once."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from deltastream_core.diff import DiffKind
from deltastream_core.kinds import OperationContext
from deltastream_core.model import secret_paths
from deltastream_core.ports import StatementContext
from deltastream_core.secrets import Secret
from deltastream_core.unknown import UNKNOWN
from deltastream_core.waiting import SystemClock
from deltastream_plugins.store.kind import StoreKind
from deltastream_plugins.store.models import StoreOutputs

PEM = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"


class _Log:
    def info(self, message: str) -> None: ...
    def warning(self, message: str) -> None: ...


CTX = OperationContext(runner=None, base=StatementContext(), log=_Log(), clock=SystemClock())
KIND = StoreKind()

KAFKA = {"uris": "b:9092", "saslHashFunction": "PLAIN", "saslUsername": "u", "saslPassword": "p"}
SNOWFLAKE = {
    "uris": "https://acct.snowflakecomputing.com",
    "accountId": "acct",
    "roleName": "r",
    "username": "u",
    "warehouseName": "w",
    "cloudRegion": "AWS us-east-1",
    "clientKey": base64.b64encode(PEM.encode()).decode(),
}


def failures(news: dict[str, Any]) -> list[tuple[str, str]]:
    result = asyncio.run(KIND.check(CTX, {}, news))
    return [(f.property, f.reason) for f in result.failures]


def test_no_block_says_which_blocks_exist() -> None:
    [(prop, reason)] = failures({"name": "s"})
    assert prop == ""
    assert "kafka" in reason and "confluentKafka" in reason and "snowflake" in reason


def test_two_blocks_name_both() -> None:
    found = failures({"name": "s", "kafka": KAFKA, "postgres": {"uris": "x"}})
    assert any("kafka and postgres" in r for _, r in found)


def test_every_failure_at_once() -> None:
    found = failures(
        {
            "name": "",
            "kafka": {"saslHashFunction": "SHA999", "mskAwsRegion": "eu-west-1"},
        }
    )
    props = {p for p, _ in found}
    assert {"name", "kafka.uris", "kafka.saslHashFunction"} <= props


def test_kafka_auth_modes() -> None:
    sasl = failures({"name": "s", "kafka": {"uris": "b", "saslHashFunction": "sha512"}})
    assert {p for p, _ in sasl} == {"kafka.saslUsername", "kafka.saslPassword"}
    iam = failures(
        {"name": "s", "kafka": {**KAFKA, "saslHashFunction": "AWS_MSK_IAM", "mskAwsRegion": "r"}}
    )
    assert {p for p, _ in iam} == {
        "kafka.mskIamRoleArn",
        "kafka.saslUsername",
        "kafka.saslPassword",
    }
    none = failures({"name": "s", "kafka": {"uris": "b", "saslHashFunction": "NONE"}})
    assert none == []


def test_kafka_tls_rules_and_missing_cert_file(tmp_path: Any) -> None:
    found = failures(
        {
            "name": "s",
            "kafka": {
                **KAFKA,
                "tlsDisabled": True,
                "tlsVerifyServerHostname": True,
                "tlsCaCertFile": str(tmp_path / "missing.pem"),
            },
        }
    )
    props = [p for p, _ in found]
    assert props.count("kafka.tlsCaCertFile") == 2  # unreadable, and pointless without TLS
    assert "kafka.tlsVerifyServerHostname" in props


def test_unknown_values_never_fail() -> None:
    assert failures({"name": UNKNOWN, "kafka": UNKNOWN}) == []
    assert failures({"name": "s", "kafka": {**KAFKA, "saslHashFunction": UNKNOWN}}) == []


def test_snowflake_key_accepts_base64_and_pem_and_never_echoes_a_bad_key() -> None:
    assert failures({"name": "s", "snowflake": SNOWFLAKE}) == []
    assert failures({"name": "s", "snowflake": {**SNOWFLAKE, "clientKey": Secret(PEM)}}) == []
    bad = "not base64 at all!!! secret-ish"
    [(prop, reason)] = failures({"name": "s", "snowflake": {**SNOWFLAKE, "clientKey": bad}})
    assert prop == "snowflake.clientKey"
    assert bad not in reason and "base64" in reason


def test_kinesis_keys_go_together_and_confluent_requires_credentials() -> None:
    kinesis = {"uris": "https://k", "awsAccountId": "1", "accessKeyId": "AK"}
    assert failures({"name": "s", "kinesis": kinesis}) == [
        ("kinesis.secretAccessKey", "is required together with accessKeyId")
    ]
    found = failures({"name": "s", "confluentKafka": {"uris": "b", "saslHashFunction": "NONE"}})
    assert {p for p, _ in found} == {
        "confluentKafka.saslHashFunction",
        "confluentKafka.saslUsername",
        "confluentKafka.saslPassword",
    }


def test_secret_paths_cover_every_credential() -> None:
    paths = {".".join(p) for p in secret_paths(StoreOutputs)}
    assert paths == {
        "kafka.saslUsername",
        "kafka.saslPassword",
        "confluentKafka.saslUsername",
        "confluentKafka.saslPassword",
        "kinesis.accessKeyId",
        "kinesis.secretAccessKey",
        "postgres.password",
        "snowflake.clientKey",
        "snowflake.clientKeyPassphrase",
        "databricks.appToken",
        "databricks.accessKeyId",
        "databricks.secretAccessKey",
        "s3.accessKeyId",
        "s3.secretAccessKey",
        "clickhouse.password",
        "icebergRest.clientSecret",
    }


def test_diff_type_change_replaces_and_field_change_updates() -> None:
    old = {"name": "s", "kafka": KAFKA}
    same = KIND.diff(old, {"name": "s", "kafka": {**KAFKA, "saslHashFunction": "plain"}})
    assert not same.changed  # keywords compare case-insensitively
    update = KIND.diff(old, {"name": "s", "kafka": {**KAFKA, "uris": "c:9092"}})
    assert update.detailed == {"kafka.uris": DiffKind.UPDATE}
    replace = KIND.diff(old, {"name": "s", "postgres": {"uris": "x", "username": "u"}})
    assert replace.replaces == ["kafka", "postgres"] and replace.delete_before_replace
    rename = KIND.diff(old, {"name": "t", "kafka": KAFKA})
    assert rename.replaces == ["name"]
    owner = KIND.diff({**old, "owner": "sysadmin"}, {"name": "s", "kafka": KAFKA})
    assert not owner.changed  # an absent owner keeps the current one
    assert KIND.diff(old, {**old, "owner": "public"}).detailed == {"owner": DiffKind.ADD}


def test_preview_outputs_touch_nothing_and_mark_computed_unknown() -> None:
    out = KIND.preview_outputs({"name": "s", "kafka": KAFKA})
    assert out["type"] == "Kafka" and out["state"] is UNKNOWN and out["owner"] is UNKNOWN


def test_secrets_deltastream_keeps_may_stay_absent_for_an_existing_store() -> None:
    imported = {"name": "s", "postgres": {"uris": "postgresql://h/d"}}
    new = asyncio.run(KIND.check(CTX, {}, imported))
    assert {f.property for f in new.failures} == {"postgres.username", "postgres.password"}
    existing = asyncio.run(KIND.check(CTX, {**imported, "owner": "sysadmin"}, imported))
    assert existing.failures == ()
    # once known, removing a secret is an error again
    known = {
        "name": "s",
        "postgres": {"uris": "postgresql://h/d", "username": "u", "password": "p"},
    }
    dropped = asyncio.run(KIND.check(CTX, known, imported))
    assert {f.property for f in dropped.failures} == {"postgres.username", "postgres.password"}


SECRET_FOR_PASSWORDS = {
    "kafka": "kafka.saslPassword",
    "confluentKafka": "confluentKafka.saslPassword",
    "kinesis": "kinesis.secretAccessKey",
    "postgres": "postgres.password",
    "snowflake": "snowflake.clientKey",
}


def test_every_store_type_refuses_a_password_in_uris_naming_its_secret_input() -> None:
    for block, secret_input in SECRET_FOR_PASSWORDS.items():
        got = dict(failures({"name": "s", block: {"uris": "scheme://user:Zq9-pw@host:1/x"}}))
        reason = got[f"{block}.uris"]
        assert secret_input in reason and "Zq9-pw" not in reason, (block, reason)
        assert "scheme://user:***@host:1/x" in reason


def test_uris_without_a_password_are_not_refused() -> None:
    for uris in ("b1:9092,b2:9092", "postgresql://u@h:5432/db", "https://h/x?a=b:c@d"):
        got = dict(failures({"name": "s", "kafka": {**KAFKA, "uris": uris}}))
        assert "kafka.uris" not in got, (uris, got)
