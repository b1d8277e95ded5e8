"""DeltaStreamObject Check: every DESCRIBE-based failure names what is wrong (both values);
unknowns and unchanged inputs send no DESCRIBE; unreachable/absent things say nothing false."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pipeline_fakes import Log, PlanRunner, context, messages, plan_result, rel

from deltastream_core.errors import NotFoundError, StatementError, TransientError
from deltastream_core.unknown import UNKNOWN
from deltastream_plugins.relation import ObjectKind

SQL = "CREATE STREAM pv (id VARCHAR) WITH ('topic'='pv', 'value.format'='json');"
NEWS = {"database": "db", "namespace": "ns", "store": "kafka", "sql": SQL}


def check(
    runner: Any, news: dict[str, Any], olds: dict[str, Any] | None = None, log: Log | None = None
) -> Any:
    return asyncio.run(ObjectKind().check(context(runner, log), olds or {}, news))


def test_matching_plan_passes_and_runs_describe_in_the_declared_context() -> None:
    runner = PlanRunner(plan_result("CREATE_STREAM", {"ddl": rel("db", "ns", "pv")}))
    result = check(runner, NEWS)
    assert result.failures == ()
    ((sql, ctx),) = runner.sent
    assert sql == f"DESCRIBE {SQL}"
    assert (ctx.database, ctx.schema, ctx.store) == ("db", "ns", "kafka")


@pytest.mark.parametrize("kind", ["INSERT_INTO", "APPLICATION", "CREATE_MATERIALIZED_VIEW"])
def test_statement_that_creates_no_stream_changelog_or_table(kind: str) -> None:
    result = check(PlanRunner(plan_result(kind, {"ddl": rel("db", "ns", "x")})), NEWS)
    assert "CREATE STREAM, CREATE CHANGELOG or CREATE TABLE" in messages(result)["sql"]
    assert kind in messages(result)["sql"]


def test_database_namespace_and_store_mismatches_name_both_values() -> None:
    plan = plan_result("CREATE_CHANGELOG", {"ddl": rel("other_db", "other_ns", "pv", "pg")})
    got = messages(check(PlanRunner(plan), NEWS))
    assert "'db'" in got["database"] and "'other_db'" in got["database"]
    assert "'ns'" in got["namespace"] and "'other_ns'" in got["namespace"]
    assert "'kafka'" in got["store"] and "'pg'" in got["store"]
    assert '"other_db"."other_ns"."pv"' in got["database"]


def test_plan_without_relation_is_a_failure() -> None:
    got = messages(check(PlanRunner(plan_result("CREATE_TABLE", {})), NEWS))
    assert "without a relation" in got["sql"]


def test_server_refusal_is_a_failure_on_sql_with_the_server_message() -> None:
    runner = PlanRunner(StatementError("42601", "syntax error at 'STREEM'"))
    got = messages(check(runner, NEWS))
    assert "syntax error at 'STREEM'" in got["sql"] and "42601" in got["sql"]


def test_objects_that_do_not_exist_yet_skip_silently() -> None:
    log = Log()
    result = check(
        PlanRunner(NotFoundError("3D006", 'store "kafka" does not exist')), NEWS, log=log
    )
    assert result.failures == ()
    assert any("does not exist yet" in line for line in log.infos)


def test_unreachable_server_skips_with_a_warning() -> None:
    log = Log()
    result = check(PlanRunner(TransientError("connection refused")), NEWS, log=log)
    assert result.failures == () and log.warnings


@pytest.mark.parametrize("key", ["sql", "database", "namespace", "store"])
def test_unknown_inputs_send_no_describe(key: str) -> None:
    runner = PlanRunner(plan_result("INSERT_INTO", {}))
    assert check(runner, {**NEWS, key: UNKNOWN}).failures == ()
    assert runner.sent == []


def test_unchanged_inputs_send_no_describe_even_with_whitespace_edits() -> None:
    runner = PlanRunner(plan_result("INSERT_INTO", {}))
    reformatted = {**NEWS, "sql": "  " + SQL.replace(" (", "\n   (").replace(", ", ",\n") + "\n"}
    assert check(runner, reformatted, olds=NEWS).failures == ()
    assert runner.sent == []


def test_a_changed_input_describes_again() -> None:
    runner = PlanRunner(plan_result("CREATE_STREAM", {"ddl": rel("db", "ns", "pv")}))
    check(runner, NEWS, olds={**NEWS, "sql": SQL.replace("pv", "pv2")})
    assert len(runner.describes) == 1


def test_unconfigured_provider_skips_remote_checks() -> None:
    assert check(None, NEWS).failures == ()


def test_field_rules_still_apply() -> None:
    got = messages(check(PlanRunner(), {**NEWS, "sql": " ;; ", "database": ""}))
    assert "must not be empty" in got["sql"]
    assert "required" in got["database"]
