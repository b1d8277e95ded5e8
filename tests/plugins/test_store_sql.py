"""The statements a Store sends, checked against a recording runner (no server needed)."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from deltastream_core.errors import NotFoundError, ObjectFailedError, TimeoutError_
from deltastream_core.kinds import OperationContext
from deltastream_core.model import structure
from deltastream_core.ports import ResultColumn, ResultSet, Statement, StatementContext
from deltastream_plugins.store.kind import StoreKind
from deltastream_plugins.store.models import StoreInputs

PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
COLS = ("name", "type", "status", "owner", "created_at", "updated_at", "status_message")
TS = "2026-01-02 03:04:05"


def row(name: str, status: str = "ready", message: str | None = None) -> ResultSet:
    types = ["VARCHAR"] * 4 + ["TIMESTAMP_LTZ"] * 2 + ["VARCHAR"]
    return ResultSet(
        columns=tuple(ResultColumn(c, t) for c, t in zip(COLS, types, strict=True)),
        rows=((name, "Kafka", status, "sysadmin", TS, TS, message),),
    )


class Runner:
    """Answers lookups from ``statuses`` (one per lookup, last repeats); records the rest."""

    def __init__(self, statuses: list[str | None], message: str | None = None) -> None:
        self.statuses = statuses
        self.message = message
        self.sent: list[Statement] = []
        self.roles: list[str | None] = []

    async def run(self, statement: Statement, context: StatementContext) -> ResultSet:
        self.sent.append(statement)
        self.roles.append(context.role)
        if statement.sql.startswith("SELECT"):
            status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
            if status is None:
                return ResultSet()
            name = statement.sql.split("WHERE name = '")[1].split("';")[0]
            return row(name.replace("''", "'"), status, self.message)
        return ResultSet()

    def writes(self) -> list[Statement]:
        return [s for s in self.sent if not s.sql.startswith("SELECT")]


class Log:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, message: str) -> None:
        self.lines.append(message)

    def warning(self, message: str) -> None:
        self.lines.append(message)


class FastClock:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def ctx(runner: Runner, log: Log | None = None, timeout: float | None = None) -> OperationContext:
    return OperationContext(
        runner=runner,
        base=StatementContext(),
        log=log or Log(),
        clock=FastClock(),
        timeout=timeout,
        resource_name="my-store",
    )


def inputs(**raw: Any) -> StoreInputs:
    return structure(StoreInputs, raw)


KAFKA = {"uris": "b:9092", "saslHashFunction": "sha512", "saslUsername": "alice"}


def test_kafka_create_is_one_statement_in_fixed_order_with_attachment() -> None:
    runner = Runner(["pending", "pending", "ready"])
    args = inputs(
        name='my "store"',
        owner="public",
        kafka={
            **KAFKA,
            "saslPassword": "pa'ss",
            "tlsVerifyServerHostname": False,
            "tlsCaCertFile": PEM,
            "schemaRegistryName": "sr",
        },
    )
    out = asyncio.run(StoreKind().create(ctx(runner), args))
    [create] = runner.writes()
    assert create.sql == (
        "CREATE STORE \"my \"\"store\"\"\" WITH ( 'type' = KAFKA, 'uris' = 'b:9092', "
        "'kafka.sasl.hash_function' = SHA512, 'kafka.sasl.username' = 'alice', "
        "'kafka.sasl.password' = 'pa''ss', 'schema_registry.name' = 'sr', "
        "'tls.verify_server_hostname' = FALSE, 'tls.ca_cert_file' = '@cacert' );"
    )
    assert create.attachments == {"@cacert": PEM.encode()}
    assert set(create.secrets) == {"alice", "pa'ss"}
    assert "pa''ss" not in create.redacted() and "alice" not in create.redacted()
    assert runner.roles[0] == "public"  # created as the owner
    assert out.state == "ready" and out.type == "Kafka"
    assert out.created_at == "2026-01-02T03:04:05Z"


def test_snowflake_key_is_an_attachment_never_inline() -> None:
    key = "-----BEGIN PRIVATE KEY-----\nABC\n-----END PRIVATE KEY-----\n"
    runner = Runner(["ready"])
    args = inputs(
        name="sf",
        snowflake={
            "uris": "https://a",
            "accountId": "a",
            "roleName": "r",
            "username": "u",
            "warehouseName": "w",
            "cloudRegion": "AWS us-east-1",
            "clientKey": base64.b64encode(key.encode()).decode(),
            "clientKeyPassphrase": "pp",
        },
    )
    asyncio.run(StoreKind().create(ctx(runner), args))
    [create] = runner.writes()
    assert "'snowflake.client.key_file' = '@keyfile'" in create.sql
    assert "ABC" not in create.sql and base64.b64encode(key.encode()).decode() not in create.sql
    assert create.attachments == {"@keyfile": key.encode()}
    assert "pp" in create.secrets


def test_errored_create_drops_confirms_and_reports_status_message() -> None:
    runner = Runner(["pending", "errored", "errored", None], message="connection refused")
    args = inputs(name="bad", kafka={**KAFKA, "saslPassword": "p"})
    with pytest.raises(ObjectFailedError, match=r"connection refused.*dropped"):
        asyncio.run(StoreKind().create(ctx(runner), args))
    assert [s.sql.split()[0] for s in runner.writes()] == ["CREATE", "DROP"]
    assert runner.sent[-1].sql.startswith("SELECT")  # absence confirmed


def test_update_sends_only_changed_keys_and_nulls_the_other_auth_mode() -> None:
    kind = StoreKind()
    old = kind.outputs(name="s", kafka=inputs(name="s", kafka={**KAFKA, "saslPassword": "p"}).kafka)
    news = inputs(
        name="s",
        kafka={
            "uris": "b:9092",
            "saslHashFunction": "AWS_MSK_IAM",
            "mskIamRoleArn": "arn:x",
            "mskAwsRegion": "eu",
        },
    )
    runner = Runner(["pending", "ready"])
    asyncio.run(kind.update(ctx(runner), "s", old, news))
    [update] = runner.writes()
    assert update.sql == (
        "UPDATE STORE \"s\" WITH ( 'kafka.sasl.hash_function' = AWS_MSK_IAM, "
        "'kafka.msk.iam_role_arn' = 'arn:x', 'kafka.msk.aws_region' = 'eu', "
        "'kafka.sasl.username' = NULL, 'kafka.sasl.password' = NULL );"
    )


def test_owner_change_is_alter_owner_and_no_store_keys() -> None:
    kind = StoreKind()
    args = inputs(name="s", kafka={**KAFKA, "saslPassword": "p"})
    old = kind.outputs(name="s", owner="sysadmin", kafka=args.kafka)
    news = inputs(name="s", owner="public", kafka={**KAFKA, "saslPassword": "p"})
    runner = Runner(["ready"])
    out = asyncio.run(kind.update(ctx(runner), "s", old, news))
    assert [s.sql for s in runner.writes()] == ['ALTER STORE "s" OWNER TO "public";']
    assert out.state == "ready"


def test_delete_of_a_missing_store_succeeds() -> None:
    class Gone(Runner):
        async def run(self, statement: Statement, context: StatementContext) -> ResultSet:
            if statement.sql.startswith("DROP"):
                raise NotFoundError("3D006", "store not found")
            return await super().run(statement, context)

    runner = Gone([None])
    args = inputs(name="s", kafka={**KAFKA, "saslPassword": "p"})
    old = StoreKind().outputs(name="s", kafka=args.kafka)
    asyncio.run(StoreKind().delete(ctx(runner), "s", old))
    asyncio.run(StoreKind().delete(ctx(runner), "s", old))


def test_timeout_names_the_store_and_drops_it() -> None:
    runner = Runner(["pending"] * 200 + [None])
    log = Log()
    args = inputs(name="slow", kafka={**KAFKA, "saslPassword": "p"})
    with pytest.raises(TimeoutError_, match="store 'slow'"):
        asyncio.run(StoreKind().create(ctx(runner, log, timeout=5), args))
    assert any("waiting for store 'slow'" in line for line in log.lines)
    assert [s.sql.split()[0] for s in runner.writes()] == ["CREATE", "DROP"]


def test_get_stores_caps_at_200_with_a_warning() -> None:
    from deltastream_plugins.store.lookups import GetStores, GetStoresArgs

    class Many(Runner):
        async def run(self, statement: Statement, context: StatementContext) -> ResultSet:
            self.sent.append(statement)
            one = row("x")
            rows = tuple((f"s{i:03d}", *one.rows[0][1:]) for i in range(201))
            return ResultSet(columns=one.columns, rows=rows)

    runner, log = Many([]), Log()
    result = asyncio.run(GetStores().invoke(ctx(runner, log), GetStoresArgs()))
    assert len(result.stores) == 200 and result.stores[0].name == "s000"
    [select] = runner.sent
    assert select.sql.endswith("ORDER BY name LIMIT 201;")
    assert any("more than 200" in line for line in log.lines)
