"""The generic statement family: a kind's claimed keyword parses in every verb, the engine
types the WITH clause by the declared options before the handler runs, and unclaimed keywords
and verbs keep answering 0A000 (an engine with the built-in kinds and one more)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

import pytest

from deltastream_local.engine.api import EngineOptions
from deltastream_local.engine.catalog import Registry
from deltastream_local.engine.catalog.registry import discover
from deltastream_local.engine.executor import SqlEngine
from deltastream_local.engine.session import EngineSession
from deltastream_local.kinds import (
    Attachment,
    CatalogKind,
    Execution,
    ObjectKey,
    ObjectRequest,
    ObjectStatements,
    Option,
    Reference,
    Result,
    varchar,
)

SEEN: list[ObjectRequest] = []


def _record(request: ObjectRequest, exe: Execution) -> Result:
    """Keep the request; answer its typed options as JSON (attachments by their bytes)."""
    SEEN.append(request)
    shown = {
        key: value.content.decode() if isinstance(value, Attachment) else value
        for key, value in request.options.items()
    }
    exe.db.execute("INSERT OR REPLACE INTO corp_widgets VALUES (?, ?)", (request.name, "s"))
    return Result((varchar("options"),), [[json.dumps(shown, sort_keys=True)]])


def _on_store(exe: Execution, key: ObjectKey) -> list[str]:
    rows = exe.db.execute("SELECT name FROM corp_widgets WHERE store = ?", key).fetchall()
    return [name for (name,) in rows]


WIDGETS = CatalogKind(
    name="widget",
    schema=("CREATE TABLE IF NOT EXISTS corp_widgets (name TEXT PRIMARY KEY, store TEXT)",),
    objects=ObjectStatements(
        keyword="widget",
        handlers={verb: _record for verb in ("create", "update", "alter", "start", "describe")},
        options={
            "count": Option("integer"),
            "ratio": Option("number"),
            "on": Option("boolean"),
            "link": Option("name"),
            "size": Option(required=True, choices=("SMALL", "LARGE")),
            "region": Option(updatable=False),
            "key_file": Option("attachment"),
        },
    ),
    references=(Reference("store", _on_store, "widgets still use it"),),
)


@pytest.fixture
def session() -> Iterator[EngineSession]:
    engine = SqlEngine(":memory:", EngineOptions(), Registry([*discover(), WIDGETS]))
    SEEN.clear()
    yield EngineSession(engine)
    engine.close()


def _options(session: EngineSession, statement: str, **files: bytes) -> dict[str, object]:
    rows = session.ok(statement, files).rows
    decoded: dict[str, object] = json.loads(rows[0][0] or "")
    return decoded


def test_with_values_arrive_typed_in_the_order_given(session: EngineSession) -> None:
    got = _options(
        session,
        "CREATE WIDGET w WITH ('size' = 'small', 'count' = '7', 'ratio' = 2.5,"
        " 'on' = TRUE, 'link' = \"Other\", 'key_file' = 'k.pem')",
        **{"k.pem": b"PEM BYTES"},
    )
    assert got == {
        "count": 7,
        "key_file": "PEM BYTES",
        "link": "Other",
        "on": True,
        "ratio": 2.5,
        "size": "SMALL",
    }
    assert list(SEEN[-1].options) == ["size", "count", "ratio", "on", "link", "key_file"]
    assert _options(session, "UPDATE WIDGET w WITH ('count' = 3, 'on' = 'false')") == {
        "count": 3,
        "on": False,
    }
    assert _options(session, "ALTER WIDGET w SET ('link' = l, 'ratio' = NULL)") == {
        "link": "l",
        "ratio": None,
    }


def test_names_fold_and_quote_as_everywhere_else(session: EngineSession) -> None:
    session.ok("cReAtE wIdGeT Plain WITH ('size' = 'LARGE')")
    session.ok('CREATE WIDGET "Mixed ""Q"" 东西" WITH (\'size\' = \'LARGE\')')
    session.ok('START WIDGET "a".`B`')
    assert [r.path for r in SEEN] == [("plain",), ('Mixed "Q" 东西',), ("a", "B")]
    assert [r.verb for r in SEEN] == ["create", "create", "start"]


@pytest.mark.parametrize(
    ("statement", "state", "message"),
    [
        ("CREATE WIDGET w WITH ('count' = 1)", "3D021", "property 'size' is required"),
        ("CREATE WIDGET w WITH ('size' = 'x')", "3D008", "'size' must be one of SMALL, LARGE"),
        ("CREATE WIDGET w WITH ('size' = 'SMALL', 'bogus' = 1)", "3D008", "'bogus' is not valid"),
        ("CREATE WIDGET w WITH ('size' = 'SMALL', 'count' = 1.5)", "3D008", "an integer"),
        ("CREATE WIDGET w WITH ('size' = 'SMALL', 'ratio' = 'many')", "3D008", "a number"),
        ("CREATE WIDGET w WITH ('size' = 'SMALL', 'on' = 'yes')", "3D008", "TRUE or FALSE"),
        ("CREATE WIDGET w WITH ('size' = 'SMALL', 'link' = 5)", "3D008", "must be a name"),
        ("CREATE WIDGET w WITH ('size' = 'SMALL', 'ratio' = NULL)", "3D008", "cannot be NULL"),
        ("UPDATE WIDGET w WITH ('size' = NULL)", "3D008", "'size' cannot be NULL"),
        ("UPDATE WIDGET w WITH ('region' = 'eu')", "3D008", "'region' of a widget cannot be"),
        (
            "CREATE WIDGET w WITH ('size' = 'SMALL', 'key_file' = 'absent.pem')",
            "3D008",
            "attachment 'absent.pem' named by property 'key_file' was not uploaded",
        ),
        ("ALTER WIDGET w OWNER TO nobody", "3D001", "nobody"),
        ("DROP WIDGET w", "0A000", "DROP WIDGET is not supported by deltastream-local"),
        ("CREATE API_TOKEN s WITH ('a' = 1)", "0A000", "CREATE API_TOKEN is not supported"),
        ("CREATE WIDGETS w", "42601", "mismatched input"),
    ],
)
def test_bad_statements_fail_before_the_handler_runs(
    session: EngineSession, statement: str, state: str, message: str
) -> None:
    outcome = session.run(statement)
    assert (outcome.sql_state, SEEN) == (state, [])
    assert message in (outcome.message or "")


def test_owner_to_hands_over_the_checked_role(session: EngineSession) -> None:
    session.ok("ALTER WIDGET w OWNER TO public")
    assert (SEEN[-1].verb, SEEN[-1].owner, dict(SEEN[-1].options)) == ("alter", "public", {})


def test_a_declared_reference_blocks_dropping_what_it_refers_to(session: EngineSession) -> None:
    session.ok(
        "CREATE STORE s WITH ('type' = KAFKA, 'uris' = 'k:9092', 'kafka.sasl.hash_function' = NONE)"
    )
    session.ok("CREATE WIDGET w WITH ('size' = 'SMALL')")
    refused = session.run("DROP STORE s")
    assert refused.sql_state == "2BP01"
    assert refused.message == 'cannot drop store "s": widgets still use it: w'


def test_a_describe_writes_nothing_even_when_its_handler_does(session: EngineSession) -> None:
    session.ok("CREATE WIDGET w WITH ('size' = 'SMALL')")
    writes = session.engine.writes
    session.ok("DESCRIBE WIDGET other")  # the handler inserts a row: rolled back
    assert session.engine.writes == writes
    session.ok("START WIDGET other")
    assert session.engine.writes == writes + 1


FAMILY = [
    "CREATE WIDGET \"W\" WITH ('size' = 'SMALL', 'count' = 5, 'on' = TRUE, 'link' = \"x\")",
    "UPDATE WIDGET w WITH ('ratio' = -1.5e3, 'key_file' = 'k')",
    "ALTER WIDGET a.b SET ('region' = NULL)",
    "ALTER WIDGET w OWNER TO public",
    "START WIDGET `w`; DESCRIBE WIDGET w; DROP WIDGET w",
]


def test_mutated_family_statements_fail_cleanly(session: EngineSession) -> None:
    rng = random.Random(11)
    pieces = ["'", '"', "`", "(", ")", ";", ",", "=", "NULL", "WITH", "SET", "东", " "]
    for _ in range(400):
        text = rng.choice(FAMILY)
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(text))
            if rng.random() < 0.5:
                text = text[:at] + rng.choice(pieces) + text[at:]
            else:
                text = text[:at] + text[at + rng.randint(1, 6) :]
        outcome = session.run(text, {"k": b"bytes"})
        assert outcome.sql_state != "XX000", (text, outcome.message)
