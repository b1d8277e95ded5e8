"""Helpers (no tests here) for Store tests driving the kind against a real deltastream-local."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import socket
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

from deltastream_core.kinds import OperationContext
from deltastream_core.ports import ResultSet, Statement, StatementContext
from deltastream_core.waiting import SystemClock
from deltastream_http.client import DeltaStreamClient
from deltastream_local.testing import ORGANIZATION_ID, LocalServer

T = TypeVar("T")

KEY_PEM = (
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
)
CA_PEM = (
    "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkq\n-----END CERTIFICATE-----\n"
)

#: per store type: (inputs block, a mutable change of it, the secret values it carries)
BLOCKS: dict[str, tuple[dict[str, Any], dict[str, Any], tuple[str, ...]]] = {
    "kafka": (
        {
            "uris": "kafka-1.example.com:9092",
            "saslHashFunction": "SHA512",
            "saslUsername": "kafka-user-7f3a",
            "saslPassword": "kafka-pw-'9c2e\\x",
            "tlsCaCertFile": CA_PEM,
            "schemaRegistryName": "registry_a",
        },
        {"uris": "kafka-2.example.com:9092"},
        ("kafka-user-7f3a", "kafka-pw-'9c2e\\x"),
    ),
    "confluentKafka": (
        {
            "uris": "pkc-1.confluent.cloud:9092",
            "saslHashFunction": "PLAIN",
            "saslUsername": "CCKEY5d1e",
            "saslPassword": "ccsecret-b71c",
        },
        {"uris": "pkc-2.confluent.cloud:9092"},
        ("CCKEY5d1e", "ccsecret-b71c"),
    ),
    "kinesis": (
        {
            "uris": "https://kinesis.us-east-1.amazonaws.com",
            "awsAccountId": "123456789012",
            "accessKeyId": "AKIAEXAMPLE4c1d",
            "secretAccessKey": "kinesis-secret-0e9f",
        },
        {"uris": "https://kinesis.eu-west-1.amazonaws.com"},
        ("AKIAEXAMPLE4c1d", "kinesis-secret-0e9f"),
    ),
    "postgres": (
        {
            "uris": "postgresql://pg.example.com:5432/app",
            "username": "pguser",
            "password": "pg-pass-63ab",
        },
        {"uris": "postgresql://pg2.example.com:5432/app"},
        ("pg-pass-63ab",),
    ),
    "snowflake": (
        {
            "uris": "https://xy12345.snowflakecomputing.com",
            "accountId": "xy12345",
            "roleName": "DS_ROLE",
            "username": "DS_USER",
            "warehouseName": "COMPUTE_WH",
            "cloudRegion": "AWS us-east-1",
            "clientKey": base64.b64encode(KEY_PEM.encode()).decode(),
            "clientKeyPassphrase": "sf-pass-2d8b",
        },
        {"warehouseName": "OTHER_WH"},
        (
            base64.b64encode(KEY_PEM.encode()).decode(),
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
            "sf-pass-2d8b",
        ),
    ),
    # the experimental types (docs/resources/store.md)
    "databricks": (
        {
            "uris": "https://dbc-1234.cloud.databricks.com",
            "appToken": "dapi-token-4e7b",
            "warehouseId": "wh0123abc",
            "warehousePort": 443,
            "accessKeyId": "AKIADBXEXAMPLE9a2",
            "secretAccessKey": "dbx-aws-secret-61fd",
            "cloudS3Bucket": "staging-bucket",
            "cloudRegion": "AWS us-west-2",
        },
        {"uris": "https://dbc-5678.cloud.databricks.com"},
        ("dapi-token-4e7b", "AKIADBXEXAMPLE9a2", "dbx-aws-secret-61fd"),
    ),
    "s3": (
        {
            "uris": "https://bucket-a.s3.amazonaws.com/",
            "accessKeyId": "AKIAS3EXAMPLE7c0",
            "secretAccessKey": "s3-secret-key-d83a",
        },
        {"uris": "https://bucket-b.s3.amazonaws.com/"},
        ("AKIAS3EXAMPLE7c0", "s3-secret-key-d83a"),
    ),
    "clickhouse": (
        {
            "uris": "jdbc:clickhouse://ch-1.example.com:8443",
            "username": "ch_user",
            "password": "ch-pass-0b5e",
        },
        {"uris": "jdbc:clickhouse://ch-2.example.com:8443"},
        ("ch-pass-0b5e",),
    ),
    "icebergRest": (
        {
            "uris": "https://catalog-1.example.com/api/catalog",
            "catalogId": "lake",
            "clientId": "ds-client",
            "clientSecret": "iceberg-secret-a4c9",
            "clientScope": "PRINCIPAL_ROLE:ALL",
        },
        {"uris": "https://catalog-2.example.com/api/catalog"},
        ("iceberg-secret-a4c9",),
    ),
}
#: every secret value of BLOCKS (the leak checks look for each of them everywhere)
SECRET_VALUES: tuple[str, ...] = tuple(v for _, _, secrets in BLOCKS.values() for v in secrets)


class Log:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, message: str) -> None:
        self.lines.append(message)

    def warning(self, message: str) -> None:
        self.lines.append(message)


class Recording:
    """A runner that records every statement (and the role it runs as) before passing it on."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.sent: list[Statement] = []
        self.roles: list[str | None] = []

    async def run(self, statement: Statement, context: StatementContext) -> ResultSet:
        self.sent.append(statement)
        self.roles.append(context.role)
        result: ResultSet = await self.inner.run(statement, context)
        return result

    def verbs(self) -> list[str]:
        return [" ".join(s.sql.split()[:2]) for s in self.sent]


def drive(
    server: LocalServer,
    step: Callable[[OperationContext], Awaitable[T]],
    *,
    log: Log | None = None,
    recording: list[Statement] | None = None,
    roles: list[str | None] | None = None,
    timeout: float | None = 30.0,
) -> T:
    """Run one lifecycle step with a fresh client (each ``asyncio.run`` has its own loop).

    ``recording`` and ``roles`` receive the statements sent and the role each ran as.
    """

    async def main() -> T:
        async with DeltaStreamClient(server.url, server.token) as client:
            runner = Recording(client)
            ctx = OperationContext(
                runner=runner,
                base=StatementContext(organization=ORGANIZATION_ID),
                log=log or Log(),
                clock=SystemClock(),
                timeout=timeout,
                resource_name="store",
            )
            try:
                return await step(ctx)
            finally:
                if recording is not None:
                    recording.extend(runner.sent)
                if roles is not None:
                    roles.extend(runner.roles)

    return asyncio.run(main())


def store_rows(server: LocalServer) -> list[dict[str, Any]]:
    body = server.run('SELECT * FROM deltastream.sys."stores";')
    names = [c["name"] for c in body["metadata"]["columns"]]
    return [dict(zip(names, row, strict=True)) for row in body.get("data") or []]


def describe(server: LocalServer, name: str) -> dict[str, Any]:
    quoted = '"' + name.replace('"', '""') + '"'
    body = server.run(f"DESCRIBE STORE {quoted};")
    assert body["sqlState"] == "00000", body
    names = [c["name"] for c in body["metadata"]["columns"]]
    return dict(zip(names, body["data"][0], strict=True))


def free_port() -> int:
    """A port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextlib.contextmanager
def listening() -> Iterator[int]:
    """A real listening socket on loopback; yields its port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]
