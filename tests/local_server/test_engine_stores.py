"""Stores: types and their required keys, attachments, UPDATE merging, lifecycle, secrets."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deltastream_local.engine import EngineOptions, create_engine
from deltastream_local.engine.executor import SqlEngine
from deltastream_local.engine.session import EngineSession

KAFKA = (
    "CREATE STORE \"k1\" WITH ( 'type' = KAFKA, 'uris' = 'localhost:9092',"
    " 'kafka.sasl.hash_function' = SHA512, 'kafka.sasl.username' = 'kuser',"
    " 'kafka.sasl.password' = 'kafka-secret-pw', 'tls.disabled' = TRUE,"
    " 'tls.verify_server_hostname' = FALSE, 'schema_registry.name' = 'sr1' );"
)
SNOWFLAKE = (
    "CREATE STORE \"sf1\" WITH ( 'type' = SNOWFLAKE, 'uris' = 'https://acme.snowflakecomputing.com',"
    " 'snowflake.account_id' = 'acct', 'snowflake.role_name' = 'ACCOUNTADMIN',"
    " 'snowflake.username' = 'sfuser', 'snowflake.warehouse_name' = 'wh',"
    " 'snowflake.cloud.region' = 'AWS us-east-1', 'snowflake.client.key_file' = '@keyfile' );"
)
POSTGRES = (
    "CREATE STORE pg WITH ( 'type' = POSTGRESQL, 'postgres.username' = 'pguser',"
    " 'postgres.password' = 'pg-secret-pw', 'uris' = 'postgresql://pguser:pg-secret-pw@db:5432/x',"
    " 'tls.disabled' = TRUE )"
)
KINESIS = (
    "CREATE STORE kin WITH ( 'type' = KINESIS, 'uris' = 'https://kinesis.us-east-1.amazonaws.com',"
    " 'kinesis.access_key_id' = 'AKIA-secret', 'kinesis.secret_access_key' = 'kin-secret' )"
)
CONFLUENT = (
    "CREATE STORE ck WITH ( 'type' = CONFLUENT_KAFKA, 'uris' = 'pkc.example:9092',"
    " 'kafka.sasl.hash_function' = PLAIN, 'kafka.sasl.username' = 'ckuser',"
    " 'kafka.sasl.password' = 'ck-secret', 'schema_registry.name' = \"sr\" )"
)
PRIVATE_KEY = b"-----BEGIN PRIVATE KEY-----\nprivate-key-bytes\n-----END PRIVATE KEY-----\n"
SECRETS = ["kafka-secret-pw", "pg-secret-pw", "AKIA-secret", "kin-secret", "ck-secret"]


@pytest.fixture
def session() -> Iterator[EngineSession]:
    engine = create_engine(":memory:")
    yield EngineSession(engine)
    engine.close()


def status(session: EngineSession, name: str) -> list[str | None]:
    rows = session.rows(
        f"SELECT status, status_message FROM deltastream.sys.\"stores\" WHERE name = '{name}'"
    )
    assert len(rows) == 1
    return rows[0]


def test_every_provider_store_shape_is_accepted(session: EngineSession) -> None:
    session.ok(KAFKA)
    session.ok(SNOWFLAKE, {"@keyfile": PRIVATE_KEY})
    session.ok(POSTGRES)
    session.ok(KINESIS)
    session.ok(CONFLUENT)
    rows = session.rows(
        'SELECT name, type, status, "owner" FROM deltastream.sys."stores" ORDER BY name'
    )
    assert rows == [
        ["ck", "ConfluentKafka", "ready", "sysadmin"],
        ["k1", "Kafka", "ready", "sysadmin"],
        ["kin", "Kinesis", "ready", "sysadmin"],
        ["pg", "Postgres", "ready", "sysadmin"],
        ["sf1", "Snowflake", "ready", "sysadmin"],
    ]


def test_generic_types_and_msk_iam(session: EngineSession) -> None:
    session.ok(
        "CREATE STORE s3 WITH ('type' = S3, 'uris' = 'https://s3.amazonaws.com',"
        " 'aws.access_key_id' = 'a', 'aws.secret_access_key' = 'b')"
    )
    session.ok(
        "CREATE STORE msk WITH ('type' = KAFKA, 'uris' = 'b-1:9098',"
        " 'kafka.sasl.hash_function' = AWS_MSK_IAM, 'kafka.msk.iam_role_arn' = 'arn:x',"
        " 'kafka.msk.aws_region' = 'us-east-1')"
    )
    bad = session.run(
        "CREATE STORE db WITH ('type' = DATABRICKS, 'uris' = 'https://x',"
        " 'kafka.sasl.username' = 'u')"
    )
    assert (bad.sql_state, bad.message) == (
        "3D008",
        "property 'kafka.sasl.username' is not valid for DATABRICKS stores",
    )


@pytest.mark.parametrize(
    ("statement", "state", "fragment"),
    [
        ("CREATE STORE x WITH ('uris' = 'a:1')", "3D021", "'type'"),
        ("CREATE STORE x WITH ('type' = NOPE, 'uris' = 'a:1')", "3D008", "'type'"),
        ("CREATE STORE x WITH ('type' = KAFKA)", "3D021", "'uris'"),
        (
            "CREATE STORE x WITH ('type' = KAFKA, 'uris' = 'a:1',"
            " 'kafka.sasl.hash_function' = PLAIN, 'kafka.sasl.username' = 'u')",
            "3D021",
            "'kafka.sasl.password'",
        ),
        (
            "CREATE STORE x WITH ('type' = KAFKA, 'uris' = 'a:1',"
            " 'kafka.sasl.hash_function' = MD5)",
            "3D008",
            "'kafka.sasl.hash_function'",
        ),
        (
            "CREATE STORE x WITH ('type' = KAFKA, 'uris' = 'a:1',"
            " 'kafka.sasl.hash_function' = AWS_MSK_IAM, 'kafka.msk.aws_region' = 'r')",
            "3D021",
            "'kafka.msk.iam_role_arn'",
        ),
        (
            "CREATE STORE x WITH ('type' = KAFKA, 'uris' = 'a:1',"
            " 'kafka.schema_registry_name' = 's')",
            "3D008",
            "use 'schema_registry.name'",
        ),
        (
            "CREATE STORE x WITH ('type' = KAFKA, 'uris' = 'a:1', 'snowflake.account_id' = 's')",
            "3D008",
            "'snowflake.account_id'",
        ),
        (
            "CREATE STORE x WITH ('type' = POSTGRESQL, 'uris' = 'a:1', 'postgres.username' = 'u')",
            "3D021",
            "'postgres.password'",
        ),
        (
            "CREATE STORE x WITH ('type' = KINESIS, 'uris' = 'a', 'kinesis.access_key_id' = 'k')",
            "3D021",
            "'kinesis.secret_access_key'",
        ),
        (
            "CREATE STORE x WITH ('type' = CONFLUENT_KAFKA, 'uris' = 'a:1')",
            "3D021",
            "'kafka.sasl.hash_function'",
        ),
        (
            "CREATE STORE x WITH ('type' = KAFKA, 'uris' = 'a:1', 'tls.disabled' = 'maybe')",
            "3D008",
            "'tls.disabled'",
        ),
        ("CREATE STORE x WITH ('type' = KAFKA, 'uris' = 'a:1', 'uris' = 'b:2')", "3D008", "'uris'"),
    ],
)
def test_bad_properties(session: EngineSession, statement: str, state: str, fragment: str) -> None:
    outcome = session.run(statement)
    assert outcome.sql_state == state, outcome.message
    assert fragment in (outcome.message or "")
    assert session.rows('SELECT name FROM deltastream.sys."stores"') == []


def test_attachments_must_be_uploaded_by_exact_name(session: EngineSession) -> None:
    missing = session.run(SNOWFLAKE, {"keyfile": PRIVATE_KEY})  # no leading '@'
    assert missing.sql_state == "3D008"
    assert "'@keyfile'" in (missing.message or "")
    session.ok(SNOWFLAKE, {"@keyfile": PRIVATE_KEY})
    described = session.ok('DESCRIBE STORE "sf1"')
    assert len(described.columns) == 7
    details = json.loads(described.rows[0][2] or "")
    assert details["account_id"] == "acct"
    assert details["warehouse_name"] == "wh"
    assert details["role_name"] == "ACCOUNTADMIN"
    # a new key file needs its own attachment
    assert session.run(
        "UPDATE STORE sf1 WITH ('snowflake.client.key_file' = '@new')"
    ).sql_state == ("3D008")
    session.ok("UPDATE STORE sf1 WITH ('snowflake.client.key_file' = '@new')", {"@new": b"k"})
    ca = session.run(
        "CREATE STORE tls WITH ('type' = KAFKA, 'uris' = 'a:1', 'tls.ca_cert_file' = '@cacert')"
    )
    assert ca.sql_state == "3D008"
    session.ok(
        "CREATE STORE tls WITH ('type' = KAFKA, 'uris' = 'a:1', 'tls.ca_cert_file' = '@cacert')",
        {"@cacert": b"cert"},
    )


def test_describe_store_shape(session: EngineSession) -> None:
    session.ok(KAFKA)
    outcome = session.ok('DESCRIBE STORE "k1";')
    assert [(c.name, c.type) for c in outcome.columns] == [
        ("metadata", "VARCHAR"),
        ("uris", "VARCHAR"),
        ("details", "VARCHAR"),
        ("tls_enabled", "BOOLEAN"),
        ("verify_server_hostname", "BOOLEAN"),
        ("schema_registry_name", "VARCHAR"),
        ("path", "VARCHAR"),
    ]
    metadata, uris, details, tls, verify, registry, path = outcome.rows[0]
    assert json.loads(metadata or "")["type"] == "Kafka"
    assert (uris, tls, verify, registry) == ("localhost:9092", "false", "false", "sr1")
    assert json.loads(path or "") == ["k1"]
    assert json.loads(details or "") == {"sasl_hash_function": "SHA512"}
    assert session.run('DESCRIBE STORE "nope"').sql_state == "3D006"


def test_update_merges_and_null_unsets(session: EngineSession) -> None:
    session.ok(KAFKA)
    session.ok("UPDATE STORE k1 WITH ('schema_registry.name' = NULL, 'uris' = 'other:9093')")
    _, uris, _, _, _, registry, _ = session.ok("DESCRIBE STORE k1").rows[0]
    assert (uris, registry) == ("other:9093", None)
    # removing a key the hash function needs is refused, and nothing changes
    refused = session.run("UPDATE STORE k1 WITH ('kafka.sasl.password' = NULL)")
    assert refused.sql_state == "3D021"
    session.ok(
        "UPDATE STORE k1 WITH ('kafka.sasl.hash_function' = 'NONE',"
        " 'kafka.sasl.username' = NULL, 'kafka.sasl.password' = NULL)"
    )
    assert session.run("UPDATE STORE k1 WITH ('type' = POSTGRESQL)").sql_state == "3D008"
    assert session.run("UPDATE STORE nope WITH ('uris' = 'a:1')").sql_state == "3D006"


def test_duplicates_privileges_owner_use_and_drop(session: EngineSession) -> None:
    session.ok(KAFKA)
    duplicate = session.run(KAFKA)
    assert (duplicate.sql_state, duplicate.message) == ("42P05", 'store "k1" already exists')
    assert session.as_role("public").run(POSTGRES).sql_state == "42501"
    session.ok("ALTER STORE k1 OWNER TO public")
    assert session.rows('SELECT "owner" FROM deltastream.sys."stores"') == [["public"]]
    session.ok('USE STORE "k1"')
    assert session.context.store == "k1"
    listing = session.ok("LIST STORES")
    assert [c.name for c in listing.columns] == [
        "Name",
        "Type",
        "State",
        "Message",
        "IsDefault",
        "Owner",
        "CreatedAt",
        "UpdatedAt",
        "Path",
    ]
    assert listing.rows[0][4] == "true"
    session.ok('DROP STORE "k1"')
    gone = session.run('DROP STORE "k1"')
    assert (gone.sql_state, gone.message) == ("3D006", 'store "k1" does not exist')
    assert session.run("USE STORE k1").sql_state == "3D006"


def test_secrets_never_leave_the_engine(session: EngineSession) -> None:
    for statement in (KAFKA, POSTGRES, KINESIS, CONFLUENT):
        session.ok(statement)
    session.ok(SNOWFLAKE, {"@keyfile": PRIVATE_KEY})
    outputs = []
    for statement in (
        'SELECT * FROM deltastream.sys."stores"',
        "LIST STORES",
        "DESCRIBE STORE k1",
        "DESCRIBE STORE pg",
        "DESCRIBE STORE kin",
        "DESCRIBE STORE ck",
        "DESCRIBE STORE sf1",
        "UPDATE STORE pg WITH ('postgres.password' = 'pg-secret-pw', 'bogus' = 'kin-secret')",
        "UPDATE STORE k1 WITH ('kafka.sasl.hash_function' = 'kafka-secret-pw')",
        "CREATE STORE pg WITH ('type' = POSTGRESQL, 'postgres.password' = 'pg-secret-pw')",
    ):
        outcome = session.run(statement)
        outputs.append(json.dumps([outcome.message, outcome.rows]))
    text = "\n".join(outputs)
    for secret in SECRETS:
        assert secret not in text
    assert "private-key-bytes" not in text


def test_ready_after_delay() -> None:
    engine = create_engine(":memory:", EngineOptions(store_ready_delay=0.3))
    session = EngineSession(engine)
    session.ok(KAFKA)
    assert status(session, "k1") == ["pending", None]
    time.sleep(0.35)
    assert status(session, "k1") == ["ready", None]
    session.ok("UPDATE STORE k1 WITH ('uris' = 'x:1')")
    assert status(session, "k1") == ["pending", None]


def test_connectivity_verification_with_real_sockets() -> None:
    engine = create_engine(
        ":memory:", EngineOptions(verify_store_connectivity=True, store_connect_timeout=1.0)
    )
    assert isinstance(engine, SqlEngine)
    session = EngineSession(engine)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        open_port = listener.getsockname()[1]
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            closed_port = closed.getsockname()[1]  # bound, never listening: refused
            session.ok(
                "CREATE STORE up WITH ('type' = KAFKA,"
                f" 'uris' = '127.0.0.1:{open_port},localhost:{open_port}')"
            )
            session.ok(
                "CREATE STORE down WITH ('type' = POSTGRESQL, 'postgres.username' = 'u',"
                f" 'postgres.password' = 'p', 'uris' = 'postgresql://127.0.0.1:{closed_port}/db')"
            )
            session.ok("CREATE STORE junk WITH ('type' = KAFKA, 'uris' = 'host:notaport')")
            engine.services.prober.wait_idle()
    assert status(session, "up") == ["ready", None]
    down_status, message = status(session, "down")
    assert down_status == "errored"
    assert f"127.0.0.1:{closed_port}" in (message or "")
    assert status(session, "junk")[0] == "errored"
    engine.close()


literal_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=60, deadline=None)
@given(registry=literal_text.filter(bool), uris=literal_text.filter(lambda s: "@" not in s))
def test_string_literals_round_trip(registry: str, uris: str) -> None:
    engine = create_engine(":memory:")
    session = EngineSession(engine)

    def quote(value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    session.ok(
        f"CREATE STORE s WITH ('type' = KAFKA, 'uris' = {quote(uris or 'x')},"
        f" 'schema_registry.name' = {quote(registry)})"
    )
    row = session.ok("DESCRIBE STORE s").rows[0]
    assert row[5] == registry
    assert row[1] == (uris or "x")
    session.ok(f"UPDATE STORE s WITH ('uris' = {quote(registry)})")
    assert session.ok("DESCRIBE STORE s").rows[0][1] == registry or "@" in registry
    engine.close()
