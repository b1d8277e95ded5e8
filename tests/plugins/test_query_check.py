"""Query Check against a real deltastream-local: only INSERT INTO; declared sink and sources
equal the plan's (both directions); the immutability error (docs/reference/requirements.md#fr-020,
#fr-024) with its diff and
advice; legacy sinkRelationFqns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pipeline_support import KAFKA_STORE, Log, create_streams, describes, drive, messages, ok

from deltastream_core.ports import Statement
from deltastream_core.unknown import UNKNOWN
from deltastream_local.testing import LocalServer
from deltastream_plugins.query import QueryKind

KIND = QueryKind()
SINK, ELSEWHERE = '"db"."ns"."out"', '"db"."ns"."elsewhere"'
SRC_A, SRC_B, SRC_C = '"db"."ns"."a"', '"db"."ns"."b"', '"db"."ns"."c"'
SQL = f"INSERT INTO {SINK} SELECT * FROM {SRC_A} JOIN {SRC_B} WITHIN 5 MINUTES ON a.id = b.id;"
NEWS = {"sourceRelationFqns": [SRC_A, SRC_B], "sinkRelationFqn": SINK, "sql": SQL}


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as started:
        ok(started, 'CREATE DATABASE "db";')
        ok(started, 'CREATE SCHEMA "db"."ns";')
        ok(started, KAFKA_STORE)
        create_streams(
            started, ("a", "b", "c", "out", "elsewhere"), database="db", schema="ns", store="kafka"
        )
        yield started


def check(
    server: LocalServer,
    news: dict[str, Any],
    olds: dict[str, Any] | None = None,
    *,
    log: Log | None = None,
    sent: list[Statement] | None = None,
) -> Any:
    return drive(server, lambda ctx: KIND.check(ctx, olds or {}, news), log=log, recording=sent)


def test_matching_plan_passes(server: LocalServer) -> None:
    sent: list[Statement] = []
    assert check(server, NEWS, sent=sent).failures == ()
    assert [s.sql for s in sent] == [f"DESCRIBE {SQL}"]


def test_sources_compare_regardless_of_order_and_quoting_style(server: LocalServer) -> None:
    news = {**NEWS, "sourceRelationFqns": ["db.ns.b", SRC_A], "sinkRelationFqn": "db.ns.out"}
    assert check(server, news).failures == ()


NOT_AN_INSERT = {
    "CREATE_STREAM": f'CREATE STREAM "db"."ns"."x" AS SELECT * FROM {SRC_A};',
    "APPLICATION": f"""BEGIN APPLICATION app1
  INSERT INTO {SINK} SELECT * FROM {SRC_A};
