"""SELECT … FROM deltastream.sys."<table>": the forms PUL/TF/DBT send, typing and WHERE logic."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deltastream_local.engine import create_engine
from deltastream_local.engine.session import EngineSession


@pytest.fixture
def session() -> EngineSession:
    session = EngineSession(create_engine(":memory:"))
    for name in ("alpha", "beta", "gamma"):
        session.ok(f'CREATE DATABASE "{name}"')
    session.as_role("orgadmin").ok('CREATE DATABASE "delta"')
    return session


def test_provider_lookup_forms(session: EngineSession) -> None:
    outcome = session.ok(
        'SELECT "owner", created_at FROM deltastream.sys."databases" WHERE name = \'beta\';'
    )
    assert [(c.name, c.type) for c in outcome.columns] == [
        ("owner", "VARCHAR"),
        ("created_at", "TIMESTAMP_LTZ"),
    ]
    owner, created = outcome.rows[0]
    assert owner == "sysadmin"
    assert created is not None and created.endswith("Z")
    datetime.strptime(created, "%Y-%m-%d %H:%M:%S.%fZ")
    listing = session.rows(
        'SELECT name, "owner", created_at FROM deltastream.sys."databases" ORDER BY name LIMIT 2;'
    )
    assert [row[0] for row in listing] == ["alpha", "beta"]
    # PUL's query lookup is all lower case
    assert session.rows("select name from deltastream.sys.\"databases\" where name = 'x'") == []


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("name = 'alpha'", ["alpha"]),
        ("name <> 'alpha'", ["beta", "delta", "gamma"]),
        ("name != 'alpha' AND \"owner\" = 'sysadmin'", ["beta", "gamma"]),
        ("name = 'alpha' OR name = 'gamma'", ["alpha", "gamma"]),
        ("NOT (name = 'alpha' OR name = 'gamma')", ["beta", "delta"]),
        ("name IN ('beta', 'delta', 'nope')", ["beta", "delta"]),
        ("name NOT IN ('beta', 'delta')", ["alpha", "gamma"]),
        ("name IS NULL", []),
        ("name IS NOT NULL AND name LIKE '%a'", ["alpha", "beta", "delta", "gamma"]),
        ("name LIKE '_e%'", ["beta", "delta"]),
        ("name = NULL", []),
        ("name > 'beta'", ["delta", "gamma"]),
    ],
)
def test_where(session: EngineSession, where: str, expected: list[str]) -> None:
    rows = session.rows(f'SELECT name FROM deltastream.sys."databases" WHERE {where} ORDER BY name')
    assert [row[0] for row in rows] == expected


def test_order_by_desc_limit_and_star(session: EngineSession) -> None:
    rows = session.rows('SELECT * FROM deltastream.sys."databases" ORDER BY "owner" DESC, name')
    assert [row[0] for row in rows] == ["alpha", "beta", "gamma", "delta"]
    assert session.rows('SELECT name FROM deltastream.sys."databases" LIMIT 0') == []


def test_select_literal_for_existence_checks(session: EngineSession) -> None:
    outcome = session.ok("SELECT 1 FROM deltastream.sys.\"databases\" WHERE name = 'alpha'")
    assert outcome.rows == [["1"]]
    assert outcome.columns[0].type == "INTEGER"


def test_every_system_table_is_queryable(session: EngineSession) -> None:
    for table in (
        "databases",
        "schemas",
        "organizations",
        "roles",
        "schema_registries",
        "secrets",
    ):
        outcome = session.run(f'SELECT * FROM deltastream.sys."{table}"')
        assert outcome.ok, (table, outcome.message)
        assert outcome.columns
        for column in outcome.columns:
            if column.name.endswith("_at"):
                assert column.type == "TIMESTAMP_LTZ"


def test_unknown_table_and_column(session: EngineSession) -> None:
    missing = session.run('SELECT * FROM deltastream.sys."nope"')
    assert missing.sql_state == "3D020"
    assert '"deltastream"."sys"."nope"' in (missing.message or "")
    bad_column = session.run('SELECT nope FROM deltastream.sys."databases"')
    assert bad_column.sql_state == "42601"
    assert '"nope"' in (bad_column.message or "")


identifier_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40
)


@settings(max_examples=60, deadline=None)
@given(name=identifier_text)
def test_identifiers_round_trip(name: str) -> None:
    session = EngineSession(create_engine(":memory:"))
    quoted = '"' + name.replace('"', '""') + '"'
    session.ok(f"CREATE DATABASE {quoted}")
    literal = "'" + name.replace("'", "''") + "'"
    assert session.rows(f'SELECT name FROM deltastream.sys."databases" WHERE name = {literal}') == [
        [name]
    ]
    assert session.rows('SELECT name FROM deltastream.sys."databases"') == [[name]]
