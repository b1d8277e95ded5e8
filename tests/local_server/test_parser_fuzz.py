"""Fuzzing: no input makes the parser (or the engine) fail other than with a clean SQL error."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deltastream_local.engine import SessionContext, create_engine
from deltastream_local.engine.api import Engine
from deltastream_local.engine.errors import SqlError
from deltastream_local.engine.parser import parse

CLEAN_CODES = {"42601", "3D008"}

VALID = [
    'CREATE DATABASE "d";',
    "CREATE SCHEMA s IN DATABASE d",
    'DROP SCHEMA "d"."s"',
    'ALTER STREAM "d"."public"."pv" OWNER TO public',
    "USE DATABASE d",
    "CREATE STORE k WITH ('type' = KAFKA, 'uris' = 'localhost:9092',"
    " 'kafka.sasl.hash_function' = NONE, 'tls.disabled' = TRUE)",
    "UPDATE STORE k WITH ('uris' = 'a:1', 'schema_registry.name' = NULL)",
    "CREATE STREAM pv (viewtime BIGINT, userid VARCHAR NOT NULL, m MAP<VARCHAR, ARRAY<INT>>)"
    " WITH ('topic' = 'pv', 'value.format' = 'json')",
    "CREATE CHANGELOG c (a INT, PRIMARY KEY (a)) WITH ('topic' = 'c')",
    'INSERT INTO "d"."public"."out" SELECT a, b FROM pv WITH (\'x\' = \'y\') WHERE a > 1',
    "BEGIN APPLICATION app CREATE VIRTUAL STREAM virtual.public.v AS SELECT * FROM pv;"
    " INSERT INTO out SELECT * FROM virtual.public.v; END APPLICATION",
    "DESCRIBE CREATE STREAM s AS SELECT * FROM pv;",
    "SELECT name, \"owner\" FROM deltastream.sys.\"databases\" WHERE name IN ('a', 'b')"
    " AND NOT x IS NULL ORDER BY name DESC LIMIT 10",
    "TERMINATE QUERY 5a3c9e41-0b7d-4f6e-9c2a-81d4e6f0b3a7",
    "LIST QUERIES",
]

_engine: Engine | None = None
#: a populated catalog, so that mutated statements get past "database does not exist"
CONTEXT = SessionContext(database="d", schema="public", store="k")
SETUP = (
    'CREATE DATABASE "d"',
    "CREATE STORE k WITH ('type' = KAFKA, 'uris' = 'localhost:9092')",
    "CREATE STREAM pv (a INT, b VARCHAR) WITH ('topic' = 'pv')",
    "CREATE STREAM out (a INT, b VARCHAR)",
)


def engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = create_engine(":memory:")
        for statement in SETUP:
            assert _engine.execute(statement, CONTEXT, {}).ok, statement
    return _engine


def check(text: str) -> None:
    try:
        parse(text)
    except SqlError as error:
        assert error.sql_state in CLEAN_CODES, (text, error.sql_state, error.message)
    outcome = engine().execute(text, CONTEXT, {})
    assert outcome.sql_state != "XX000", (text, outcome.message)


def mutate(text: str, rng: random.Random) -> str:
    pieces = ["'", '"', "`", "(", ")", ";", ",", "<", ">", "--", "/*", "\n", "é", "东", "\\", " "]
    for _ in range(rng.randint(1, 4)):
        position = rng.randint(0, len(text))
        action = rng.randrange(4)
        if action == 0:
            text = text[:position] + rng.choice(pieces) + text[position:]
        elif action == 1:
            text = text[:position] + text[position + rng.randint(1, 5) :]
        elif action == 2:
            start = rng.randint(0, len(text))
            text = text[:position] + text[start : start + rng.randint(1, 12)] + text[position:]
        else:
            words = text.split(" ")
            if len(words) > 1:
                i, j = rng.randrange(len(words)), rng.randrange(len(words))
                words[i], words[j] = words[j], words[i]
            text = " ".join(words)
    return text


def _fuzz_arbitrary(text: str) -> None:
    check(text)


def _fuzz_mutated(seed: int, index: int) -> None:
    rng = random.Random(seed)
    check(mutate(VALID[index % len(VALID)], rng))


SQL_WORDS = ["SELECT ", "FROM ", "CREATE ", "STREAM ", "WITH (", "'x' = ", "DESCRIBE "]
sql_alphabet = st.sampled_from([*"abcdefsSELCTWHR ;,()'\"`<>=*-.\n\\é东0123456789", *SQL_WORDS])
arbitrary = st.one_of(st.text(max_size=200), st.lists(sql_alphabet, max_size=40).map("".join))
suppress = [HealthCheck.too_slow]


@settings(max_examples=150, deadline=None, suppress_health_check=suppress)
@given(text=arbitrary)
def test_arbitrary_text_fails_cleanly(text: str) -> None:
    _fuzz_arbitrary(text)


@settings(max_examples=150, deadline=None, suppress_health_check=suppress)
@given(seed=st.integers(0, 2**32), index=st.integers(0, 1000))
def test_mutated_statements_fail_cleanly(seed: int, index: int) -> None:
    _fuzz_mutated(seed, index)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=suppress)
@given(text=arbitrary)
def test_arbitrary_text_fails_cleanly_many(text: str) -> None:
    _fuzz_arbitrary(text)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=suppress)
@given(seed=st.integers(0, 2**32), index=st.integers(0, 1000))
def test_mutated_statements_fail_cleanly_many(seed: int, index: int) -> None:
    _fuzz_mutated(seed, index)


def test_every_valid_seed_parses() -> None:
    for text in VALID:
        parse(text)
