"""DeltaStreamObject Check against a real deltastream-local: every DESCRIBE-based failure names
what is wrong (both values); unknowns and unchanged inputs send no DESCRIBE; unreachable or
not-yet-existing things say nothing false."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from pipeline_support import Log, describes, drive, messages, ok

from deltastream_core.kinds import OperationContext
from deltastream_core.ports import Statement, StatementContext
from deltastream_core.unknown import UNKNOWN
from deltastream_core.waiting import SystemClock
from deltastream_http.retry import RetryPolicy
from deltastream_local.testing import LocalServer
from deltastream_plugins.relation import ObjectKind

KIND = ObjectKind()
SQL = "CREATE STREAM pv (id VARCHAR) WITH ('topic'='pv', 'value.format'='json');"
NEWS = {"database": "db", "namespace": "ns", "store": "kafka", "sql": SQL}
IN_DB = {"database": "db", "schema": "ns", "store": "kafka"}


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as started:
        for database, namespace in (("db", "ns"), ("other_db", "other_ns")):
            ok(started, f'CREATE DATABASE "{database}";')
            ok(started, f'CREATE SCHEMA "{database}"."{namespace}";')
        for store, port in (("kafka", 9092), ("pg", 9093)):
            ok(
                started,
                f"CREATE STORE \"{store}\" WITH ('type' = KAFKA, 'uris' = 'localhost:{port}', "
                "'kafka.sasl.hash_function' = NONE);",
            )
        for name in ("a", "out"):
            stream = f"CREATE STREAM {name} (id VARCHAR, x BIGINT) WITH ('topic'='{name}');"
            ok(started, stream, **IN_DB)
        yield started


def check(
    server: LocalServer,
    news: dict[str, Any],
    olds: dict[str, Any] | None = None,
    *,
    log: Log | None = None,
    sent: list[Statement] | None = None,
    contexts: list[StatementContext] | None = None,
    **client_options: Any,
) -> Any:
    return drive(
        server,
        lambda ctx: KIND.check(ctx, olds or {}, news),
        log=log,
        recording=sent,
        contexts=contexts,
        **client_options,
    )


def test_matching_plan_passes_and_runs_describe_in_the_declared_context(
    server: LocalServer,
) -> None:
    sent: list[Statement] = []
    contexts: list[StatementContext] = []
    assert check(server, NEWS, sent=sent, contexts=contexts).failures == ()
    assert [s.sql for s in sent] == [f"DESCRIBE {SQL}"]
    (ctx,) = contexts
    assert (ctx.database, ctx.schema, ctx.store) == ("db", "ns", "kafka")


NOT_A_RELATION = {
    "INSERT_INTO": 'INSERT INTO "db"."ns"."out" SELECT * FROM "db"."ns"."a";',
    "APPLICATION": """BEGIN APPLICATION app1
  INSERT INTO "db"."ns"."out" SELECT * FROM "db"."ns"."a";
