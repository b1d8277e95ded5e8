"""Database through the real provider process and a real local server, driven like the engine."""

from __future__ import annotations

import copy

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import (
    CheckFailedError,
    EngineLogServer,
    ProviderProcess,
    ProviderRPCError,
    Resource,
    Secret,
    Stack,
    Unknown,
    assert_secret,
)
from deltastream_pulumi.testing.local import RequestCounter, run_sql, unique_name

from .conftest import DATABASE, NAMESPACE

SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def database(res_name: str, name: str, **inputs: object) -> Resource:
    return Resource(DATABASE, res_name, {"name": name, **inputs})


def db_rows(server: LocalServer, name: str) -> list[list[object]]:
    return run_sql(
        server,
        f'SELECT name, "owner" FROM deltastream.sys."databases" WHERE name = \'{name}\';',
    )


def test_preview_sends_nothing_and_keeps_unknowns(
    stack: Stack, local_server: LocalServer, provider: ProviderProcess
) -> None:
    name = unique_name("prev")
    db = database("db", name)
    ns = Resource(NAMESPACE, "ns", {"database": db.id, "name": "analytics"})
    with RequestCounter(local_server) as counter:
        result = stack.preview([db, ns])
    assert counter.total == 0, f"preview reached the server: {counter.by_route}"
    assert result.ops() == [("create", "db"), ("create", "ns")]
    # the database id is unknown in preview, so the namespace's input and output are unknown
    assert result.step("ns").inputs["database"] == Unknown()
    assert result.step("ns").outputs.get("database", Unknown()) == Unknown()
    assert result.step("db").outputs["name"] == name
    creates = provider.calls("Create")
    assert creates and all(c["request"]["preview"] for c in creates)
    assert not provider.calls("Delete") and not provider.calls("Read")
    assert stack.state == {}
    assert db_rows(local_server, name) == []


def test_create_then_no_change_up_twice(stack: Stack, local_server: LocalServer) -> None:
    name = unique_name("create")
    created = stack.up([database("db", name)])
    step = created.step("db", "create")
    assert step.id == name
    assert step.outputs["name"] == name
    assert step.outputs["owner"] == "sysadmin"
    assert isinstance(step.outputs["createdAt"], str) and step.outputs["createdAt"].endswith("Z")
    assert db_rows(local_server, name) == [[name, "sysadmin"]]
    for _ in range(2):  # twice, to catch noisy diffs
        again = stack.up([database("db", name)])
        same = again.step("db")
        assert same.op == "same", same.diff
        assert same.diff is not None and same.diff.changes == "none"


def test_refresh_of_an_untouched_database_has_no_diff(stack: Stack) -> None:
    name = unique_name("refresh")
    stack.up([database("db", name)])
    before = copy.deepcopy(stack.get("db").outputs)
    step = stack.refresh().step("db")
    assert step.op == "same" and step.diff is not None and step.diff.changes == "none"
    assert stack.get("db").outputs == before


def test_drift_refresh_drops_it_and_up_recreates(stack: Stack, local_server: LocalServer) -> None:
    name = unique_name("drift")
    stack.up([database("db", name)])
    run_sql(local_server, f'DROP DATABASE "{name}";')  # out of band
    refreshed = stack.refresh()
    assert refreshed.ops() == [("delete", "db")]
    assert "db" not in {s.name for s in stack.state.values()}
    assert stack.up([database("db", name)]).ops() == [("create", "db")]
    assert db_rows(local_server, name) == [[name, "sysadmin"]]


def test_import_by_name_then_diff_is_none(stack: Stack, local_server: LocalServer) -> None:
    name = unique_name("imp")
    run_sql(local_server, f'CREATE DATABASE "{name}";')
    step = stack.import_(DATABASE, "adopted", name)
    assert step.id == name and step.inputs["name"] == name
    after = stack.up([database("adopted", name)]).step("adopted")
    assert after.op == "same" and after.diff is not None and after.diff.changes == "none"


def test_import_resource_option_is_a_no_op_diff(stack: Stack, local_server: LocalServer) -> None:
    name = unique_name("impopt")
    run_sql(local_server, f'CREATE DATABASE "{name}";')
    res = Resource(DATABASE, "adopted", {"name": name}, import_id=name)
    preview = stack.preview([res]).step("adopted")
    assert preview.op == "import" and preview.diff is not None
    assert preview.diff.changes == "none"
    step = stack.up([res]).step("adopted")
    assert step.op == "import" and step.id == name


