"""The default Check derived from metadata: every failure at once, unknowns never fail."""

import asyncio
from typing import Any

from deltastream_core.kinds import OperationContext
from deltastream_core.ports import StatementContext
from deltastream_core.unknown import UNKNOWN
from deltastream_core.waiting import SystemClock
from deltastream_plugins.database import DatabaseKind
from deltastream_plugins.function import FunctionKind
from deltastream_plugins.namespace import NamespaceKind, namespace_id, parse_namespace_id


class _Log:
    def info(self, message: str) -> None: ...
    def warning(self, message: str) -> None: ...


CTX = OperationContext(runner=None, base=StatementContext(), log=_Log(), clock=SystemClock())


def check(kind: Any, news: dict[str, Any]) -> list[tuple[str, str]]:
    result = asyncio.run(kind.check(CTX, {}, news))
    return [(f.property, f.reason) for f in result.failures]


def test_every_invalid_input_is_reported_at_once() -> None:
    failures = check(NamespaceKind(), {"database": "", "name": "bad\u0007name", "owner": 3})
    props = [p for p, _ in failures]
    assert props == ["database", "name", "owner"]
    assert "required" in failures[0][1]
    assert "U+0007" in failures[1][1]
    assert "string" in failures[2][1]


def test_unknown_inputs_are_not_failures() -> None:
    assert check(DatabaseKind(), {"name": UNKNOWN, "owner": UNKNOWN}) == []


def test_valid_inputs_pass_and_are_echoed() -> None:
    result = asyncio.run(DatabaseKind().check(CTX, {}, {"name": "Sales 東西", "owner": "public"}))
    assert result.failures == ()
    assert result.inputs == {"name": "Sales 東西", "owner": "public"}


def test_namespace_ids_round_trip_even_with_slashes() -> None:
    for db, ns in [("db", "ns"), ("a/b", "c"), ("a", "b/c"), ('"q"', "x")]:
        assert parse_namespace_id(namespace_id(db, ns)) == (db, ns)


def test_each_block_of_a_list_input_is_checked_and_named_by_index() -> None:
    news = {
        "name": "f",
        "sourceName": "s",
        "className": "C",
        "arguments": [{"name": "ok", "type": "INT"}, {"type": "x;y"}, "not a block", UNKNOWN],
    }
    props = [p for p, _ in check(FunctionKind(), news)]
    assert props == ["arguments[1].name", "arguments[1].type", "arguments[2]"]
