"""Application Check: kind APPLICATION; declared sinks and sources equal the plan's physical
ones (both directions); a declared virtual relation is refused as virtual; immutability."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pipeline_fakes import PlanRunner, context, messages, plan_result, rel

from deltastream_core.unknown import UNKNOWN
from deltastream_plugins.application import ApplicationKind

SRC, SINK_A, SINK_B = '"db"."ns"."src"', '"db"."ns"."out_a"', '"db"."ns"."out_b"'
VIRTUAL = '"virtual"."public"."filtered"'
SQL = f"""BEGIN APPLICATION app1
  CREATE VIRTUAL STREAM virtual.public.filtered AS SELECT * FROM {SRC} WHERE x > 1;
  INSERT INTO {SINK_A} SELECT * FROM virtual.public.filtered;
  INSERT INTO {SINK_B} SELECT * FROM virtual.public.filtered;
END APPLICATION;"""
NEWS = {"sourceRelationFqns": [SRC], "sinkRelationFqns": [SINK_A, SINK_B], "sql": SQL}
PLAN = {
    "ddls": [rel("virtual", "public", "filtered", virtual=True)],
    "statements": [],
    "sources": [rel("db", "ns", "src")],
    "sinks": [rel("db", "ns", "out_a"), rel("db", "ns", "out_b")],
}


def check(runner: Any, news: dict[str, Any], olds: dict[str, Any] | None = None) -> Any:
    return asyncio.run(ApplicationKind().check(context(runner), olds or {}, news))


def test_matching_plan_passes() -> None:
    runner = PlanRunner(plan_result("APPLICATION", PLAN))
    assert check(runner, NEWS).failures == ()
    assert runner.describes == [f"DESCRIBE {SQL}"]


@pytest.mark.parametrize("kind", ["INSERT_INTO", "CREATE_STREAM"])
def test_only_applications_are_accepted(kind: str) -> None:
    got = messages(check(PlanRunner(plan_result(kind, {"sink": rel("db", "ns", "x")})), NEWS))
    assert "BEGIN APPLICATION" in got["sql"] and kind in got["sql"]


def test_missing_and_extra_sinks_are_named() -> None:
    news = {**NEWS, "sinkRelationFqns": [SINK_A, '"db"."ns"."nope"']}
    got = messages(check(PlanRunner(plan_result("APPLICATION", PLAN)), news))
    assert SINK_B in got["sinkRelationFqns"] and "not declared" in got["sinkRelationFqns"]
    assert '"db"."ns"."nope"' in got["sinkRelationFqns"]
    assert "never writes to" in got["sinkRelationFqns"]


def test_missing_and_extra_sources_are_named() -> None:
    news = {**NEWS, "sourceRelationFqns": ['"db"."ns"."other"']}
    got = messages(check(PlanRunner(plan_result("APPLICATION", PLAN)), news))
    assert SRC in got["sourceRelationFqns"] and '"db"."ns"."other"' in got["sourceRelationFqns"]


@pytest.mark.parametrize("key", ["sourceRelationFqns", "sinkRelationFqns"])
def test_a_declared_virtual_relation_is_refused_as_virtual(key: str) -> None:
    news = {**NEWS, key: [*NEWS[key], VIRTUAL]}
    got = messages(check(PlanRunner(plan_result("APPLICATION", PLAN)), news))
    assert VIRTUAL in got[key] and "virtual" in got[key].replace(VIRTUAL, "")
    assert "never" not in got[key]  # one clear reason, not two


def test_changed_body_is_refused_with_a_diff() -> None:
    new_sql = SQL.replace("x > 1", "x > 2")
    got = messages(check(PlanRunner(), {**NEWS, "sql": new_sql}, olds=NEWS))
    assert "declare a new Application resource" in got["sql"]
    assert "-  CREATE VIRTUAL STREAM" in got["sql"] and "x > 2" in got["sql"]


def test_changed_sinks_are_refused_but_reordering_is_not() -> None:
    got = messages(check(PlanRunner(), {**NEWS, "sinkRelationFqns": [SINK_A]}, olds=NEWS))
    assert "changed from" in got["sinkRelationFqns"]
    runner = PlanRunner()
    assert check(runner, {**NEWS, "sinkRelationFqns": [SINK_B, SINK_A]}, olds=NEWS).failures == ()
    assert runner.sent == []


def test_unknown_sinks_skip_the_sink_comparison_only() -> None:
    news = {**NEWS, "sinkRelationFqns": UNKNOWN, "sourceRelationFqns": ['"db"."ns"."other"']}
    got = messages(check(PlanRunner(plan_result("APPLICATION", PLAN)), news))
    assert "sinkRelationFqns" not in got and "sourceRelationFqns" in got