END APPLICATION;""",
    "CREATE_MATERIALIZED_VIEW": (
        'CREATE MATERIALIZED VIEW mv AS SELECT id, COUNT(*) AS n FROM "db"."ns"."a" GROUP BY id;'
    ),
}


@pytest.mark.parametrize("kind", sorted(NOT_A_RELATION))
def test_statement_that_creates_no_stream_changelog_or_table(
    server: LocalServer, kind: str
) -> None:
    got = messages(check(server, {**NEWS, "sql": NOT_A_RELATION[kind]}))
    assert "CREATE STREAM, CREATE CHANGELOG or CREATE TABLE" in got["sql"]
    assert f"plans it as {kind}" in got["sql"]


def test_database_namespace_and_store_mismatches_name_both_values(server: LocalServer) -> None:
    sql = (
        "CREATE CHANGELOG other_db.other_ns.pv (id VARCHAR, PRIMARY KEY (id)) "
        "WITH ('topic'='pv', 'value.format'='json', 'store'='pg');"
    )
    got = messages(check(server, {**NEWS, "sql": sql}))
    assert "'db'" in got["database"] and "'other_db'" in got["database"]
    assert "'ns'" in got["namespace"] and "'other_ns'" in got["namespace"]
    assert "'kafka'" in got["store"] and "'pg'" in got["store"]
    assert '"other_db"."other_ns"."pv"' in got["database"]
    assert set(got) == {"database", "namespace", "store"}


def test_only_the_mismatched_input_fails(server: LocalServer) -> None:
    sql = "CREATE STREAM pv (id VARCHAR) WITH ('topic'='pv', 'store'='pg');"
    got = messages(check(server, {**NEWS, "sql": sql}))
    assert set(got) == {"store"}
    assert 'is \'kafka\' but the sql puts "db"."ns"."pv" in store \'pg\'' in got["store"]


def test_server_refusal_is_a_failure_on_sql_with_the_server_message(server: LocalServer) -> None:
    sql = "CREATE STREEM pv (id VARCHAR) WITH ('topic'='pv');"
    refusal = server.run(f"DESCRIBE {sql}", **IN_DB)
    assert refusal["sqlState"] == "42601" and "STREEM" in refusal["message"]
    got = messages(check(server, {**NEWS, "sql": sql}))
    assert refusal["message"] in got["sql"] and "(sqlState 42601)" in got["sql"]
    assert got["sql"].startswith("DeltaStream cannot plan this statement")


def test_objects_that_do_not_exist_yet_skip_silently(server: LocalServer) -> None:
    log, sent = Log(), []
    result = check(server, {**NEWS, "store": "not_yet"}, log=log, sent=sent)
    assert result.failures == ()
    assert len(describes(sent)) == 1  # asked, and DeltaStream said the store is unknown
    assert any("does not exist yet" in line and "not_yet" in line for line in log.infos)


def test_a_relation_that_exists_still_skips_silently(server: LocalServer) -> None:
    # a replacement: the old relation is only dropped later (delete before replace)
    log = Log()
    sql = "CREATE STREAM a (id VARCHAR, x BIGINT) WITH ('topic'='a');"
    assert check(server, {**NEWS, "sql": sql}, log=log).failures == ()
    assert any("already exists" in line for line in log.infos)


def test_unreachable_server_skips_with_a_warning(server: LocalServer) -> None:
    log = Log()
    server.set_faults(unavailable_next=50, retry_after=0)
    try:
        fast = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)
        result = check(server, NEWS, log=log, retry=fast)
    finally:
        server.reset_faults()
    assert result.failures == ()
    (warning,) = log.warnings
    assert "could not validate sql with DESCRIBE" in warning and "skipped" in warning


@pytest.mark.parametrize("key", ["sql", "database", "namespace", "store"])
def test_unknown_inputs_send_no_describe(server: LocalServer, key: str) -> None:
    sent: list[Statement] = []
    news = {**NEWS, "sql": NOT_A_RELATION["INSERT_INTO"], key: UNKNOWN}
    assert check(server, news, sent=sent).failures == ()
    assert sent == []


def test_unchanged_inputs_send_no_describe_even_with_whitespace_edits(
    server: LocalServer,
) -> None:
    sent: list[Statement] = []
    before = server.request_count("POST /v2/statements")
    reformatted = {**NEWS, "sql": "  " + SQL.replace(" (", "\n   (").replace(", ", ",\n") + "\n"}
    assert check(server, reformatted, olds=NEWS, sent=sent).failures == ()
    assert sent == []
    assert server.request_count("POST /v2/statements") == before


def test_a_changed_input_describes_again(server: LocalServer) -> None:
    sent: list[Statement] = []
    check(server, NEWS, olds={**NEWS, "sql": SQL.replace("pv", "pv2")}, sent=sent)
    assert describes(sent) == [f"DESCRIBE {SQL}"]


def test_unconfigured_provider_skips_remote_checks() -> None:
    ctx = OperationContext(
        runner=None, base=StatementContext(), log=Log(), clock=SystemClock(), resource_name="res"
    )
    assert asyncio.run(KIND.check(ctx, {}, NEWS)).failures == ()


def test_field_rules_still_apply(server: LocalServer) -> None:
    sent: list[Statement] = []
    got = messages(check(server, {**NEWS, "sql": " ;; ", "database": ""}, sent=sent))
    assert "must not be empty" in got["sql"]
    assert "required" in got["database"]
    assert sent == []


def test_a_statement_aimed_at_a_missing_database_fails_on_database(server: LocalServer) -> None:
    # DESCRIBE only answers "not found" (skipped); the statement's own name tells
    sql = "CREATE STREAM no_such_db.ns.pv (id VARCHAR) WITH ('topic'='pv');"
    log = Log()
    got = messages(check(server, {**NEWS, "sql": sql}, log=log))
    assert set(got) == {"database"}
    assert 'is \'db\' but the sql creates "no_such_db"."ns"."pv"' in got["database"]


def test_an_unknown_database_still_lets_the_namespace_be_compared(server: LocalServer) -> None:
    sent: list[Statement] = []
    sql = "CREATE STREAM elsewhere.pv (id VARCHAR) WITH ('topic'='pv');"
    got = messages(check(server, {**NEWS, "sql": sql, "database": UNKNOWN}, sent=sent))
    assert set(got) == {"namespace"} and "'elsewhere'" in got["namespace"]
    assert sent == []  # the unknown database hides the plan: no DESCRIBE


def test_a_second_statement_is_refused_without_a_describe(server: LocalServer) -> None:
    sent: list[Statement] = []
    got = messages(check(server, {**NEWS, "sql": f'{SQL} DROP DATABASE "db";'}, sent=sent))
    assert set(got) == {"sql"} and "'DROP DATABASE \"db\"' (line 1)" in got["sql"]
    assert sent == []
