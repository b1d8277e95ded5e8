"""Query Check: only INSERT INTO; declared sink and sources equal the plan's (both directions);
the immutability error (FR-020/FR-024) with its diff and advice; legacy sinkRelationFqns."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pipeline_fakes import Log, PlanRunner, context, messages, plan_result, rel

from deltastream_core.unknown import UNKNOWN
from deltastream_plugins.query import QueryKind

SINK = '"db"."ns"."out"'
SRC_A, SRC_B = '"db"."ns"."a"', '"db"."ns"."b"'
SQL = f"INSERT INTO {SINK} SELECT * FROM {SRC_A} JOIN {SRC_B} WITHIN 5 MINUTES ON a.id = b.id;"
NEWS = {"sourceRelationFqns": [SRC_A, SRC_B], "sinkRelationFqn": SINK, "sql": SQL}
PLAN = {"sink": rel("db", "ns", "out"), "sources": [rel("db", "ns", "a"), rel("db", "ns", "b")]}


def check(
    runner: Any, news: dict[str, Any], olds: dict[str, Any] | None = None, log: Log | None = None
) -> Any:
    return asyncio.run(QueryKind().check(context(runner, log), olds or {}, news))


def test_matching_plan_passes() -> None:
    runner = PlanRunner(plan_result("INSERT_INTO", PLAN))
    assert check(runner, NEWS).failures == ()
    assert runner.describes == [f"DESCRIBE {SQL}"]


def test_sources_compare_regardless_of_order_and_quoting_style() -> None:
    news = {**NEWS, "sourceRelationFqns": ["db.ns.b", SRC_A], "sinkRelationFqn": "db.ns.out"}
    assert check(PlanRunner(plan_result("INSERT_INTO", PLAN)), news).failures == ()


@pytest.mark.parametrize("kind", ["CREATE_STREAM", "APPLICATION"])
def test_only_insert_into_is_accepted(kind: str) -> None:
    got = messages(check(PlanRunner(plan_result(kind, {"ddl": rel("db", "ns", "x")})), NEWS))
    assert "must be an INSERT INTO" in got["sql"] and kind in got["sql"]


def test_sink_mismatch_names_both_relations() -> None:
    plan = {**PLAN, "sink": rel("db", "ns", "elsewhere")}
    got = messages(check(PlanRunner(plan_result("INSERT_INTO", plan)), NEWS))
    assert SINK in got["sinkRelationFqn"] and '"db"."ns"."elsewhere"' in got["sinkRelationFqn"]


def test_planned_source_not_declared_is_named() -> None:
    news = {**NEWS, "sourceRelationFqns": [SRC_A]}
    got = messages(check(PlanRunner(plan_result("INSERT_INTO", PLAN)), news))
    assert SRC_B in got["sourceRelationFqns"] and "not declared" in got["sourceRelationFqns"]


def test_declared_source_not_read_is_named() -> None:
    news = {**NEWS, "sourceRelationFqns": [SRC_A, SRC_B, '"db"."ns"."c"']}
    got = messages(check(PlanRunner(plan_result("INSERT_INTO", PLAN)), news))
    assert '"db"."ns"."c"' in got["sourceRelationFqns"]
    assert "never reads from" in got["sourceRelationFqns"]


def test_malformed_fqns_fail_before_any_describe() -> None:
    runner = PlanRunner(plan_result("INSERT_INTO", PLAN))
    got = messages(check(runner, {**NEWS, "sinkRelationFqn": "out", "sourceRelationFqns": ["a.b"]}))
    assert "'out' is not a fully qualified relation name" in got["sinkRelationFqn"]
    assert "'a.b'" in got["sourceRelationFqns"]
    assert runner.sent == []


def test_changed_body_is_refused_with_a_diff_and_the_way_out() -> None:
    runner = PlanRunner(plan_result("INSERT_INTO", PLAN))
    new_sql = SQL.replace("SELECT *", "SELECT a.id")
    got = messages(check(runner, {**NEWS, "sql": new_sql}, olds=NEWS))
    text = got["sql"]
    assert "immutable" in text and "declare a new Query resource" in text
    assert "remove this one" in text
    assert "- INSERT INTO" in text and "+ INSERT INTO" in text and "SELECT a.id" in text
    assert runner.sent == []  # refused without asking DeltaStream


def test_multi_line_body_change_shows_a_unified_diff() -> None:
    old = f"INSERT INTO {SINK}\nSELECT *\nFROM {SRC_A};"
    new = f"INSERT INTO {SINK}\nSELECT id\nFROM {SRC_A};"
    olds = {**NEWS, "sql": old, "sourceRelationFqns": [SRC_A]}
    got = messages(check(PlanRunner(), {**olds, "sql": new}, olds=olds))
    assert "-SELECT *" in got["sql"] and "+SELECT id" in got["sql"]


@pytest.mark.parametrize(
    ("key", "value"),
    [("sinkRelationFqn", '"db"."ns"."out2"'), ("sourceRelationFqns", [SRC_A])],
)
def test_changed_sink_or_sources_are_refused(key: str, value: Any) -> None:
    got = messages(check(PlanRunner(), {**NEWS, key: value}, olds=NEWS))
    assert "changed from" in got[key] and "immutable" in got[key]


def test_whitespace_only_edit_is_no_change_and_sends_nothing() -> None:
    runner = PlanRunner()
    edited = {**NEWS, "sql": "\n  " + SQL.replace(" SELECT", "\n  SELECT") + "  \n"}
    assert check(runner, edited, olds=NEWS).failures == ()
    assert runner.sent == []


def test_reordered_sources_are_no_change() -> None:
    runner = PlanRunner()
    news = {**NEWS, "sourceRelationFqns": [SRC_B, SRC_A]}
    assert check(runner, news, olds=NEWS).failures == ()
    assert runner.sent == []


def test_unknowns_hide_what_they_hide() -> None:
    runner = PlanRunner(plan_result("INSERT_INTO", {**PLAN, "sink": rel("db", "ns", "x")}))
    # unknown sink: the sink is not compared, the sources still are
    news = {**NEWS, "sinkRelationFqn": UNKNOWN, "sourceRelationFqns": [SRC_A, UNKNOWN]}
    got = messages(check(runner, news))
    assert "sinkRelationFqn" not in got
    assert "sourceRelationFqns" not in got  # the unknown one may be b: nothing to say
    # unknown body: no DESCRIBE at all, and no immutability claim
    runner = PlanRunner()
    assert check(runner, {**NEWS, "sql": UNKNOWN}, olds=NEWS).failures == ()
    assert runner.sent == []


def test_replacement_or_create_checks_with_empty_olds() -> None:
    # Check is re-run with olds={} on replacement: never an immutability failure
    runner = PlanRunner(plan_result("INSERT_INTO", PLAN))
    assert check(runner, NEWS, olds={}).failures == ()


def test_legacy_sink_relation_fqns_is_accepted_with_a_deprecation_warning() -> None:
    log = Log()
    news = {"sourceRelationFqns": [SRC_A, SRC_B], "sinkRelationFqns": [SINK], "sql": SQL}
    result = check(PlanRunner(plan_result("INSERT_INTO", PLAN)), news, log=log)
    assert result.failures == ()
    assert result.inputs["sinkRelationFqn"] == SINK
    assert "sinkRelationFqns" not in result.inputs  # folded: state only holds the new key
    assert any("deprecated" in w and "sinkRelationFqn" in w for w in log.warnings)


def test_legacy_sink_relation_fqns_with_two_sinks_is_refused() -> None:
    news = {"sourceRelationFqns": [SRC_A], "sinkRelationFqns": [SINK, SRC_B], "sql": SQL}
    got = messages(check(PlanRunner(plan_result("INSERT_INTO", PLAN)), news))
    assert "exactly one" in got["sinkRelationFqns"]


def test_legacy_and_new_sink_that_disagree_are_refused() -> None:
    news = {**NEWS, "sinkRelationFqns": [SRC_B]}
    got = messages(check(PlanRunner(plan_result("INSERT_INTO", PLAN)), news))
    assert SRC_B in got["sinkRelationFqns"] and SINK in got["sinkRelationFqns"]
