"""The experimental store types (Databricks, S3, ClickHouse, Iceberg REST): deltastream-local
accepts each with exactly its keys, refuses any other key and a missing required one, shows
only non-secret settings in DESCRIBE STORE, and never shows a secret."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from deltastream_local.engine import create_engine
from deltastream_local.engine.session import EngineSession

DATABRICKS = (
    "CREATE STORE dbx WITH ( 'type' = DATABRICKS, 'uris' = 'https://dbc-1.cloud.databricks.com',"
    " 'databricks.app_token' = 'dapi-secret-1', 'databricks.warehouse_id' = 'wh1',"
    " 'databricks.warehouse_port' = 443, 'aws.access_key_id' = 'AKIA-dbx-secret',"
    " 'aws.secret_access_key' = 'dbx-aws-secret', 'databricks.cloud.s3.bucket' = 'stage',"
    " 'databricks.cloud.region' = 'AWS us-west-2' );"
)
S3 = (
    "CREATE STORE s3 WITH ( 'type' = S3, 'uris' = 'https://b.s3.amazonaws.com/',"
    " 'aws.access_key_id' = 'AKIA-s3-secret', 'aws.secret_access_key' = 's3-secret',"
    " 'aws.iam_role_arn' = 'arn:aws:iam::1:role/r', 'aws.iam_external_id' = 'ext-hidden' );"
)
CLICKHOUSE = (
    "CREATE STORE ch WITH ( 'type' = CLICKHOUSE, 'uris' = 'jdbc:clickhouse://ch:8443',"
    " 'clickhouse.username' = 'chuser', 'clickhouse.password' = 'ch-secret' );"
)
ICEBERG = (
    "CREATE STORE ice WITH ( 'type' = ICEBERG_REST, 'uris' = 'https://cat/api',"
    " 'iceberg.catalog.id' = 'lake', 'iceberg.rest.client_id' = 'cid',"
    " 'iceberg.rest.client_secret' = 'ice-secret', 'iceberg.rest.client_scope' = 'ALL' );"
)
SECRETS = [
    "dapi-secret-1",
    "AKIA-dbx-secret",
    "dbx-aws-secret",
    "AKIA-s3-secret",
    "s3-secret",
    "ext-hidden",
    "ch-secret",
    "chuser",
    "ice-secret",
]


@pytest.fixture
def session() -> Iterator[EngineSession]:
    engine = create_engine(":memory:")
    yield EngineSession(engine)
    engine.close()


def describe(session: EngineSession, name: str) -> list[str | None]:
    return session.ok(f'DESCRIBE STORE "{name}";').rows[0]


def test_each_type_is_accepted_with_exactly_its_keys(session: EngineSession) -> None:
    for statement in (DATABRICKS, S3, CLICKHOUSE, ICEBERG):
        session.ok(statement)
    session.ok("CREATE STORE s3min WITH ( 'type' = S3, 'uris' = 'https://c.s3.amazonaws.com/' );")
    rows = session.rows('SELECT name, type, status FROM deltastream.sys."stores" ORDER BY name')
    assert rows == [
        ["ch", "Clickhouse", "ready"],
        ["dbx", "Databricks", "ready"],
        ["ice", "IcebergRest", "ready"],
        ["s3", "S3", "ready"],
        ["s3min", "S3", "ready"],
    ]
    assert json.loads(describe(session, "dbx")[2] or "") == {
        "warehouse_id": "wh1",
        "warehouse_port": "443",
        "cloud_s3_bucket": "stage",
        "cloud_region": "AWS us-west-2",
    }
    assert json.loads(describe(session, "ice")[2] or "") == {
        "catalog_id": "lake",
        "rest_client_id": "cid",
        "rest_client_scope": "ALL",
    }
    assert json.loads(describe(session, "s3")[2] or "") == {}
    assert json.loads(describe(session, "ch")[2] or "") == {}
    assert describe(session, "ch")[1] == "jdbc:clickhouse://ch:8443"


@pytest.mark.parametrize(
    ("statement", "state", "fragment"),
    [
        # a key of another type, a TLS key, or a guessed key: refused naming the key
        (S3.replace("'aws.iam_external_id'", "'s3.region'"), "3D008", "'s3.region'"),
        (CLICKHOUSE.replace(" );", ", 'tls.disabled' = TRUE );"), "3D008", "'tls.disabled'"),
        (
            ICEBERG.replace("'iceberg.catalog.id'", "'iceberg.rest.catalog'"),
            "3D008",
            "'iceberg.rest.catalog'",
        ),
        (DATABRICKS.replace(" );", ", 'clickhouse.username' = 'u' );"), "3D008", "'clickhouse"),
        # a required key left out
        (DATABRICKS.replace("'databricks.warehouse_id' = 'wh1',", ""), "3D021", "warehouse_id"),
        (
            DATABRICKS.replace("'aws.secret_access_key'", "'databricks.x'"),
            "3D008",
            "'databricks.x'",
        ),
        (CLICKHOUSE.replace(", 'clickhouse.password' = 'ch-secret'", ""), "3D021", "password"),
        (ICEBERG.replace(", 'iceberg.rest.client_secret' = 'ice-secret'", ""), "3D021", "secret"),
        # value forms and pairs
        (DATABRICKS.replace("= 443", "= '443'"), "3D008", "bare port number"),
        (S3.replace(", 'aws.secret_access_key' = 's3-secret'", ""), "3D021", "secret_access_key"),
        (S3.replace("'aws.iam_role_arn' = 'arn:aws:iam::1:role/r',", ""), "3D021", "iam_role_arn"),
    ],
)
def test_bad_properties_are_refused_clearly(
    session: EngineSession, statement: str, state: str, fragment: str
) -> None:
    outcome = session.run(statement)
    assert outcome.sql_state == state, outcome.message
    assert fragment in (outcome.message or "")
    for secret in SECRETS:
        assert secret not in (outcome.message or "")
    assert session.rows('SELECT name FROM deltastream.sys."stores"') == []


def test_update_merges_and_a_number_stays_bare(session: EngineSession) -> None:
    session.ok(DATABRICKS)
    session.ok("UPDATE STORE dbx WITH ( 'databricks.warehouse_port' = 8443 );")
    assert json.loads(describe(session, "dbx")[2] or "")["warehouse_port"] == "8443"
    bad = session.run("UPDATE STORE dbx WITH ( 'databricks.cloud.region' = NULL );")
    assert bad.sql_state == "3D021" and "'databricks.cloud.region'" in (bad.message or "")


def test_secrets_never_leave_the_engine(session: EngineSession) -> None:
    for statement in (DATABRICKS, S3, CLICKHOUSE, ICEBERG):
        session.ok(statement)
    outputs = []
    for statement in (
        'SELECT * FROM deltastream.sys."stores"',
        "LIST STORES",
        "DESCRIBE STORE dbx",
        "DESCRIBE STORE s3",
        "DESCRIBE STORE ch",
        "DESCRIBE STORE ice",
        "UPDATE STORE ch WITH ('clickhouse.password' = 'ch-secret', 'bogus' = 'ice-secret')",
        DATABRICKS,  # already exists
    ):
        outcome = session.run(statement)
        outputs.append(json.dumps([outcome.message, outcome.rows]))
    text = "\n".join(outputs)
    for secret in SECRETS:
        assert secret not in text, secret
