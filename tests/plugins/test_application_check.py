"""Application Check against a real deltastream-local: kind APPLICATION; declared sinks and
sources equal the plan's physical ones (both directions); a declared virtual relation is
refused as virtual; immutability."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pipeline_support import KAFKA_STORE, create_streams, describes, drive, messages, ok

from deltastream_core.ports import Statement
from deltastream_core.unknown import UNKNOWN
from deltastream_local.testing import LocalServer
from deltastream_plugins.application import ApplicationKind

KIND = ApplicationKind()
SRC, SINK_A, SINK_B = '"db"."ns"."src"', '"db"."ns"."out_a"', '"db"."ns"."out_b"'
OTHER, NOPE = '"db"."ns"."other"', '"db"."ns"."nope"'
VIRTUAL = '"virtual"."public"."filtered"'
SQL = f"""BEGIN APPLICATION app1
  CREATE VIRTUAL STREAM virtual.public.filtered AS SELECT * FROM {SRC} WHERE x > 1;
  INSERT INTO {SINK_A} SELECT * FROM virtual.public.filtered;
  INSERT INTO {SINK_B} SELECT * FROM virtual.public.filtered;
END APPLICATION;"""
NEWS = {"sourceRelationFqns": [SRC], "sinkRelationFqns": [SINK_A, SINK_B], "sql": SQL}


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as started:
        ok(started, 'CREATE DATABASE "db";')
        ok(started, 'CREATE SCHEMA "db"."ns";')
        ok(started, KAFKA_STORE)
        create_streams(
            started, ("src", "out_a", "out_b", "other"), database="db", schema="ns", store="kafka"
        )
        yield started


def check(
    server: LocalServer,
    news: dict[str, Any],
    olds: dict[str, Any] | None = None,
    *,
    sent: list[Statement] | None = None,
) -> Any:
    return drive(server, lambda ctx: KIND.check(ctx, olds or {}, news), recording=sent)


def test_matching_plan_passes(server: LocalServer) -> None:
    sent: list[Statement] = []
    assert check(server, NEWS, sent=sent).failures == ()
    assert [s.sql for s in sent] == [f"DESCRIBE {SQL}"]


NOT_AN_APPLICATION = {
    "INSERT_INTO": f"INSERT INTO {SINK_A} SELECT * FROM {SRC};",
    "CREATE_STREAM": f'CREATE STREAM "db"."ns"."x" AS SELECT * FROM {SRC};',
}


@pytest.mark.parametrize("kind", sorted(NOT_AN_APPLICATION))
def test_only_applications_are_accepted_without_asking_deltastream(
    server: LocalServer, kind: str
) -> None:
    sent: list[Statement] = []
    got = messages(check(server, {**NEWS, "sql": NOT_AN_APPLICATION[kind]}, sent=sent))
    opening = kind.replace("_", " ")
    assert "must be one BEGIN APPLICATION" in got["sql"] and repr(opening) in got["sql"]
    assert ("use the Query resource" in got["sql"]) == (kind == "INSERT_INTO")
    assert sent == []


def test_missing_and_extra_sinks_are_named(server: LocalServer) -> None:
    got = messages(check(server, {**NEWS, "sinkRelationFqns": [SINK_A, NOPE]}))
    text = got["sinkRelationFqns"]
    assert f"the sql writes to {SINK_B}, which is not declared here" in text
    assert f"{NOPE} is declared but the sql never writes to it" in text
    assert SINK_A not in text and set(got) == {"sinkRelationFqns"}


def test_missing_and_extra_sources_are_named(server: LocalServer) -> None:
    got = messages(check(server, {**NEWS, "sourceRelationFqns": [OTHER]}))
    text = got["sourceRelationFqns"]
    assert f"the sql reads from {SRC}, which is not declared here" in text
    assert f"{OTHER} is declared but the sql never reads from it" in text
    assert set(got) == {"sourceRelationFqns"}


@pytest.mark.parametrize("key", ["sourceRelationFqns", "sinkRelationFqns"])
def test_a_declared_virtual_relation_is_refused_as_virtual(server: LocalServer, key: str) -> None:
    news = {**NEWS, key: [*NEWS[key], VIRTUAL]}
    got = messages(check(server, news))
    assert f"{VIRTUAL} is a virtual relation created inside the application" in got[key]
    assert "never" not in got[key]  # one clear reason, not two
    assert set(got) == {key}


def test_changed_body_is_refused_with_a_diff(server: LocalServer) -> None:
    sent: list[Statement] = []
    new_sql = SQL.replace("x > 1", "x > 2")
    got = messages(check(server, {**NEWS, "sql": new_sql}, olds=NEWS, sent=sent))
    assert "declare a new Application resource" in got["sql"]
    assert "-  CREATE VIRTUAL STREAM" in got["sql"] and "x > 2" in got["sql"]
    assert sent == []  # refused without asking DeltaStream


def test_changed_sinks_are_refused_but_reordering_is_not(server: LocalServer) -> None:
    sent: list[Statement] = []
    got = messages(check(server, {**NEWS, "sinkRelationFqns": [SINK_A]}, olds=NEWS, sent=sent))
    assert "changed from" in got["sinkRelationFqns"] and "immutable" in got["sinkRelationFqns"]
    news = {**NEWS, "sinkRelationFqns": [SINK_B, SINK_A]}
    assert check(server, news, olds=NEWS, sent=sent).failures == ()
    assert sent == []


def test_unknown_sinks_skip_the_sink_comparison_only(server: LocalServer) -> None:
    sent: list[Statement] = []
    news = {**NEWS, "sinkRelationFqns": UNKNOWN, "sourceRelationFqns": [OTHER]}
    got = messages(check(server, news, sent=sent))
    assert len(describes(sent)) == 1
    assert "sinkRelationFqns" not in got and OTHER in got["sourceRelationFqns"]


def test_server_refusal_is_a_failure_on_sql_with_the_server_message(server: LocalServer) -> None:
    sql = SQL.replace("SELECT * FROM virtual", "SELEKT * FROM virtual")
    refusal = server.run(f"DESCRIBE {sql}")
    assert refusal["sqlState"] == "42601"
    got = messages(check(server, {**NEWS, "sql": sql}))
    assert refusal["message"] in got["sql"] and "(sqlState 42601)" in got["sql"]
