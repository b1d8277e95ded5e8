"""Compute pools, function sources and functions in deltastream-local: the statements dbt
and the provider send, the jar attachment, a source's processing → ready | error, the 3D018
answer while a source is not ready, signature-keyed overloads and the drop checks."""

from __future__ import annotations

import time

import pytest

from deltastream_local.engine import create_engine
from deltastream_local.engine.api import ORGANIZATION_ID, EngineOptions
from deltastream_local.engine.session import EngineSession

JAR = b"PK\x03\x04 any bytes"


@pytest.fixture
def session() -> EngineSession:
    return EngineSession(create_engine(":memory:"))


def _source(session: EngineSession, name: str = "udfs", jar: str = "udfs.jar") -> None:
    session.ok(
        f"CREATE FUNCTION_SOURCE \"{name}\" WITH ('file' = '{jar}', 'description' = 'it''s')",
        {jar: JAR},
    )


def _function(name: str = "up", args: str = "s VARCHAR", source: str = "udfs") -> str:
    return (
        f"CREATE FUNCTION {name} ({args}) RETURNS VARCHAR LANGUAGE JAVA"
        f" WITH ('source.name' = '{source}', 'class.name' = 'com.example.Up')"
    )


def test_compute_pool_lifecycle_with_dbt_keys(session: EngineSession) -> None:
    session.ok(
        "create compute_pool etl with ('compute_pool.size' = 'SMALL',"
        " 'compute_pool.timeout_min' = 5)"
    )
    query = (
        "SELECT name, size, timeout_min, intended_state, actual_state"
        ' FROM deltastream.sys."compute_pools"'
    )
    assert session.rows(query) == [["etl", "small", "5", "running", "running"]]
    session.ok("UPDATE COMPUTE_POOL \"etl\" WITH ('compute_pool.timeout_min' = '10')")
    assert session.rows(query)[0][2] == "10"
    refused = session.run('DROP COMPUTE_POOL "etl"')
    assert refused.sql_state == "55006" and "stopped before" in (refused.message or "")
    session.ok('STOP COMPUTE_POOL "etl"')
    assert session.run('USE COMPUTE_POOL "etl"').sql_state == "3E004"
    assert session.rows("LIST COMPUTE_POOLS")[0][:4] == ["etl", "small", "stopped", "stopped"]
    session.ok('DROP COMPUTE_POOL "etl"')
    assert session.run('DROP COMPUTE_POOL "etl"').sql_state == "3D023"


@pytest.mark.parametrize(
    ("statement", "sql_state"),
    [
        # the Python SDK's keys are not the ones accepted (docs/reference/other-kinds.md)
        ("CREATE COMPUTE_POOL p WITH ('size' = 'SMALL', 'min.units' = '1')", "3D008"),
        ("CREATE COMPUTE_POOL p WITH ('compute_pool.size' = 'huge')", "3D008"),
        ("CREATE COMPUTE_POOL p WITH ('compute_pool.timeout_min' = 5)", "3D021"),
    ],
)
def test_compute_pool_refuses_other_keys(
    session: EngineSession, statement: str, sql_state: str
) -> None:
    assert session.run(statement).sql_state == sql_state


def test_compute_pool_duplicate(session: EngineSession) -> None:
    session.ok("CREATE COMPUTE_POOL p WITH ('compute_pool.size' = 'small')")
    again = session.run("CREATE COMPUTE_POOL p WITH ('compute_pool.size' = 'small')")
    assert again.sql_state == "42P019"


def test_function_source_takes_its_jar_as_an_attachment(session: EngineSession) -> None:
    missing = session.run("CREATE FUNCTION_SOURCE s WITH ('file' = 'udfs.jar')")
    assert missing.sql_state == "3D008" and "was not uploaded" in (missing.message or "")
    _source(session)
    rows = session.rows(
        'SELECT name, language, status, description, download_url, "owner"'
        ' FROM deltastream.sys."function_sources"'
    )
    assert rows == [
        [
            "udfs",
            "java",
            "ready",
            "it's",
            f"/v2/download/function_source/{ORGANIZATION_ID}/udfs",
            "sysadmin",
        ]
    ]
    assert session.rows("LIST FUNCTION_SOURCES")[0][:3] == ["udfs", "ready", "java"]
    again = session.run("CREATE FUNCTION_SOURCE \"udfs\" WITH ('file' = 'a.jar')", {"a.jar": JAR})
    assert again.sql_state == "42P016"
    assert session.rows('DESCRIBE FUNCTION_SOURCE "udfs"')[2] == ["status", "ready"]