def test_owner_change_is_a_delete_before_replace(
    stack: Stack, local_server: LocalServer, provider: ProviderProcess
) -> None:
    name = unique_name("owner")
    db = database("db", name)
    ns = Resource(NAMESPACE, "ns", {"database": db.id, "name": "raw"})
    stack.up([db, ns])
    db2 = database("db", name, owner="orgadmin")
    ns2 = Resource(NAMESPACE, "ns", {"database": db2.id, "name": "raw"})
    planned = stack.preview([db2, ns2]).step("db")
    assert planned.op == "replace", "an owner change must not be planned as an update"
    assert planned.diff is not None and planned.diff.delete_before_replace
    assert "owner" in planned.diff.replaces or planned.diff.replace
    mark = len(provider.calls())
    result = stack.up([db2, ns2])
    assert result.step("db").op == "replace" and result.step("ns").op == "replace"
    order = [
        (c["method"].rsplit("/", 1)[-1], c["request"].get("urn", "").rsplit("::", 1)[-1])
        for c in provider.calls()[mark:]
        if c["method"].endswith(("/Create", "/Delete", "/Update"))
    ]
    # dependents deleted first, then the database; never an Update
    assert order == [("Delete", "ns"), ("Delete", "db"), ("Create", "db"), ("Create", "ns")]
    assert db_rows(local_server, name) == [[name, "orgadmin"]]


def test_rename_replaces(stack: Stack, local_server: LocalServer) -> None:
    old, new = unique_name("old"), unique_name("new")
    stack.up([database("db", old)])
    result = stack.up([database("db", new)])
    step = result.step("db")
    assert step.op == "replace" and step.id == new
    assert db_rows(local_server, old) == [] and db_rows(local_server, new) == [[new, "sysadmin"]]


def test_destroy_in_dependency_order_and_again(
    stack: Stack, local_server: LocalServer, provider: ProviderProcess
) -> None:
    name = unique_name("destroy")
    db = database("db", name)
    nss = [Resource(NAMESPACE, f"ns{i}", {"database": db.id, "name": f"n{i}"}) for i in range(2)]
    stack.up([db, *nss])
    saved = copy.deepcopy(stack.state)
    mark = len(provider.calls())
    stack.destroy()
    deletes = [c["request"]["urn"].rsplit("::", 1)[-1] for c in provider.calls("Delete")]
    deletes = deletes[-3:]
    assert deletes[-1] == "db" and sorted(deletes[:2]) == ["ns0", "ns1"]
    assert len(provider.calls()) - mark == 3
    assert stack.state == {} and db_rows(local_server, name) == []
    # destroy again from the old state: Delete of a missing object succeeds
    stack.state = saved
    stack.destroy()
    assert stack.state == {}


def test_check_reports_every_invalid_input_at_once(stack: Stack, local_server: LocalServer) -> None:
    with RequestCounter(local_server) as counter, pytest.raises(CheckFailedError) as info:
        stack.preview([database("db", "", owner="bad\x01role")])
    assert sorted(info.value.properties) == ["name", "owner"]
    assert all(f.reason for f in info.value.failures)
    assert counter.total == 0


def test_secret_inputs_stay_secret(stack: Stack, provider: ProviderProcess) -> None:
    name = unique_name("secret")
    res = database("db", name, owner=Secret("sysadmin"))
    planned = stack.preview([res]).step("db")
    assert_secret(planned.inputs, "owner")  # Check echoed it still secret
    created = stack.up([res]).step("db")
    assert_secret(created.inputs, "owner")
    assert_secret(stack.get("db").outputs, "owner")  # as stored by the engine
    # on the wire: the Check response carries the engine's secret envelope
    echoed = provider.calls("Check")[-1]["response"]["inputs"]["owner"]
    assert echoed == {SIG: SECRET_SIG, "value": "sysadmin"}


def test_already_exists_error_names_the_import_command(
    stack: Stack, local_server: LocalServer
) -> None:
    name = unique_name("exists")
    run_sql(local_server, f'CREATE DATABASE "{name}";')
    with pytest.raises(ProviderRPCError) as info:
        stack.up([database("mine", name)])
    assert f"pulumi import {DATABASE} mine {name}" in info.value.details
    assert "Traceback" not in info.value.details
    assert stack.state == {}


def test_api_key_never_leaks(
    stack: Stack, local_server: LocalServer, provider: ProviderProcess, engine_log: EngineLogServer
) -> None:
    name = unique_name("leak")
    stack.up([database("db", name)])
    stack.refresh()
    stack.destroy()
    assert provider.stderr_text(), "run with -v=9: the provider should log something"
    assert local_server.token not in provider.stderr_text()
    assert local_server.token not in engine_log.text()
