""" "Already exists" yields a working, shell-safe `pulumi import` line for every kind that can
already exist (Database, Namespace, Store, DeltaStreamObject), through the real provider
process and a real local server: the printed command is run by bash with a stub `pulumi`
that records its argument vector, which must be exactly [import, type, name, id] for hostile
object and resource names; then that import runs through the harness and adopts the object."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from deltastream_core.sql import qualified, quote_identifier
from deltastream_local.testing import LocalServer
from deltastream_plugins.namespace import namespace_id
from deltastream_pulumi.testing import ProviderRPCError, Resource, Stack
from deltastream_pulumi.testing.local import run_sql, unique_name

from .conftest import DATABASE, NAMESPACE

STORE = "deltastream:index:Store"
OBJECT = "deltastream:index:DeltaStreamObject"

#: object names a shell would act on if they were pasted unquoted (names allow no newline)
HOSTILE_NAMES = [
    "a'; echo X; '",
    "with  two spaces",
    "$(echo X)",
    "`echo X`",
    'q"uo"te \\ back',
    "semi;colon & amp | pipe > out",
]
#: resource names (the program's) of the same kind, without the `::` a URN reserves
HOSTILE_RESOURCE_NAMES = ["r'; echo Y; '", "r $(echo Y)", "r`echo Y`"]


def run_in_shell(command: str, stub_dir: Path) -> list[str]:
    """Run ``command`` with ``bash -c``; the stub ``pulumi`` on PATH records its argv."""
    record = stub_dir / "argv"
    record.unlink(missing_ok=True)
    done = subprocess.run(
        ["bash", "-c", command],
        env={"PATH": f"{stub_dir}:/usr/bin:/bin", "ARGV_RECORD": str(record)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "", f"the shell ran something else: {done.stdout!r}"
    return record.read_bytes().decode().split("\0")[:-1]


@pytest.fixture
def stub_dir(tmp_path: Path) -> Path:
    stub = tmp_path / "pulumi"
    stub.write_text('#!/bin/sh\nfor a in "$@"; do printf \'%s\\0\' "$a"; done > "$ARGV_RECORD"\n')
    stub.chmod(0o755)
    return tmp_path


def import_line(error: ProviderRPCError) -> str:
    match = re.search(r"adopt it: (pulumi import .*)$", error.details, re.MULTILINE)
    assert match, error.details
    return match.group(1)


@dataclass(frozen=True)
class Existing:
    """An object created out of band, the resource that collides with it, and the id."""

    token: str
    resource: Resource
    resource_id: str


def existing_database(server: LocalServer, name: str, res: str) -> Existing:
    run_sql(server, f"CREATE DATABASE {quote_identifier(name)};")
    return Existing(DATABASE, Resource(DATABASE, res, {"name": name}), name)


def existing_namespace(server: LocalServer, name: str, res: str) -> Existing:
    database = unique_name("hint")
    run_sql(server, f"CREATE DATABASE {quote_identifier(database)};")
    run_sql(server, f"CREATE SCHEMA {qualified(database, name)};")
    inputs = {"database": database, "name": name}
    return Existing(NAMESPACE, Resource(NAMESPACE, res, inputs), namespace_id(database, name))


def existing_store(server: LocalServer, name: str, res: str) -> Existing:
    run_sql(
        server,
        f"CREATE STORE {quote_identifier(name)} WITH ('type' = KAFKA, "
        "'uris' = 'localhost:9092', 'kafka.sasl.hash_function' = NONE);",
    )
    inputs = {"name": name, "kafka": {"uris": "localhost:9092", "saslHashFunction": "NONE"}}
    return Existing(STORE, Resource(STORE, res, inputs), name)


def existing_relation(server: LocalServer, name: str, res: str) -> Existing:
    database, store = unique_name("hint"), unique_name("hintk")
    run_sql(server, f"CREATE DATABASE {quote_identifier(database)};")
    run_sql(
        server,
        f"CREATE STORE {quote_identifier(store)} WITH ('type' = KAFKA, "
        "'uris' = 'localhost:9092', 'kafka.sasl.hash_function' = NONE);",
    )
    sql = f"CREATE STREAM {quote_identifier(name)} (a VARCHAR) WITH ('topic'='t');"
    run_sql(server, sql, database=database, schema="public", store=store)
    inputs = {"database": database, "namespace": "public", "store": store, "sql": sql}
    path = qualified(database, "public", name)
    return Existing(OBJECT, Resource(OBJECT, res, inputs), path)


KINDS: dict[str, Callable[[LocalServer, str, str], Existing]] = {
    "database": existing_database,
    "namespace": existing_namespace,
    "store": existing_store,
    "relation": existing_relation,
}


#: every kind meets half of the hostile names; every name meets two kinds
CASES = [
    (kind, index)
    for k, kind in enumerate(sorted(KINDS))
    for index in range(len(HOSTILE_NAMES))
    if (index + k) % 2 == 0
]


@pytest.mark.parametrize(("kind", "index"), CASES)
def test_already_exists_prints_an_import_that_runs_as_printed(
    stack: Stack, local_server: LocalServer, stub_dir: Path, kind: str, index: int
) -> None:
    name = f"{HOSTILE_NAMES[index]} {unique_name('')}"
    res = HOSTILE_RESOURCE_NAMES[index % len(HOSTILE_RESOURCE_NAMES)]
    existing = KINDS[kind](local_server, name, res)
    with pytest.raises(ProviderRPCError) as info:
        stack.up([existing.resource])
    assert stack.state == {}
    argv = run_in_shell(import_line(info.value), stub_dir)
    assert argv == ["import", existing.token, res, existing.resource_id]
    # the id is what Read/import accepts: the import adopts the object
    imported = stack.import_(argv[1], argv[2], argv[3])
    assert imported.id == existing.resource_id
    assert stack.up([existing.resource]).step(res).op == "same"