@pytest.mark.parametrize(("jar", "content"), [("broken-udfs.jar", JAR), ("empty.jar", b"")])
def test_a_broken_or_empty_jar_ends_in_error(
    session: EngineSession, jar: str, content: bytes
) -> None:
    session.ok(f"CREATE FUNCTION_SOURCE s WITH ('file' = '{jar}')", {jar: content})
    status = 'SELECT status FROM deltastream.sys."function_sources"'
    assert session.rows(status) == [["error"]]
    refused = session.run(_function(source="s"))
    assert refused.sql_state == "3D018" and "not ready: error" in (refused.message or "")


def test_functions_wait_for_a_processing_source() -> None:
    session = EngineSession(
        create_engine(":memory:", EngineOptions(function_source_ready_delay=0.3))
    )
    _source(session)
    status = 'SELECT status FROM deltastream.sys."function_sources"'
    assert session.rows(status) == [["processing"]]
    refused = session.run(_function())
    assert refused.sql_state == "3D018" and "not ready: processing" in (refused.message or "")
    time.sleep(0.35)
    assert session.rows(status) == [["ready"]]
    session.ok(_function())


def test_functions_overload_and_drop_by_signature(session: EngineSession) -> None:
    assert session.run(_function(source="nope")).sql_state == "3D018"
    _source(session)
    session.ok(_function())
    session.ok(_function(args="s VARCHAR, n INTEGER"))
    assert session.run(_function(args="other varchar")).sql_state == "42P015"
    listed = session.rows("LIST FUNCTIONS")
    assert [row[:4] for row in listed] == [
        ["up(s VARCHAR)", "JAVA", "udfs", "com.example.Up"],
        ["up(s VARCHAR, n INTEGER)", "JAVA", "udfs", "com.example.Up"],
    ]
    table = session.rows(
        'SELECT signature, returns, source_name FROM deltastream.sys."functions"'
        " WHERE signature = 'up(s VARCHAR)'"
    )
    assert table == [["up(s VARCHAR)", "VARCHAR", "udfs"]]
    blocked = session.run('DROP FUNCTION_SOURCE "udfs"')
    assert blocked.sql_state == "2BP01" and "functions still use it: up(s VARCHAR)" in (
        blocked.message or ""
    )
    session.ok("DROP FUNCTION up(s VARCHAR, n INTEGER)")
    session.ok("DROP FUNCTION up(s varchar)")
    assert session.run("DROP FUNCTION up(s VARCHAR)").sql_state == "3D017"
    session.ok('DROP FUNCTION_SOURCE "udfs"')


@pytest.mark.parametrize(
    ("statement", "sql_state"),
    [
        (
            "CREATE FUNCTION f () RETURNS VARCHAR LANGUAGE PYTHON WITH ('source.name' = 'udfs',"
            " 'class.name' = 'C')",
            "3D008",
        ),
        (
            "CREATE FUNCTION f () RETURNS VARCHAR LANGUAGE JAVA WITH ('source.name' = 'udfs')",
            "3D021",
        ),
        (
            "CREATE FUNCTION f () RETURNS VARCHAR LANGUAGE JAVA WITH ('source.name' = 'udfs',"
            " 'class.name' = 'C', 'x' = 'y')",
            "3D008",
        ),
        ("DESCRIBE FUNCTION f", "0A000"),
        ("DROP FUNCTION f", "42601"),
    ],
)
def test_function_statement_errors(session: EngineSession, statement: str, sql_state: str) -> None:
    _source(session)
    assert session.run(statement).sql_state == sql_state
