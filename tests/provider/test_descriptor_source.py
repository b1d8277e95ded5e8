"""DescriptorSource through the real provider and deltastream-local: the descriptor set
travels as the attachment its WITH clause names, every change is a replacement, Check names
every problem at once, "already exists" prints a working import line, the lookups read the
catalog, and an entity naming the source as its descriptor keeps it from being dropped."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import CheckFailedError, ProviderRPCError, Resource, Stack
from deltastream_pulumi.testing.local import run_sql, unique_name

SOURCE = "deltastream:index:DescriptorSource"
#: the start of a FileDescriptorSet (field 1, a FileDescriptorProto named orders.proto)
DESCRIPTOR_SET = b"\n\x0e\n\x0corders.proto"


@pytest.fixture
def desc(tmp_path: Path) -> Path:
    path = tmp_path / "orders.desc"
    path.write_bytes(DESCRIPTOR_SET)
    return path


def test_the_file_is_sent_as_the_attachment_it_names(
    stack: Stack, local_server: LocalServer, desc: Path, tmp_path: Path
) -> None:
    name = unique_name("ds")
    res = Resource(SOURCE, "ds", {"name": name, "file": str(desc), "description": "it's"})
    outputs = stack.up([res]).step("ds").outputs
    assert (outputs["status"], outputs["description"]) == ("ready", "it's")
    rows = run_sql(
        local_server,
        'SELECT file_name, file_sha256 FROM deltastream.sys."descriptor_sources" '
        f"WHERE name = '{name}';",
    )
    assert rows == [["orders.desc", hashlib.sha256(DESCRIPTOR_SET).hexdigest()]]
    assert stack.refresh().step("ds").op == "same"
    other = tmp_path / "v2.desc"
    other.write_bytes(DESCRIPTOR_SET + b"\x12\x00")
    for change in ({"file": str(other)}, {"description": "another"}):
        step = stack.up([Resource(SOURCE, "ds", {**res.inputs, **change})]).step("ds")
        assert step.op == "replace"
    assert run_sql(local_server, "LIST DESCRIPTOR_SOURCES;")  # the source exists
    stack.destroy()


def test_check_names_every_problem_at_once(stack: Stack, tmp_path: Path) -> None:
    with pytest.raises(CheckFailedError) as info:
        stack.preview(
            [
                Resource(
                    SOURCE, "a", {"name": "two\nlines", "file": str(tmp_path / "missing.desc")}
                ),
            ]
        )
    assert sorted(info.value.properties) == ["file", "name"]
    assert "missing.desc" in str(info.value) and "protoc" in str(info.value)
    with pytest.raises(CheckFailedError) as info:
        stack.preview([Resource(SOURCE, "b", {"description": "no file"})])
    assert info.value.properties == ["file"] and "is required" in str(info.value)


def test_an_existing_source_prints_a_working_import_line(
    stack: Stack, local_server: LocalServer, desc: Path
) -> None:
    name = unique_name("ds")
    stack.up([Resource(SOURCE, "first", {"name": name, "file": str(desc)})])
    with pytest.raises(ProviderRPCError) as info:
        stack.up(
            [
                Resource(SOURCE, "first", {"name": name, "file": str(desc)}),
                Resource(SOURCE, "again", {"name": name, "file": str(desc)}),
            ]
        )
    match = re.search(r"adopt it: pulumi import (\S+) (\S+) (\S+)$", info.value.details, re.M)
    assert match and match.groups() == (SOURCE, "again", name), info.value.details
    other = Stack(stack.provider)
    imported = other.import_(SOURCE, "again", name)
    assert imported.outputs["name"] == name and imported.outputs.get("file") is None
    # the program need not name the file again: it is never read back
    assert other.up([Resource(SOURCE, "again", {"name": name})]).step("again").op == "same"
    # nor is naming one afterwards (it is not known to differ); changing it then replaces
    named = Resource(SOURCE, "again", {"name": name, "file": str(desc)})
    assert other.preview([named]).step("again").op == "same"
    stack.destroy()


def test_lookups_and_the_link_from_entities(
    stack: Stack, local_server: LocalServer, desc: Path
) -> None:
    name = unique_name("ds")
    stack.up([Resource(SOURCE, "ds", {"name": name, "file": str(desc), "description": "d"})])
    one = stack.invoke("deltastream:index:getDescriptorSource", {"name": name})
    assert (one["name"], one["description"], one["status"]) == (name, "d", "ready")
    listed = stack.invoke("deltastream:index:getDescriptorSources")["descriptorSources"]
    assert name in [s["name"] for s in listed]
    store = unique_name("k")
    run_sql(
        local_server,
        f"CREATE STORE \"{store}\" WITH ('type' = KAFKA, 'uris' = 'k:9092', "
        "'kafka.sasl.hash_function' = NONE);",
    )
    run_sql(
        local_server,
        f"CREATE ENTITY \"t\" IN STORE \"{store}\" WITH ('kafka.key.descriptor' = '{name}');",
    )
    entity = Stack(stack.provider).import_("deltastream:index:Entity", "t", f"{store}/t")
    assert entity.outputs["kafkaProperties"]["keyDescriptor"] == name
    with pytest.raises(ProviderRPCError) as info:
        stack.destroy()
    assert "entities still use it" in info.value.details
    run_sql(local_server, f'DROP ENTITY "t" IN STORE "{store}";')
    stack.destroy()
