"""Query, Application and getQuery/getQueries driven directly against a real deltastream-local:
start and wait for running, errored starts terminated, import by id, owner, idempotent delete."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from pipeline_support import KAFKA_STORE, Log, drive, messages, ok, sql_rows

from deltastream_core.errors import DuplicateQueryError, NotFoundError, ObjectFailedError
from deltastream_core.model import unstructure
from deltastream_core.ports import Statement
from deltastream_local.testing import LocalServer
from deltastream_plugins.application import ApplicationInputs, ApplicationKind
from deltastream_plugins.query import (
    GetQueries,
    GetQueriesArgs,
    GetQuery,
    GetQueryArgs,
    QueryInputs,
    QueryKind,
)

QUERY, APP = QueryKind(), ApplicationKind()
DELAY = 0.3
SRC, SINK, SINK2 = '"qdb"."public"."pageviews"', '"qdb"."public"."counts"', '"qdb"."public"."home"'


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer("--query-start-delay", str(DELAY)) as started:
        ok(started, 'CREATE DATABASE "qdb";')
        ok(started, KAFKA_STORE)
        ctx = {"database": "qdb", "schema": "public", "store": "kafka"}
        ok(
            started,
            "CREATE STREAM pageviews (userid VARCHAR, pageid VARCHAR, viewtime BIGINT) "
            "WITH ('topic'='pv');",
            **ctx,
        )
        ok(
            started,
            "CREATE CHANGELOG counts (userid VARCHAR, n BIGINT, PRIMARY KEY (userid)) "
            "WITH ('topic'='c');",
            **ctx,
        )
        ok(
            started,
            "CREATE STREAM home (userid VARCHAR, viewtime BIGINT) WITH ('topic'='h');",
            **ctx,
        )
        yield started


def query_inputs(sql: str | None = None) -> QueryInputs:
    sql = sql or f"INSERT INTO {SINK} SELECT userid, COUNT(*) AS n FROM {SRC} GROUP BY userid;"
    return QueryInputs([SRC], SINK, sql)


def state_of(server: LocalServer, query_id: str) -> str | None:
    rows = sql_rows(
        server, f"SELECT current_state FROM deltastream.sys.\"queries\" WHERE id = '{query_id}';"
    )
    return rows[0]["current_state"] if rows else None


def test_query_lifecycle(server: LocalServer) -> None:
    sent: list[Statement] = []
    out = drive(server, lambda ctx: QUERY.create(ctx, query_inputs()), recording=sent)
    assert out.state == "running" and out.query_id and QUERY.resource_id(out) == out.query_id
    assert (out.owner, out.query_version) == ("sysadmin", 1)
    polls = [s for s in sent if s.sql.startswith("SELECT")]
    assert 1 <= len(polls) <= 10

    refreshed = drive(server, lambda ctx: QUERY.read(ctx, out.query_id, out))
    assert refreshed is not None and refreshed.outputs.state == "running"

    imported = drive(server, lambda ctx: QUERY.read(ctx, out.query_id, None))
    assert imported is not None
    assert imported.inputs.sink_relation_fqn == SINK
    assert imported.inputs.source_relation_fqns == [SRC]
    # the imported inputs plan no change against the program's
    assert not QUERY.diff(unstructure(imported.inputs), unstructure(query_inputs())).changed

    sent.clear()
    news = QueryInputs([SRC], SINK, query_inputs().sql, owner="public")
    updated = drive(server, lambda ctx: QUERY.update(ctx, out.query_id, out, news), recording=sent)
    assert [s.sql for s in sent if s.sql.startswith("ALTER")] == [
        f'ALTER QUERY {out.query_id} OWNER TO "public";'
    ]
    assert updated.owner == "public" and updated.created_at == out.created_at

    drive(server, lambda ctx: QUERY.delete(ctx, out.query_id, updated))
    assert state_of(server, out.query_id) in (None, "terminated")
    drive(server, lambda ctx: QUERY.delete(ctx, out.query_id, updated))  # gone: success
    assert drive(server, lambda ctx: QUERY.read(ctx, out.query_id, updated)) is None


def test_errored_start_is_terminated_and_reports_the_error(server: LocalServer) -> None:
    server.set_options(fail_queries_matching="FAIL_ME")
    try:
        sql = (
            f"INSERT INTO {SINK} SELECT userid, COUNT(*) AS n FROM {SRC} "
            "WHERE pageid <> 'FAIL_ME' GROUP BY userid;"
        )
        with pytest.raises(ObjectFailedError) as info:
            drive(server, lambda ctx: QUERY.create(ctx, query_inputs(sql)))
    finally:
        server.set_options(fail_queries_matching=None)
    text = str(info.value)
    assert "errored" in text and "simulated failure" in text and "terminated" in text
    query_id = re.search(r"query ([0-9a-f-]{36})", text).group(1)  # type: ignore[union-attr]
    assert state_of(server, query_id) in (None, "terminated")  # nothing left running


def test_check_against_real_describe(server: LocalServer) -> None:
    news = unstructure(query_inputs())
    assert drive(server, lambda ctx: QUERY.check(ctx, {}, news)).failures == ()
    wrong = {**news, "sinkRelationFqn": SINK2}
    got = messages(drive(server, lambda ctx: QUERY.check(ctx, {}, wrong)))
    assert SINK2 in got["sinkRelationFqn"] and SINK in got["sinkRelationFqn"]
    # sources created by the same update do not exist yet: no failure, a log line
    log = Log()
    later = {**news, "sql": f'INSERT INTO {SINK} SELECT * FROM "qdb"."public"."later";'}
    result = drive(server, lambda ctx: QUERY.check(ctx, {}, later), log=log)
    assert "sql" not in messages(result) and log.infos


def test_application_with_a_virtual_stream(server: LocalServer) -> None:
    sql = f"""BEGIN APPLICATION app_one
  CREATE VIRTUAL STREAM virtual.public.recent AS SELECT * FROM {SRC} WHERE viewtime > 0;
  INSERT INTO {SINK2} SELECT userid, viewtime FROM virtual.public.recent WHERE pageid = 'home';
