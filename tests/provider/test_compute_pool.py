"""ComputePool through the real provider and deltastream-local: dbt-deltastream's WITH keys,
size and timeout updated in place, a rename replaces, delete stops the pool before dropping it,
Check names every problem, "already exists" prints an import line that works, lookups."""

from __future__ import annotations

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import CheckFailedError, ProviderRPCError, Resource, Stack
from deltastream_pulumi.testing.local import run_sql, unique_name

POOL = "deltastream:index:ComputePool"


def _pool(local_server: LocalServer, name: str) -> list[list[str | None]]:
    return run_sql(
        local_server,
        "SELECT size, timeout_min, intended_state, actual_state"
        f" FROM deltastream.sys.\"compute_pools\" WHERE name = '{name}';",
    )


def test_create_update_in_place_and_delete(stack: Stack, local_server: LocalServer) -> None:
    name = unique_name("pool")
    created = stack.up([Resource(POOL, "p", {"name": name, "size": "SMALL"})]).step("p")
    assert created.op == "create"
    assert created.outputs["size"] == "small" and created.outputs["actualState"] == "running"
    assert _pool(local_server, name) == [["small", None, "running", "running"]]

    changed = Resource(POOL, "p", {"name": name, "size": "large", "timeoutMinutes": 15})
    step = stack.up([changed]).step("p")
    assert step.op == "update" and step.outputs["timeoutMinutes"] == 15
    assert _pool(local_server, name) == [["large", "15", "running", "running"]]
    # the timeout left out again: reset (NULL), in place
    assert stack.up([Resource(POOL, "p", {"name": name, "size": "large"})]).step("p").op == (
        "update"
    )
    assert _pool(local_server, name)[0][1] is None

    renamed = Resource(POOL, "p", {"name": unique_name("pool"), "size": "large"})
    assert stack.preview([renamed]).step("p").op == "replace"
    # delete stops the running pool first (a running pool cannot be dropped)
    assert stack.destroy().ops() == [("delete", "p")]
    assert _pool(local_server, name) == []


def test_a_stopped_pool_is_dropped_and_a_refresh_sees_a_dropped_one(
    stack: Stack, local_server: LocalServer
) -> None:
    name = unique_name("pool")
    stack.up([Resource(POOL, "p", {"name": name, "size": "medium"})])
    run_sql(local_server, f'STOP COMPUTE_POOL "{name}";')
    assert stack.refresh().step("p").outputs["actualState"] == "stopped"
    stack.destroy()
    assert _pool(local_server, name) == []


def test_check_names_every_problem(stack: Stack) -> None:
    bad = Resource(POOL, "bad", {"name": " padded ", "size": "huge", "timeoutMinutes": 0})
    with pytest.raises(CheckFailedError) as info:
        stack.preview([bad])
    assert sorted(info.value.properties) == ["name", "size", "timeoutMinutes"]
    assert "small, medium, large" in str(info.value)


def test_already_exists_prints_an_import_line_that_works(
    stack: Stack, local_server: LocalServer
) -> None:
    name = unique_name("pool")
    run_sql(
        local_server,
        f"CREATE COMPUTE_POOL \"{name}\" WITH ('compute_pool.size' = 'small',"
        " 'compute_pool.timeout_min' = 5);",
    )
    with pytest.raises(ProviderRPCError) as info:
        stack.up([Resource(POOL, "mine", {"name": name, "size": "small"})])
    assert f"pulumi import {POOL} mine {name}" in info.value.details
    imported = stack.import_(POOL, "mine", name)
    assert imported.outputs["timeoutMinutes"] == 5 and imported.outputs["size"] == "small"
    program = Resource(POOL, "mine", {"name": name, "size": "small", "timeoutMinutes": 5})
    assert stack.preview([program]).step("mine").op == "same"
    stack.destroy()


def test_lookups_are_ordered_by_name(stack: Stack) -> None:
    prefix = unique_name("lk")
    pools = [Resource(POOL, f"p{i}", {"name": f"{prefix}_{i}", "size": "small"}) for i in (2, 1)]
    stack.up(pools)
    one = stack.invoke("deltastream:index:getComputePool", {"name": f"{prefix}_1"})
    assert one["size"] == "small" and one["actualState"] == "running" and one["owner"]
    listed = stack.invoke("deltastream:index:getComputePools")["computePools"]
    mine = [p["name"] for p in listed if p["name"].startswith(prefix)]
    assert mine == [f"{prefix}_1", f"{prefix}_2"]
    stack.destroy()
