"""Pipeline failure paths through the real provider and a real local server: Check failures
name what is wrong; a query that errors while starting fails `up` and is terminated; a query
that errors later shows `errored` on refresh and every later `up` says how to recover; a query
terminated outside Pulumi is dropped by refresh and started again by the next `up`."""

from __future__ import annotations

import re
import shlex

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import (
    CheckFailedError,
    EngineLogServer,
    ProviderRPCError,
    Resource,
    Stack,
)
from deltastream_pulumi.testing.local import run_sql, unique_name

from .conftest import DATABASE

STORE = "deltastream:index:Store"
OBJECT = "deltastream:index:DeltaStreamObject"
QUERY = "deltastream:index:Query"
APPLICATION = "deltastream:index:Application"


def base(db_name: str) -> tuple[list[Resource], Resource, Resource]:
    db = Resource(DATABASE, "db", {"name": db_name})
    kafka = Resource(
        STORE,
        "kafka",
        {"name": f"{db_name}_k", "kafka": {"uris": "localhost:9092", "saslHashFunction": "NONE"}},
    )
    src = Resource(
        OBJECT,
        "src",
        {
            "database": db.out("name"),
            "namespace": "public",
            "store": kafka.out("name"),
            "sql": "CREATE STREAM src (userid VARCHAR, pageid VARCHAR) WITH ('topic'='src');",
        },
    )
    dst = Resource(
        OBJECT,
        "dst",
        {
            "database": db.out("name"),
            "namespace": "public",
            "store": kafka.out("name"),
            "sql": "CREATE STREAM dst (userid VARCHAR, pageid VARCHAR) WITH ('topic'='dst');",
        },
    )
    return [db, kafka, src, dst], src, dst


def query(
    db_name: str, src: Resource, dst: Resource, sql_tail: str = "", **inputs: object
) -> Resource:
    source = f'"{db_name}"."public"."src"'
    return Resource(
        QUERY,
        "copy",
        {
            "sourceRelationFqns": [src.out("fqn")],
            "sinkRelationFqn": dst.out("fqn"),
            "sql": dst.out(
                "fqn",
                lambda sink: f"INSERT INTO {sink} SELECT * FROM {source}{sql_tail};",
            ),
            **inputs,
        },
    )


def failures_of(info: pytest.ExceptionInfo[CheckFailedError]) -> dict[str, str]:
    return {f.property: f.reason for f in info.value.failures}


def test_check_failures_name_what_is_wrong(stack: Stack, local_server: LocalServer) -> None:
    db_name = unique_name("fail")
    resources, src, dst = base(db_name)
    stack.up(resources)

    wrong_ns = Resource(
        OBJECT,
        "elsewhere",
        {
            "database": db_name,
            "namespace": "public",
            "store": f"{db_name}_k",
            "sql": f"CREATE STREAM \"{db_name}\".other.x (a VARCHAR) WITH ('topic'='x');",
        },
    )
    run_sql(local_server, f'CREATE SCHEMA other IN DATABASE "{db_name}";')
    with pytest.raises(CheckFailedError) as info:
        stack.preview([*resources, wrong_ns])
    assert "'other'" in failures_of(info)["namespace"]

    not_ddl = Resource(
        OBJECT,
        "notddl",
        {
            "database": db_name,
            "namespace": "public",
            "store": f"{db_name}_k",
            "sql": f'INSERT INTO "{db_name}"."public"."dst" '
            f'SELECT * FROM "{db_name}"."public"."src";',
        },
    )
    with pytest.raises(CheckFailedError) as info:
        stack.preview([*resources, not_ddl])
    assert "INSERT_INTO" in failures_of(info)["sql"]

    undeclared = query(db_name, src, dst, sourceRelationFqns=[])
    with pytest.raises(CheckFailedError) as info:
        stack.preview([*resources, undeclared])
    assert f'"{db_name}"."public"."src"' in failures_of(info)["sourceRelationFqns"]

    wrong_sink = query(db_name, src, dst, sinkRelationFqn=src.out("fqn"))
    with pytest.raises(CheckFailedError) as info:
        stack.preview([*resources, wrong_sink])
    assert "inserts into" in failures_of(info)["sinkRelationFqn"]

    app_sql = (
        "BEGIN APPLICATION a CREATE VIRTUAL STREAM virtual.public.v AS SELECT * FROM "
        f'"{db_name}"."public"."src"; INSERT INTO "{db_name}"."public"."dst" SELECT * FROM '
        "virtual.public.v; END APPLICATION;"
    )
    virtual = Resource(
        APPLICATION,
        "app",
        {
            "sourceRelationFqns": [src.out("fqn"), '"virtual"."public"."v"'],
            "sinkRelationFqns": [dst.out("fqn")],
            "sql": app_sql,
        },
    )
    with pytest.raises(CheckFailedError) as info:
        stack.preview([*resources, virtual])
    assert "virtual relation" in failures_of(info)["sourceRelationFqns"]