END APPLICATION;"""
    news = {"sourceRelationFqns": [SRC], "sinkRelationFqns": [SINK2], "sql": sql}
    assert drive(server, lambda ctx: APP.check(ctx, {}, news)).failures == ()
    virtual = {**news, "sourceRelationFqns": [SRC, '"virtual"."public"."recent"']}
    got = messages(drive(server, lambda ctx: APP.check(ctx, {}, virtual)))
    assert "virtual relation" in got["sourceRelationFqns"]

    out = drive(server, lambda ctx: APP.create(ctx, ApplicationInputs([SRC], [SINK2], sql)))
    assert out.state == "running" and APP.resource_id(out) == out.application_id
    imported = drive(server, lambda ctx: APP.read(ctx, out.application_id, None))
    assert imported is not None
    assert (imported.inputs.source_relation_fqns, imported.inputs.sink_relation_fqns) == (
        [SRC],
        [SINK2],
    )
    drive(server, lambda ctx: APP.delete(ctx, out.application_id, out))
    drive(server, lambda ctx: APP.delete(ctx, out.application_id, out))
    assert state_of(server, out.application_id) in (None, "terminated")


def test_get_query_and_get_queries(server: LocalServer) -> None:
    first = drive(server, lambda ctx: QUERY.create(ctx, query_inputs()))
    # a different statement: an identical one would be refused as a duplicate
    other = (
        f"INSERT INTO {SINK} SELECT userid, COUNT(*) AS n FROM {SRC} WHERE n > 0 GROUP BY userid;"
    )
    second = drive(server, lambda ctx: QUERY.create(ctx, query_inputs(other)))
    sent: list[Statement] = []
    found = drive(
        server, lambda ctx: GetQuery().invoke(ctx, GetQueryArgs(first.query_id)), recording=sent
    )
    assert (found.query_id, found.state, found.owner) == (first.query_id, "running", "sysadmin")
    listed = drive(
        server,
        lambda ctx: GetQueries().invoke(ctx, GetQueriesArgs(state="running")),
        recording=sent,
    )
    ids = [q.query_id for q in listed.queries]
    assert ids.index(first.query_id) < ids.index(second.query_id)  # oldest first
    assert len(sent) == 2
    with pytest.raises(NotFoundError, match="query 'nope' not found"):
        drive(server, lambda ctx: GetQuery().invoke(ctx, GetQueryArgs("nope")))
    none = drive(server, lambda ctx: GetQueries().invoke(ctx, GetQueriesArgs(owner="x' OR '1'='1")))
    assert none.queries == []
    for out in (first, second):
        drive(server, lambda ctx, out=out: QUERY.delete(ctx, out.query_id, out))


def test_an_identical_running_query_is_never_started_twice(server: LocalServer) -> None:
    first = drive(server, lambda ctx: QUERY.create(ctx, query_inputs()))
    # e.g. an earlier `up` died after starting it: the stack has no record of `first`
    with pytest.raises(DuplicateQueryError) as refused:
        drive(server, lambda ctx: QUERY.create(ctx, query_inputs()))
    assert refused.value.query_id == first.query_id
    assert f"pulumi import deltastream:index:Query res {first.query_id}" in (
        refused.value.import_command.replace("'", "")
    )
    running = sql_rows(server, "LIST QUERIES;")
    assert sum(1 for r in running if r["ID"] == first.query_id) == 1
    assert sum(1 for r in running if SINK in str(r["Query"]) and r["ActualState"] == "running") == 1
    drive(server, lambda ctx: QUERY.delete(ctx, first.query_id, first))
