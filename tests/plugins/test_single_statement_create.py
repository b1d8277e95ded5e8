"""Create never sends a user's statement with another after it, even when Check was skipped:
DeltaStreamObject, Query and Application creates driven directly (no Check) against a real
deltastream-local refuse a two-statement sql before sending anything."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pipeline_support import KAFKA_STORE, create_streams, drive, ok, sql_rows

from deltastream_core.errors import ValidationError
from deltastream_core.ports import Statement
from deltastream_local.testing import LocalServer
from deltastream_plugins.application import ApplicationInputs, ApplicationKind
from deltastream_plugins.query import QueryInputs, QueryKind
from deltastream_plugins.relation import ObjectInputs, ObjectKind

SRC, DST = '"sdb"."public"."src"', '"sdb"."public"."dst"'
EVIL = 'DROP DATABASE "victim"'
INSERT = f"INSERT INTO {DST} SELECT * FROM {SRC}"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as started:
        for database in ("sdb", "victim"):
            ok(started, f'CREATE DATABASE "{database}";')
        ok(started, KAFKA_STORE)
        where = {"database": "sdb", "schema": "public", "store": "kafka"}
        create_streams(started, ("src", "dst"), "a VARCHAR", **where)
        yield started


def databases(server: LocalServer) -> list[str]:
    rows = sql_rows(server, 'SELECT name FROM deltastream.sys."databases" ORDER BY name;')
    return [row["name"] for row in rows]


CREATES: dict[str, Callable[[str], tuple[Any, Any]]] = {
    "object": lambda sql: (ObjectKind(), ObjectInputs("sdb", "public", "kafka", sql)),
    "query": lambda sql: (QueryKind(), QueryInputs([SRC], DST, sql)),
    "application": lambda sql: (ApplicationKind(), ApplicationInputs([SRC], [DST], sql)),
}
FIRST = {
    "object": "CREATE STREAM x (a VARCHAR) WITH ('topic'='x')",
    "query": INSERT,
    "application": f"BEGIN APPLICATION a {INSERT}; END APPLICATION",
}


@pytest.mark.parametrize("kind", sorted(CREATES))
def test_create_refuses_a_second_statement_before_sending_anything(
    server: LocalServer, kind: str
) -> None:
    resource, args = CREATES[kind](f"{FIRST[kind]}; {EVIL};")
    sent: list[Statement] = []
    before = databases(server)
    with pytest.raises(ValidationError, match=f"nothing was sent.*{EVIL!r}"):
        drive(server, lambda ctx: resource.create(ctx, args), recording=sent)
    assert sent == []
    assert databases(server) == before and "victim" in before
