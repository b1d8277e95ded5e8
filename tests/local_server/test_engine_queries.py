"""Queries and applications: artifacts, plans, lifecycle, TERMINATE/RESTART, DESCRIBE QUERY."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest

from deltastream_local.engine import EngineOptions, create_engine
from deltastream_local.engine.api import ORGANIZATION_ID
from deltastream_local.engine.session import EngineSession

INSERT = 'INSERT INTO "demo"."public"."pv6" SELECT * FROM "demo"."public"."pageviews";'


def prepare(session: EngineSession) -> EngineSession:
    session.ok('CREATE DATABASE "demo"')
    session.ok("CREATE STORE kafka1 WITH ('type' = KAFKA, 'uris' = 'localhost:9092')")
    session.ok("USE DATABASE demo; USE STORE kafka1")
    session.ok("CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR) WITH ('topic'='pv')")
    session.ok("CREATE STREAM pv6 (viewtime BIGINT, userid VARCHAR)")
    return session


def make(options: EngineOptions | None = None) -> EngineSession:
    return prepare(EngineSession(create_engine(":memory:", options)))


@pytest.fixture
def session() -> Iterator[EngineSession]:
    session = make()
    yield session
    session.engine.close()


def fqn4(name: str) -> str:
    return f'"{ORGANIZATION_ID}"."demo"."public"."{name}"'


def state(session: EngineSession, query_id: str) -> str | None:
    rows = session.rows(
        'select name, "version", intended_state, current_state, "owner", created_at, updated_at'
        f" from deltastream.sys.\"queries\" where id = '{query_id}'"
    )
    assert len(rows) == 1
    return rows[0][3]


def test_insert_into_plan_and_artifact(session: EngineSession) -> None:
    kind, plan = session.ok("DESCRIBE " + INSERT).rows[0]
    assert kind == "INSERT_INTO"
    decoded = json.loads(plan or "")
    assert "ddl" not in decoded
    assert decoded["sink"]["fqn"] == fqn4("pv6")
    assert [s["fqn"] for s in decoded["sources"]] == [fqn4("pageviews")]
    assert decoded["sink"]["store_name"] == "kafka1"
    outcome = session.ok(INSERT)
    assert [c.name for c in outcome.columns] == ["type", "name", "command", "summary", "path"]
    assert outcome.rows[0][0] == "query"
    query_id = outcome.rows[0][1] or ""
    uuid.UUID(query_id)
    assert state(session, query_id) == "running"
    typed = session.ok(f'SELECT "version" FROM deltastream.sys."queries" WHERE id = \'{query_id}\'')
    assert typed.columns[0].type == "BIGINT"
    assert typed.rows == [["1"]]


def test_insert_with_source_properties_and_where(session: EngineSession) -> None:
    outcome = session.ok(
        "INSERT INTO pv6 SELECT viewtime, userid FROM pageviews WITH ('starting.position' ="
        " 'earliest') WHERE userid = 'User_1'"
    )
    assert outcome.rows[0][0] == "query"
    missing = session.run("INSERT INTO pv6 SELECT * FROM nope")
    assert (missing.sql_state, missing.message) == (
        "3D020",
        'relation "demo"."public"."nope" does not exist',
    )


def test_lifecycle_with_delays() -> None:
    session = make(EngineOptions(query_start_delay=0.3))
    query_id = session.ok(INSERT).rows[0][1] or ""
    assert state(session, query_id) == "starting"
    time.sleep(0.35)
    assert state(session, query_id) == "running"
    session.ok(f"TERMINATE QUERY {query_id};")
    assert state(session, query_id) == "terminate_requested"
    assert session.run("DROP STREAM pageviews").sql_state == "2BP01"
    time.sleep(0.35)
    assert state(session, query_id) == "terminated"
    session.ok(f"TERMINATE QUERY {query_id}")  # idempotent, as providers may retry
    session.ok("DROP STREAM pageviews")


def test_failing_queries_are_errored() -> None:
    session = make(EngineOptions(fail_queries_matching="userid = 'boom'"))
    good = session.ok(INSERT).rows[0][1] or ""
    bad = session.ok("INSERT INTO pv6 SELECT * FROM pageviews WHERE userid = 'boom'").rows[0][1]
    assert state(session, good) == "running"
    assert bad is not None and state(session, bad) == "errored"
    described = dict(session.rows(f"DESCRIBE QUERY {bad};"))  # type: ignore[arg-type]
    assert described["state"] == "errored"
    assert described["error"]
    history = session.ok(f"DESCRIBE QUERY HISTORY {bad}")
    assert {c.name for c in history.columns} >= {"state", "messages"}
    # an errored query does not hold its relations
    session.ok(f"TERMINATE QUERY {good}")
    session.ok("DROP STREAM pageviews")


def test_restart_terminate_owner_and_unknown_ids(session: EngineSession) -> None:
    query_id = session.ok(INSERT).rows[0][1] or ""
    session.ok(f"TERMINATE QUERY {query_id}")
    assert state(session, query_id) == "terminated"
    session.ok(f"RESTART QUERY {query_id}")
    assert state(session, query_id) == "running"
    assert session.rows(
        f'SELECT "version" FROM deltastream.sys."queries" WHERE id = \'{query_id}\''
    ) == [["2"]]
    session.ok(f"ALTER QUERY {query_id} OWNER TO public")
    assert session.rows(
        f'SELECT "owner" FROM deltastream.sys."queries" WHERE id = \'{query_id}\''
    ) == [["public"]]
    unknown = str(uuid.uuid4())
    for statement in (
        f"TERMINATE QUERY {unknown}",
        f"DESCRIBE QUERY {unknown}",
        f"RESTART QUERY {unknown}",
        f"ALTER QUERY {unknown} OWNER TO public",
    ):
        outcome = session.run(statement)
        assert outcome.sql_state == "3D019"
        assert unknown in (outcome.message or "")
    listing = session.ok("LIST QUERIES")
    assert [c.name for c in listing.columns] == [
        "ID",
        "Name",
        "Version",
        "IntendedState",
        "ActualState",
        "Query",
        "Owner",
        "CreatedAt",
        "UpdatedAt",
    ]
    assert listing.rows[0][5] == INSERT.rstrip(";")


APPLICATION = """BEGIN APPLICATION app1
  CREATE VIRTUAL STREAM virtual.public.filtered AS SELECT * FROM pageviews WHERE userid = 'x';
  CREATE STREAM pv_app AS SELECT * FROM virtual.public.filtered;
  INSERT INTO "demo"."public"."pv6" SELECT * FROM virtual.public.filtered;
