"""Namespace (id ``db/ns``) through the real provider process and a real local server."""

from __future__ import annotations

import shlex

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import (
    CheckFailedError,
    ProviderProcess,
    ProviderRPCError,
    Resource,
    Stack,
    Unknown,
)
from deltastream_pulumi.testing.local import RequestCounter, run_sql, unique_name

from .conftest import DATABASE, NAMESPACE


def ns_rows(server: LocalServer, database: str, name: str) -> list[list[object]]:
    return run_sql(
        server,
        'SELECT database_name, name FROM deltastream.sys."schemas" '
        f"WHERE database_name = '{database}' AND name = '{name}';",
    )


def program(db_name: str, ns_name: str = "events") -> list[Resource]:
    db = Resource(DATABASE, "db", {"name": db_name})
    return [db, Resource(NAMESPACE, "ns", {"database": db.out("name"), "name": ns_name})]


def test_preview_of_a_namespace_in_a_new_database(
    stack: Stack, local_server: LocalServer, provider: ProviderProcess
) -> None:
    db = Resource(DATABASE, "db", {"name": unique_name("nsprev")})
    ns = Resource(NAMESPACE, "ns", {"database": db.id, "name": Unknown()})
    with RequestCounter(local_server) as counter:
        result = stack.preview([db, ns])
    assert counter.total == 0, counter.by_route
    step = result.step("ns")
    assert step.op == "create"
    for key in ("database", "name"):  # unknown inputs come back unknown (or omitted)
        assert step.outputs.get(key, Unknown()) == Unknown()
    assert all(c["request"]["preview"] for c in provider.calls("Create"))


def test_lifecycle_create_same_refresh_destroy(stack: Stack, local_server: LocalServer) -> None:
    db_name = unique_name("nslife")
    created = stack.up(program(db_name))
    assert created.ops() == [("create", "db"), ("create", "ns")]
    step = created.step("ns")
    assert step.id == f"{db_name}/events"
    assert (step.outputs["database"], step.outputs["name"]) == (db_name, "events")
    assert ns_rows(local_server, db_name, "events") == [[db_name, "events"]]
    for _ in range(2):
        same = stack.up(program(db_name)).step("ns")
        assert same.op == "same" and same.diff is not None and same.diff.changes == "none"
    refreshed = stack.refresh().step("ns")
    assert refreshed.op == "same" and refreshed.diff is not None
    assert refreshed.diff.changes == "none"
    stack.destroy()
    assert ns_rows(local_server, db_name, "events") == []


def test_drift_refresh_drops_and_up_recreates(stack: Stack, local_server: LocalServer) -> None:
    db_name = unique_name("nsdrift")
    stack.up(program(db_name))
    run_sql(local_server, f'DROP SCHEMA "{db_name}"."events";')
    assert sorted(stack.refresh().ops()) == [("delete", "ns"), ("same", "db")]
    assert stack.up(program(db_name)).step("ns").op == "create"
    assert ns_rows(local_server, db_name, "events") == [[db_name, "events"]]


def test_import_by_database_slash_namespace(stack: Stack, local_server: LocalServer) -> None:
    db_name = unique_name("nsimp")
    run_sql(local_server, f'CREATE DATABASE "{db_name}";')
    run_sql(local_server, f'CREATE SCHEMA "legacy" IN DATABASE "{db_name}";')
    step = stack.import_(NAMESPACE, "legacy", f"{db_name}/legacy")
    assert step.id == f"{db_name}/legacy"
    assert (step.inputs["database"], step.inputs["name"]) == (db_name, "legacy")
    after = stack.up([Resource(NAMESPACE, "legacy", {"database": db_name, "name": "legacy"})])
    same = after.step("legacy")
    assert same.op == "same" and same.diff is not None and same.diff.changes == "none"


def test_rename_replaces(stack: Stack, local_server: LocalServer) -> None:
    db_name = unique_name("nsren")
    stack.up(program(db_name, "a"))
    step = stack.up(program(db_name, "b")).step("ns")
    assert step.op == "replace" and step.id == f"{db_name}/b"
    assert ns_rows(local_server, db_name, "a") == []
    assert ns_rows(local_server, db_name, "b") == [[db_name, "b"]]


def test_check_reports_every_invalid_input(stack: Stack) -> None:
    with pytest.raises(CheckFailedError) as info:
        stack.preview([Resource(NAMESPACE, "ns", {"database": "", "name": "x\x02y"})])
    assert sorted(info.value.properties) == ["database", "name"]


def test_already_exists_names_the_import_command(stack: Stack, local_server: LocalServer) -> None:
    db_name = unique_name("nsexists")
    run_sql(local_server, f'CREATE DATABASE "{db_name}";')
    with pytest.raises(ProviderRPCError) as info:
        stack.up([Resource(NAMESPACE, "pub", {"database": db_name, "name": "public"})])
    command = info.value.details.split("pulumi import ", 1)[1]
    # the id is shell-quoted (it holds a slash): the printed command must paste as-is
    assert shlex.split(command) == [NAMESPACE, "pub", f"{db_name}/public"]
