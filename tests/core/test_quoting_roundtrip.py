"""The core's quoting, checked by the local server's real SQL parser (and over HTTP).

Properties: any string quoted as an identifier parses back to exactly itself, any string
quoted as a literal parses back to exactly itself, and no input can add a statement, a key
or a clause: the parse tree has exactly the shape the provider meant.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deltastream_core.sql import qualified, quote_identifier, quote_literal
from deltastream_local.engine import ast
from deltastream_local.engine.parser import parse
from deltastream_local.testing import LocalServer

# Text the service can carry: any unicode except surrogates (not encodable) and NUL.
sql_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=60,
)
# Inputs built to try to break out of quotes.
nasty = st.lists(
    st.sampled_from(["'", '"', "''", '""', "\\", ";", "--", "/*", "*/", "\n", ")", "DROP", "`"]),
    max_size=8,
).map("".join)
anything = st.one_of(sql_text, nasty, st.tuples(sql_text, nasty, sql_text).map("".join))
# Names are never empty (the core rejects "" before sending; so does DeltaStream).
names = anything.filter(bool)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(names)
def test_identifiers_round_trip_through_the_parser(name: str) -> None:
    [statement] = parse(f"CREATE DATABASE {quote_identifier(name)};")
    assert isinstance(statement, ast.CreateDatabase)
    assert statement.name == name


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(anything, anything)
def test_literals_cannot_escape_their_quotes(value: str, other: str) -> None:
    sql = (
        f"CREATE STORE {quote_identifier('s')} WITH ( 'type' = KAFKA, "
        f"'uris' = {quote_literal(value)}, 'kafka.sasl.hash_function' = NONE, "
        f"'schema_registry.name' = {quote_literal(other)} );"
    )
    [statement] = parse(sql)
    assert isinstance(statement, ast.CreateStore)
    assert statement.properties.keys() == [
        "type",
        "uris",
        "kafka.sasl.hash_function",
        "schema_registry.name",
    ]
    uris = statement.properties.get("uris")
    registry = statement.properties.get("schema_registry.name")
    assert uris is not None and (uris.kind, uris.value) == ("string", value)
    assert registry is not None and registry.value == other


@settings(max_examples=200)
@given(st.lists(names, min_size=3, max_size=3))
def test_qualified_names_keep_their_parts(parts: list[str]) -> None:
    [statement] = parse(f"DROP RELATION {qualified(*parts)};")
    assert tuple(statement.name.parts) == tuple(parts)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=names.filter(lambda s: s.strip() == s and len(s) <= 255))
def test_names_reach_the_catalog_byte_for_byte_over_http(server: LocalServer, name: str) -> None:
    created = server.run(f"CREATE DATABASE {quote_identifier(name)};")
    assert created["sqlState"] in {"00000", "42P04"}, created
    found = server.run(
        f'SELECT name FROM deltastream.sys."databases" WHERE name = {quote_literal(name)};'
    )
    assert found["data"] == [[name]]
    server.run(f"DROP DATABASE {quote_identifier(name)};")
