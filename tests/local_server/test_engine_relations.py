"""Relations: CREATE (columns / AS SELECT), DESCRIBE plans, DROP with dependency checks."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from deltastream_local.engine import EngineOptions, create_engine
from deltastream_local.engine.api import ORGANIZATION_ID
from deltastream_local.engine.session import EngineSession

PAGEVIEWS = (
    "CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR)"
    " WITH ('topic'='pageviews','value.format'='json');"
)


def prepare(session: EngineSession) -> EngineSession:
    session.ok('CREATE DATABASE "demo"')
    session.ok("CREATE STORE kafka1 WITH ('type' = KAFKA, 'uris' = 'localhost:9092')")
    session.ok(
        "CREATE STORE pg WITH ('type' = POSTGRESQL, 'uris' = 'postgresql://h/db',"
        " 'postgres.username' = 'u', 'postgres.password' = 'p')"
    )
    session.ok("USE DATABASE demo; USE STORE kafka1")
    return session


@pytest.fixture
def session() -> Iterator[EngineSession]:
    engine = create_engine(":memory:")
    yield prepare(EngineSession(engine))
    engine.close()


def relation(name: str, kind: str = "stream", store: str = "kafka1") -> dict[str, object]:
    return {
        "fqn": f'"{ORGANIZATION_ID}"."demo"."public"."{name}"',
        "type": kind,
        "db_name": "demo",
        "schema_name": "public",
        "name": name,
        "store_name": store,
    }


def test_describe_create_then_create(session: EngineSession) -> None:
    described = session.ok("DESCRIBE " + PAGEVIEWS)
    assert [(c.name, c.type) for c in described.columns] == [
        ("kind", "VARCHAR"),
        ("plan", "VARCHAR"),
    ]
    kind, plan = described.rows[0]
    assert kind == "CREATE_STREAM"
    assert json.loads(plan or "") == {"ddl": relation("pageviews")}
    # DESCRIBE changed nothing
    assert session.rows('SELECT name FROM deltastream.sys."relations"') == []
    created = session.ok(PAGEVIEWS)
    assert len(created.columns) == 5
    kind_, name, command, _summary, path = created.rows[0]
    assert (kind_, name, command) == ("stream", "pageviews", "CREATE STREAM")
    assert json.loads(path or "") == ["demo", "public", "pageviews"]
    rows = session.rows(
        'SELECT name, fqn, relation_type, "owner", "state" FROM deltastream.sys."relations"'
        " WHERE database_name = 'demo' AND schema_name = 'public' AND name = 'pageviews'"
    )
    assert rows == [["pageviews", '"demo"."public"."pageviews"', "stream", "sysadmin", "created"]]
    assert session.rows(
        'SELECT 1 FROM deltastream.sys."relations" WHERE fqn = \'"demo"."public"."pageviews"\''
    ) == [["1"]]


def test_describe_fails_like_the_statement(session: EngineSession) -> None:
    session.ok(PAGEVIEWS)
    for statement in (
        PAGEVIEWS,  # duplicate
        "CREATE STREAM x (a INT) WITH ('store' = 'nope')",
        'CREATE STREAM "nodb"."public"."x" (a INT)',
        'CREATE STREAM "demo"."nos"."x" (a INT)',
        "CREATE CHANGELOG c (a INT) WITH ('topic' = 'c')",
        "INSERT INTO missing SELECT * FROM pageviews",
        "CREATE STREAM s2 AS SELECT * FROM missing",
    ):
        direct = session.run(statement)
        described = session.run("DESCRIBE " + statement)
        assert not direct.ok
        assert (described.sql_state, described.message) == (direct.sql_state, direct.message)
    assert [r[0] for r in session.rows('SELECT name FROM deltastream.sys."relations"')] == [
        "pageviews"
    ]


@pytest.mark.parametrize(
    ("statement", "state", "message"),
    [
        (PAGEVIEWS, "42P017", 'relation "demo"."public"."pageviews" already exists'),
        ("CREATE STREAM x (a INT) WITH ('store' = 'nope')", "3D006", 'store "nope" does not exist'),
        ('CREATE STREAM "nodb"."public"."x" (a INT)', "3D002", 'database "nodb" does not exist'),
        ('CREATE STREAM "demo"."nos"."x" (a INT)', "3D003", 'schema "demo"."nos" does not exist'),
    ],
)
def test_create_errors(session: EngineSession, statement: str, state: str, message: str) -> None:
    session.ok(PAGEVIEWS)
    outcome = session.run(statement)
    assert (outcome.sql_state, outcome.message) == (state, message)


def test_missing_context(session: EngineSession) -> None:
    bare = EngineSession(session.engine)
    assert bare.run("CREATE STREAM x (a INT)").sql_state == "3D002"
    bare.ok("USE DATABASE demo")
    assert bare.run("CREATE STREAM x (a INT)").sql_state == "3D006"  # no store anywhere


def test_changelog_table_and_store_property(session: EngineSession) -> None:
    session.ok(
        "CREATE CHANGELOG users (userid VARCHAR, regionid VARCHAR, PRIMARY KEY (userid))"
        " WITH ('topic' = 'users', 'value.format' = 'json')"
    )
    described = session.ok(
        "DESCRIBE CREATE TABLE t (a INT) WITH ('store' = 'pg', 'postgresql.db.name' = 'db',"
        " 'postgresql.schema.name' = 'public', 'postgresql.table.name' = 't')"
    )
    assert described.rows[0][0] == "CREATE_TABLE"
    assert json.loads(described.rows[0][1] or "")["ddl"] == relation("t", "table", "pg")
    rows = session.rows(
        'SELECT name, relation_type, primary_key FROM deltastream.sys."relations" ORDER BY name'
    )
    assert rows == [["users", "changelog", '["userid"]']]


def test_create_as_select_starts_a_query(session: EngineSession) -> None:
    session.ok(PAGEVIEWS)
    plan = json.loads(
        session.ok("DESCRIBE CREATE STREAM pv2 AS SELECT * FROM pageviews;").rows[0][1] or ""
    )
    assert plan["ddl"] == relation("pv2")
    assert plan["sources"] == [relation("pageviews")]
    outcome = session.ok("CREATE STREAM pv2 AS SELECT * FROM pageviews")
    assert [row[0] for row in outcome.rows] == ["stream", "query"]
    query_id = outcome.rows[1][1]
    assert session.rows(
        f"select current_state from deltastream.sys.\"queries\" where id = '{query_id}'"
    ) == [["running"]]
    mv = session.ok(
        "CREATE MATERIALIZED VIEW v AS SELECT userid, count(*) FROM pageviews GROUP BY userid"
    )
    assert mv.rows[0][0] == "materialized_view"


def test_drop_refused_while_queries_run(session: EngineSession) -> None:
    session.ok(PAGEVIEWS)
    session.ok("CREATE STREAM out1 (a INT)")
    query_id = session.ok(
        'INSERT INTO "demo"."public"."out1" SELECT * FROM "demo"."public"."pageviews";'
    ).rows[0][1]
    refused = session.run('DROP RELATION "demo"."public"."pageviews"')
    assert refused.sql_state == "2BP01"
    assert query_id is not None and query_id in (refused.message or "")
    assert session.run("DROP DATABASE demo").sql_state == "2BP01"
    assert session.run('DROP SCHEMA "demo"."public"').sql_state == "2BP01"
    assert session.run("DROP STORE kafka1").sql_state == "2BP01"
    session.ok(f"TERMINATE QUERY {query_id}")
    session.ok("DROP STREAM pageviews")
    session.ok('DROP Relation "demo"."public"."out1"')
    gone = session.run("DROP STREAM pageviews")
    assert (gone.sql_state, gone.message) == (
        "3D020",
        'relation "demo"."public"."pageviews" does not exist',
    )
    session.ok("DROP DATABASE demo")


def test_drop_and_alter_check_the_kind(session: EngineSession) -> None:
    session.ok(PAGEVIEWS)
    assert session.run("DROP CHANGELOG pageviews").sql_state == "3D020"
    session.ok('ALTER STREAM "demo"."public"."pageviews" OWNER TO public')
    assert session.rows('SELECT "owner" FROM deltastream.sys."relations"') == [["public"]]
    assert session.run("ALTER TABLE pageviews OWNER TO public").sql_state == "3D020"
    assert session.run("ALTER STREAM pageviews OWNER TO nobody").sql_state == "3D001"


def test_lists_and_describe_relation(session: EngineSession) -> None:
    session.ok(PAGEVIEWS)
    session.ok("CREATE CHANGELOG c (a INT, PRIMARY KEY (a))")
    assert [r[0] for r in session.rows("LIST RELATIONS")] == ["pageviews", "c"]
    assert [r[0] for r in session.rows("LIST STREAMS")] == ["pageviews"]
    assert [r[0] for r in session.rows("LIST CHANGELOGS")] == ["c"]
    assert [r[0] for r in session.rows('SHOW RELATIONS IN SCHEMA "demo"."public"')] == [
        "pageviews",
        "c",
    ]
    described = dict(session.rows('DESCRIBE RELATION "demo"."public"."pageviews"'))  # type: ignore[arg-type]
    assert described["store_name"] == "kafka1"
    assert described["sql"] == PAGEVIEWS.rstrip(";")
    columns = session.ok('DESCRIBE RELATION COLUMNS "demo"."public"."pageviews";')
    assert [c.name for c in columns.columns] == ["name", "type", "nullable"]
    assert columns.rows[0] == ["viewtime", "BIGINT", "true"]
    assert session.run("DESCRIBE RELATION COLUMNS nope").sql_state == "3D020"
    assert json.loads(described["columns"] or "")[0] == {
        "name": "viewtime",
        "type": "BIGINT",
        "nullable": True,
    }


def test_relation_state_follows_the_delay() -> None:
    engine = create_engine(":memory:", EngineOptions(relation_ready_delay=0.3))
    session = prepare(EngineSession(engine))
    session.ok(PAGEVIEWS)
    assert session.rows('SELECT "state" FROM deltastream.sys."relations"') == [["creating"]]
    time.sleep(0.35)
    assert session.rows('SELECT "state" FROM deltastream.sys."relations"') == [["created"]]
    engine.close()


def test_quoted_names_with_any_characters(session: EngineSession) -> None:
    session.ok('CREATE SCHEMA "Mixed Case-东西" IN DATABASE demo')
    session.ok('CREATE STREAM "demo"."Mixed Case-东西"."Query_pv-东西" (a INT)')
    rows = session.rows(
        "SELECT fqn FROM deltastream.sys.\"relations\" WHERE schema_name = 'Mixed Case-东西'"
    )
    assert rows == [['"demo"."Mixed Case-东西"."Query_pv-东西"']]