END APPLICATION WITH (resume.from.query.id = '7d0f3c52-91ab-4e2f-8a77-0c5e2b9d4f10');"""


def test_application_plan(session: EngineSession) -> None:
    kind, plan = session.ok("DESCRIBE " + APPLICATION).rows[0]
    assert kind == "APPLICATION"
    decoded = json.loads(plan or "")
    assert [(d["name"], d["is_virtual"]) for d in decoded["ddls"]] == [
        ("filtered", True),
        ("pv_app", False),
    ]
    assert decoded["ddls"][0]["db_name"] == "virtual"
    assert [s["fqn"] for s in decoded["sources"]] == [fqn4("pageviews")]
    assert [s["fqn"] for s in decoded["sinks"]] == [fqn4("pv_app"), fqn4("pv6")]
    assert len(decoded["statements"]) == 3
    assert (
        session.rows("SELECT name FROM deltastream.sys.\"relations\" WHERE name = 'pv_app'") == []
    )


def test_application_runs_as_one_query(session: EngineSession) -> None:
    outcome = session.ok(APPLICATION)
    assert outcome.rows[0][0] == "query"
    app_id = outcome.rows[0][1] or ""
    assert [row[2] for row in outcome.rows[1:]] == ["CREATE VIRTUAL STREAM", "CREATE STREAM"]
    assert session.rows(f"SELECT name FROM deltastream.sys.\"queries\" WHERE id = '{app_id}'") == [
        ["app1"]
    ]
    assert session.rows("SELECT name FROM deltastream.sys.\"relations\" WHERE name = 'pv_app'") == [
        ["pv_app"]
    ]
    refused = session.run("DROP STREAM pageviews")
    assert refused.sql_state == "2BP01" and app_id in (refused.message or "")


def test_application_errors(session: EngineSession) -> None:
    bad = "BEGIN APPLICATION a INSERT INTO pv6 SELECT * FROM virtual.public.nope; END APPLICATION"
    outcome = session.run(bad)
    assert (outcome.sql_state, outcome.message) == (
        "3D020",
        'relation "virtual"."public"."nope" does not exist',
    )
    described = session.run("DESCRIBE " + bad)
    assert (described.sql_state, described.message) == (outcome.sql_state, outcome.message)
    assert session.rows('SELECT id FROM deltastream.sys."queries"') == []