END APPLICATION;""",
}


@pytest.mark.parametrize("kind", sorted(NOT_AN_INSERT))
def test_only_insert_into_is_accepted(server: LocalServer, kind: str) -> None:
    got = messages(check(server, {**NEWS, "sql": NOT_AN_INSERT[kind]}))
    assert "must be an INSERT INTO" in got["sql"] and f"plans it as {kind}" in got["sql"]
    assert ("use the Application resource" in got["sql"]) == (kind == "APPLICATION")


def test_sink_mismatch_names_both_relations(server: LocalServer) -> None:
    news = {**NEWS, "sql": SQL.replace(SINK, ELSEWHERE)}
    got = messages(check(server, news))
    assert f"is {SINK} but the sql inserts into {ELSEWHERE}" in got["sinkRelationFqn"]
    assert set(got) == {"sinkRelationFqn"}


def test_planned_source_not_declared_is_named(server: LocalServer) -> None:
    got = messages(check(server, {**NEWS, "sourceRelationFqns": [SRC_A]}))
    assert SRC_B in got["sourceRelationFqns"] and "not declared" in got["sourceRelationFqns"]
    assert SRC_A not in got["sourceRelationFqns"]


def test_declared_source_not_read_is_named(server: LocalServer) -> None:
    got = messages(check(server, {**NEWS, "sourceRelationFqns": [SRC_A, SRC_B, SRC_C]}))
    assert f"{SRC_C} is declared but the sql never reads from it" == got["sourceRelationFqns"]


def test_malformed_fqns_fail_before_any_describe(server: LocalServer) -> None:
    sent: list[Statement] = []
    news = {**NEWS, "sinkRelationFqn": "out", "sourceRelationFqns": ["a.b"]}
    got = messages(check(server, news, sent=sent))
    assert "'out' is not a fully qualified relation name" in got["sinkRelationFqn"]
    assert "'a.b'" in got["sourceRelationFqns"]
    assert sent == []


def test_changed_body_is_refused_with_a_diff_and_the_way_out(server: LocalServer) -> None:
    sent: list[Statement] = []
    new_sql = SQL.replace("SELECT *", "SELECT a.id")
    got = messages(check(server, {**NEWS, "sql": new_sql}, olds=NEWS, sent=sent))
    text = got["sql"]
    assert "immutable" in text and "declare a new Query resource" in text
    assert "remove this one" in text
    assert "- INSERT INTO" in text and "+ INSERT INTO" in text and "SELECT a.id" in text
    assert sent == []  # refused without asking DeltaStream


def test_multi_line_body_change_shows_a_unified_diff(server: LocalServer) -> None:
    old = f"INSERT INTO {SINK}\nSELECT *\nFROM {SRC_A};"
    new = f"INSERT INTO {SINK}\nSELECT id\nFROM {SRC_A};"
    olds = {**NEWS, "sql": old, "sourceRelationFqns": [SRC_A]}
    sent: list[Statement] = []
    got = messages(check(server, {**olds, "sql": new}, olds=olds, sent=sent))
    assert "-SELECT *" in got["sql"] and "+SELECT id" in got["sql"]
    assert sent == []


@pytest.mark.parametrize(
    ("key", "value"),
    [("sinkRelationFqn", '"db"."ns"."out2"'), ("sourceRelationFqns", [SRC_A])],
)
def test_changed_sink_or_sources_are_refused(server: LocalServer, key: str, value: Any) -> None:
    sent: list[Statement] = []
    got = messages(check(server, {**NEWS, key: value}, olds=NEWS, sent=sent))
    assert "changed from" in got[key] and "immutable" in got[key]
    assert sent == []


def test_whitespace_only_edit_is_no_change_and_sends_nothing(server: LocalServer) -> None:
    sent: list[Statement] = []
    before = server.request_count("POST /v2/statements")
    edited = {**NEWS, "sql": "\n  " + SQL.replace(" SELECT", "\n  SELECT") + "  \n"}
    assert check(server, edited, olds=NEWS, sent=sent).failures == ()
    assert sent == []
    assert server.request_count("POST /v2/statements") == before


def test_reordered_sources_are_no_change(server: LocalServer) -> None:
    sent: list[Statement] = []
    news = {**NEWS, "sourceRelationFqns": [SRC_B, SRC_A]}
    assert check(server, news, olds=NEWS, sent=sent).failures == ()
    assert sent == []


def test_unknowns_hide_what_they_hide(server: LocalServer) -> None:
    # unknown sink: the sink is not compared (the sql writes elsewhere), the sources still are
    sent: list[Statement] = []
    news = {
        "sinkRelationFqn": UNKNOWN,
        "sourceRelationFqns": [SRC_A, UNKNOWN],
        "sql": SQL.replace(SINK, ELSEWHERE),
    }
    got = messages(check(server, news, sent=sent))
    assert len(describes(sent)) == 1  # planned, but nothing can be said
    assert "sinkRelationFqn" not in got
    assert "sourceRelationFqns" not in got  # the unknown one may be b: nothing to say
    # ... while a known source the sql never reads is still named
    got = messages(check(server, {**news, "sourceRelationFqns": [SRC_C, UNKNOWN]}))
    assert SRC_C in got["sourceRelationFqns"] and "sinkRelationFqn" not in got
    # unknown body: no DESCRIBE at all, and no immutability claim
    sent.clear()
    assert check(server, {**NEWS, "sql": UNKNOWN}, olds=NEWS, sent=sent).failures == ()
    assert sent == []


def test_replacement_or_create_checks_with_empty_olds(server: LocalServer) -> None:
    # Check is re-run with olds={} on replacement: never an immutability failure
    sent: list[Statement] = []
    new_sql = SQL.replace("SELECT *", "SELECT a.id, a.x")
    assert check(server, {**NEWS, "sql": new_sql}, olds={}, sent=sent).failures == ()
    assert describes(sent) == [f"DESCRIBE {new_sql}"]


def test_legacy_sink_relation_fqns_is_accepted_with_a_deprecation_warning(
    server: LocalServer,
) -> None:
    log = Log()
    news = {"sourceRelationFqns": [SRC_A, SRC_B], "sinkRelationFqns": [SINK], "sql": SQL}
    result = check(server, news, log=log)
    assert result.failures == ()
    assert result.inputs["sinkRelationFqn"] == SINK
    assert "sinkRelationFqns" not in result.inputs  # folded: state only holds the new key
    assert any("deprecated" in w and "sinkRelationFqn" in w for w in log.warnings)


def test_legacy_sink_folds_into_the_sink_comparison(server: LocalServer) -> None:
    news = {"sourceRelationFqns": [SRC_A, SRC_B], "sinkRelationFqns": [ELSEWHERE], "sql": SQL}
    got = messages(check(server, news))
    assert f"is {ELSEWHERE} but the sql inserts into {SINK}" in got["sinkRelationFqn"]


def test_legacy_sink_relation_fqns_with_two_sinks_is_refused(server: LocalServer) -> None:
    sent: list[Statement] = []
    news = {"sourceRelationFqns": [SRC_A], "sinkRelationFqns": [SINK, SRC_B], "sql": SQL}
    got = messages(check(server, news, sent=sent))
    assert "holds 2 relations" in got["sinkRelationFqns"]
    assert "exactly one" in got["sinkRelationFqns"]
    assert sent == []


def test_legacy_and_new_sink_that_disagree_are_refused(server: LocalServer) -> None:
    got = messages(check(server, {**NEWS, "sinkRelationFqns": [SRC_B]}))
    assert SRC_B in got["sinkRelationFqns"] and SINK in got["sinkRelationFqns"]
    assert "keep only sinkRelationFqn" in got["sinkRelationFqns"]


def test_server_refusal_is_a_failure_on_sql_with_the_server_message(server: LocalServer) -> None:
    sql = f"INSERT INTO {SINK} SELEKT * FROM {SRC_A};"
    refusal = server.run(f"DESCRIBE {sql}")
    assert refusal["sqlState"] == "42601"
    got = messages(check(server, {**NEWS, "sourceRelationFqns": [SRC_A], "sql": sql}))
    assert refusal["message"] in got["sql"] and "(sqlState 42601)" in got["sql"]
