"""FunctionSource and Function through the real provider and deltastream-local: the jar goes
as an attachment, a function naming a source's output is created after it and deleted before
it, a function created while its source is processing waits through 3D018, a jar that cannot
be loaded fails the create and leaves nothing, functions are keyed and dropped by signature,
every change replaces, Check names every problem, imports and lookups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import CheckFailedError, ProviderRPCError, Resource, Stack
from deltastream_pulumi.testing.local import run_sql, unique_name

SOURCE = "deltastream:index:FunctionSource"
FUNCTION = "deltastream:index:Function"
CLASS = "com.example.Upper"


@pytest.fixture
def jar(tmp_path: Path) -> Path:
    path = tmp_path / "udfs.jar"
    path.write_bytes(b"PK\x03\x04 a jar's bytes")
    return path


def _function(name: str, source: object, **more: object) -> dict[str, object]:
    return {
        "name": name,
        "sourceName": source,
        "className": CLASS,
        "arguments": [{"name": "s", "type": "varchar"}],
        **more,
    }


def _create_source_out_of_band(local_server: LocalServer, name: str, jar: bytes) -> None:
    statement = f"CREATE FUNCTION_SOURCE \"{name}\" WITH ('file' = 'oob.jar');"
    response = local_server.http.post(
        "/statements",
        data={"request": json.dumps({"statement": statement})},
        files=[("attachments", ("oob.jar", jar, "application/java-archive"))],
    )
    assert response.json()["sqlState"] == "00000", response.text


def test_a_function_is_ordered_after_its_source_and_dropped_by_signature(
    stack: Stack, local_server: LocalServer, jar: Path
) -> None:
    source_name, fn = unique_name("src"), unique_name("fn")
    source = Resource(SOURCE, "src", {"name": source_name, "file": str(jar), "description": "x"})
    overload = _function(fn, source.out("name"))
    two = {
        **overload,
        "arguments": [{"name": "s", "type": "VARCHAR"}, {"name": "n", "type": "int"}],
    }
    function = Resource(FUNCTION, "fn", overload)
    other = Resource(FUNCTION, "fn2", two)
    result = stack.up([source, function, other])
    assert result.ops()[0] == ("create", "src")
    made = result.step("src").outputs
    assert made["status"] == "ready" and made["language"] == "java" and made["downloadUrl"]
    step = result.step("fn")
    assert step.id == f"{fn}(s VARCHAR)" and step.outputs["signature"] == step.id
    assert step.outputs["returns"] == "VARCHAR" and step.outputs["language"] == "JAVA"
    assert result.step("fn2").id == f"{fn}(s VARCHAR, n INT)"
    refused = local_server.run(f'DROP FUNCTION_SOURCE "{source_name}";')
    assert refused["sqlState"] == "2BP01" and "functions still use it" in refused["message"]
    # a change replaces the one overload only
    changed = Resource(FUNCTION, "fn", {**overload, "returns": "bigint"})
    replaced = stack.up([source, changed, other])
    assert replaced.step("fn").op == "replace" and replaced.step("fn2").op == "same"
    assert replaced.step("fn").outputs["returns"] == "BIGINT"
    ops = stack.destroy().ops()
    assert ops[-1] == ("delete", "src") and {("delete", "fn"), ("delete", "fn2")} <= set(ops)
    left = run_sql(local_server, 'SELECT signature FROM deltastream.sys."functions";')
    assert not [row for row in left if row[0].startswith(fn)]


def test_a_function_waits_while_its_source_is_processing(
    stack: Stack, local_server: LocalServer
) -> None:
    source_name, fn = unique_name("src"), unique_name("fn")
    local_server.set_options(function_source_ready_delay=1.5)
    try:
        _create_source_out_of_band(local_server, source_name, b"PK jar")
        refused = local_server.run(
            f"CREATE FUNCTION {fn} () RETURNS VARCHAR LANGUAGE JAVA"
            f" WITH ('source.name' = '{source_name}', 'class.name' = 'C');"
        )
        assert refused["sqlState"] == "3D018"  # what the provider waits through
        step = stack.up([Resource(FUNCTION, "fn", _function(fn, source_name))]).step("fn")
    finally:
        local_server.set_options(function_source_ready_delay=0.0)
    assert step.op == "create" and step.outputs["sourceName"] == source_name
    stack.destroy()
    run_sql(local_server, f'DROP FUNCTION_SOURCE "{source_name}";')


def test_a_missing_source_fails_at_once(stack: Stack) -> None:
    missing = unique_name("nosrc")
    with pytest.raises(ProviderRPCError) as info:
        stack.up([Resource(FUNCTION, "fn", _function(unique_name("fn"), missing))])
    assert f"function source {missing!r} does not exist" in info.value.details
    assert stack.state == {}


def test_a_jar_that_cannot_be_loaded_fails_and_leaves_nothing(
    stack: Stack, local_server: LocalServer, tmp_path: Path
) -> None:
    broken = tmp_path / "broken-udfs.jar"
    broken.write_bytes(b"not a jar")
    name = unique_name("src")
    with pytest.raises(ProviderRPCError) as info:
        stack.up([Resource(SOURCE, "src", {"name": name, "file": str(broken)})])
    assert "could not load the jar 'broken-udfs.jar'" in info.value.details
    assert "the source was dropped" in info.value.details
    assert stack.state == {}
    query = f"SELECT name FROM deltastream.sys.\"function_sources\" WHERE name = '{name}';"
    assert run_sql(local_server, query) == []


def test_check_names_every_problem(stack: Stack, tmp_path: Path) -> None:
    not_jar = tmp_path / "udfs.zip"
    not_jar.write_bytes(b"x")
    with pytest.raises(CheckFailedError) as info:
        stack.preview([Resource(SOURCE, "bad", {"file": str(tmp_path / "absent.jar")})])
    assert info.value.properties == ["file"] and "not a readable file" in str(info.value)
    with pytest.raises(CheckFailedError) as info:
        stack.preview([Resource(SOURCE, "bad", {"file": str(not_jar)})])
    assert "not a .jar file" in str(info.value)
    bad = {
        "name": "Upper Case",
        "sourceName": "s",
        "className": "not a class",
        "arguments": [{"name": "s", "type": "varchar; DROP"}, {"name": "s", "type": "int"}],
        "returns": "STRUCT<a INT>",
        "language": "python",
    }
    with pytest.raises(CheckFailedError) as info:
        stack.preview([Resource(FUNCTION, "bad", bad)])
    assert sorted(info.value.properties) == [
        "arguments[0].type",
        "className",
        "language",
        "name",
        "returns",
    ]


def test_already_exists_and_import_by_signature(
    stack: Stack, local_server: LocalServer, jar: Path
) -> None:
    source_name, fn = unique_name("src"), unique_name("fn")
    stack.up([Resource(SOURCE, "src", {"name": source_name, "file": str(jar)})])
    run_sql(
        local_server,
        f"CREATE FUNCTION {fn} (s VARCHAR) RETURNS VARCHAR LANGUAGE JAVA"
        f" WITH ('source.name' = '{source_name}', 'class.name' = '{CLASS}');",
    )
    program = Resource(FUNCTION, "mine", _function(fn, source_name))
    with pytest.raises(ProviderRPCError) as info:
        stack.up([Resource(SOURCE, "src", {"name": source_name, "file": str(jar)}), program])
    assert f"pulumi import {FUNCTION} mine '{fn}(s VARCHAR)'" in info.value.details
    imported = stack.import_(FUNCTION, "mine", f"{fn}(s VARCHAR)")
    assert imported.outputs["arguments"] == [{"name": "s", "type": "VARCHAR"}]
    assert imported.outputs["className"] == CLASS
    source_import = Stack(stack.provider)
    found = source_import.import_(SOURCE, "again", source_name)
    assert found.outputs["status"] == "ready" and found.outputs["file"] == ""
    source_import.state.clear()
    kept = Resource(SOURCE, "src", {"name": source_name, "file": str(jar)})
    assert stack.preview([kept, program]).step("mine").op == "same"
    # the plain sourceName orders nothing: the function goes first, then the source
    assert ("delete", "mine") in stack.up([kept]).ops()
    stack.destroy()


def test_lookups(stack: Stack, jar: Path) -> None:
    source_name, fn = unique_name("src"), unique_name("fn")
    source = Resource(SOURCE, "src", {"name": source_name, "file": str(jar)})
    one = Resource(FUNCTION, "one", _function(fn, source.out("name")))
    two_args = [{"name": "a", "type": "INTEGER"}]
    two = Resource(FUNCTION, "two", _function(fn, source.out("name"), arguments=two_args))
    stack.up([source, one, two])
    got = stack.invoke("deltastream:index:getFunctionSource", {"name": source_name})
    assert got["status"] == "ready" and got["language"] == "java"
    sources = stack.invoke("deltastream:index:getFunctionSources")["functionSources"]
    assert source_name in [s["name"] for s in sources]
    found = stack.invoke("deltastream:index:getFunction", {"signature": f"{fn}(s  varchar)"})
    assert found["sourceName"] == source_name and found["className"] == CLASS
    overloads = stack.invoke("deltastream:index:getFunctions", {"name": fn})["functions"]
    assert [f["signature"] for f in overloads] == [f"{fn}(a INTEGER)", f"{fn}(s VARCHAR)"]
    by_source = stack.invoke("deltastream:index:getFunctions", {"sourceName": source_name})
    assert len(by_source["functions"]) == 2
    stack.destroy()