def test_errored_start_fails_up_and_leaves_nothing_running(
    stack: Stack, local_server: LocalServer
) -> None:
    db_name = unique_name("err")
    resources, src, dst = base(db_name)
    stack.up(resources)
    local_server.set_options(fail_queries_matching="BOOM")
    try:
        with pytest.raises(ProviderRPCError) as info:
            stack.up([*resources, query(db_name, src, dst, " WHERE pageid <> 'BOOM'")])
    finally:
        local_server.set_options(fail_queries_matching=None)
    assert "errored" in str(info.value) and "simulated failure" in str(info.value)
    assert "copy" not in {st.name for st in stack.state.values()}
    started = re.search(r"query ([0-9a-f-]{36})", str(info.value))
    assert started is not None
    state = run_sql(
        local_server,
        f"SELECT current_state FROM deltastream.sys.\"queries\" WHERE id = '{started[1]}';",
    )
    assert state in ([], [["terminated"]])  # nothing left running or errored
    # fixed: the next up starts it
    assert (
        stack.up([*resources, query(db_name, src, dst)]).step("copy").outputs["state"] == "running"
    )


def test_query_that_errors_later_shows_on_refresh_and_the_next_up_says_so(
    stack: Stack, local_server: LocalServer, engine_log: EngineLogServer
) -> None:
    db_name = unique_name("later")
    resources, src, dst = base(db_name)
    program = [*resources, query(db_name, src, dst, " WHERE pageid <> 'LATER'")]
    query_id = stack.up(program).step("copy").id
    local_server.set_options(fail_running_queries_matching="LATER")
    try:
        mark = engine_log.mark()
        refreshed = stack.refresh()
    finally:
        local_server.set_options(fail_running_queries_matching=None)
    assert refreshed.step("copy").outputs["state"] == "errored"
    assert stack.state[stack.urn(QUERY, "copy")].outputs["state"] == "errored"
    refresh_warnings = [r.message for r in engine_log.since(mark) if r.severity == "WARNING"]
    assert any(query_id in m and "simulated failure" in m for m in refresh_warnings)

    mark = engine_log.mark()
    again = stack.up(program)
    assert again.step("copy").op == "same"  # nothing changed: no surprise replacement
    urn = stack.urn(QUERY, "copy")
    warnings = [r for r in engine_log.since(mark) if r.severity == "WARNING"]
    assert [w.urn for w in warnings] == [urn]
    assert query_id in warnings[0].message
    command = warnings[0].message.split("restart it with: ", 1)[1]
    assert shlex.split(command) == ["pulumi", "up", "--replace", urn]


def test_query_terminated_outside_pulumi_is_restarted(
    stack: Stack, local_server: LocalServer
) -> None:
    db_name = unique_name("drift")
    resources, src, dst = base(db_name)
    program = [*resources, query(db_name, src, dst)]
    first = stack.up(program).step("copy").id
    run_sql(local_server, f"TERMINATE QUERY {first};")
    refreshed = stack.refresh()
    assert ("delete", "copy") in refreshed.ops()
    again = stack.up(program).step("copy")
    assert again.op == "create" and again.id != first and again.outputs["state"] == "running"
