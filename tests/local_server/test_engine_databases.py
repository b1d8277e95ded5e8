"""Databases, schemas, USE, ALTER … OWNER TO and persistence, at the engine level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deltastream_local.engine import EngineOptions, SessionContext, create_engine
from deltastream_local.engine.session import EngineSession


@pytest.fixture
def session() -> EngineSession:
    return EngineSession(create_engine(":memory:"))


def test_create_database_returns_an_artifact_row(session: EngineSession) -> None:
    outcome = session.ok('CREATE DATABASE "Sales";')
    assert [c.name for c in outcome.columns] == ["type", "name", "command", "summary", "path"]
    assert outcome.rows[0][0:3] == ["database", "Sales", "CREATE DATABASE"]
    assert json.loads(outcome.rows[0][4] or "") == ["Sales"]


def test_database_gets_public_schema_and_owner(session: EngineSession) -> None:
    session.as_role("orgadmin").ok("CREATE DATABASE d1")
    assert session.rows(
        'SELECT name, "owner" FROM deltastream.sys."schemas" WHERE database_name = \'d1\''
    ) == [["public", "orgadmin"]]
    assert session.rows('SELECT "owner" FROM deltastream.sys."databases" WHERE name = \'d1\'') == [
        ["orgadmin"]
    ]


def test_duplicate_and_missing_databases(session: EngineSession) -> None:
    session.ok("CREATE DATABASE sales")
    duplicate = session.run('CREATE DATABASE "sales"')
    assert (duplicate.sql_state, duplicate.message) == ("42P04", 'database "sales" already exists')
    missing = session.run('DROP DATABASE "Sales"')  # names are case-sensitive after folding
    assert (missing.sql_state, missing.message) == ("3D002", 'database "Sales" does not exist')


def test_public_role_may_not_create_databases(session: EngineSession) -> None:
    outcome = session.as_role("public").run("CREATE DATABASE x")
    assert outcome.sql_state == "42501"
    assert '"public"' in (outcome.message or "")


def test_unknown_role_is_rejected(session: EngineSession) -> None:
    assert session.as_role("nobody").run("LIST DATABASES").sql_state == "3D001"
    session.ok("CREATE DATABASE d")
    assert session.run("ALTER DATABASE d OWNER TO nobody").sql_state == "3D001"


def test_schemas_in_database_and_in_context(session: EngineSession) -> None:
    session.ok("CREATE DATABASE d")
    session.ok('CREATE SCHEMA "S1" IN DATABASE "d"')
    assert session.run("CREATE SCHEMA s2").sql_state == "3D002"  # no context database
    session.ok("USE DATABASE d")
    assert (session.context.database, session.context.schema) == ("d", "public")
    session.ok("CREATE SCHEMA s2")
    duplicate = session.run('CREATE SCHEMA "S1" IN DATABASE d')
    assert (duplicate.sql_state, duplicate.message) == ("42P06", 'schema "d"."S1" already exists')
    assert session.rows(
        "SELECT name FROM deltastream.sys.\"schemas\" WHERE database_name = 'd' ORDER BY name"
    ) == [["S1"], ["public"], ["s2"]]
    session.ok('DROP SCHEMA "d"."S1"')
    session.ok("DROP SCHEMA s2")
    gone = session.run('DROP SCHEMA "d"."s2"')
    assert (gone.sql_state, gone.message) == ("3D003", 'schema "d"."s2" does not exist')
    assert session.run('DROP SCHEMA "nodb"."s"').sql_state == "3D002"
    assert session.run("CREATE SCHEMA x IN DATABASE nodb").sql_state == "3D002"


def test_use_changes_the_context(session: EngineSession) -> None:
    session.ok("CREATE DATABASE d")
    session.ok("CREATE SCHEMA s IN DATABASE d")
    session.ok('USE SCHEMA "d"."s"')
    assert (session.context.database, session.context.schema) == ("d", "s")
    assert session.run("USE DATABASE missing").sql_state == "3D002"
    assert session.context.database == "d"  # a failed USE leaves the context alone
    assert session.run("USE SCHEMA missing").sql_state == "3D003"


def test_alter_owner(session: EngineSession) -> None:
    session.ok("CREATE DATABASE d")
    session.ok('ALTER DATABASE "d" OWNER TO public')
    session.ok('ALTER SCHEMA "d"."public" OWNER TO "useradmin"')
    assert session.rows('SELECT "owner" FROM deltastream.sys."databases"') == [["public"]]
    assert session.rows('SELECT "owner" FROM deltastream.sys."schemas"') == [["useradmin"]]
    assert session.run("ALTER DATABASE nope OWNER TO public").sql_state == "3D002"


def test_list_and_describe(session: EngineSession) -> None:
    session.ok("CREATE DATABASE a")
    session.ok("CREATE DATABASE b")
    session.ok("USE DATABASE b")
    listing = session.ok("LIST DATABASES")
    assert [c.name for c in listing.columns] == [
        "Name",
        "IsDefault",
        "Owner",
        "CreatedAt",
        "UpdatedAt",
    ]
    assert [c.type for c in listing.columns][3:] == ["TIMESTAMP_LTZ", "TIMESTAMP_LTZ"]
    assert [(r[0], r[1]) for r in listing.rows] == [("a", "false"), ("b", "true")]
    assert [r[0] for r in session.rows("LIST SCHEMAS")] == ["public"]
    assert [r[0] for r in session.rows("SHOW SCHEMAS IN DATABASE a")] == ["public"]
    described = dict(session.rows('DESCRIBE DATABASE "a"'))  # type: ignore[arg-type]
    assert described["owner"] == "sysadmin"
    orgs = session.ok("LIST ORGANIZATIONS")
    assert [c.name for c in orgs.columns] == [
        "id",
        "name",
        "description",
        "profileImageURI",
        "createdAt",
    ]
    assert orgs.rows[0][1] == "local"


def test_batch_runs_in_order_and_stops_at_first_error(session: EngineSession) -> None:
    outcome = session.run("CREATE DATABASE a; USE DATABASE a; CREATE SCHEMA s")
    assert outcome.ok and session.context.database == "a"
    failed = session.run("CREATE DATABASE b; CREATE DATABASE a; CREATE DATABASE c")
    assert failed.sql_state == "42P04"
    names = [r[0] for r in session.rows('SELECT name FROM deltastream.sys."databases"')]
    assert names == ["a", "b"]


def test_unsupported_and_errors_never_raise(session: EngineSession) -> None:
    assert session.run("CREATE API_TOKEN s WITH ('a' = 1)").sql_state == "0A000"
    # a secret without its required type: an error answer, never an exception
    assert session.run("CREATE SECRET s WITH ('secret_string' = 'x')").sql_state == "3D021"
    assert session.run("LIST API_TOKENS").sql_state == "0A000"
    assert session.run("\ud800").sql_state == "42601"  # lone surrogate from a JSON body
    assert session.run("").sql_state == "42601"


def test_state_survives_restart(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "catalog.sqlite"
    engine = create_engine(str(path), EngineOptions())
    session = EngineSession(engine)
    session.ok("CREATE DATABASE kept")
    engine.close()
    reopened = create_engine(str(path))
    try:
        outcome = reopened.execute(
            'SELECT name FROM deltastream.sys."databases"', SessionContext(), {}
        )
        assert outcome.rows == [["kept"]]
    finally:
        reopened.close()
