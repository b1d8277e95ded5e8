"""Quoting and name rules (pure); the round trip through the server's parser is in
tests/core/test_quoting_roundtrip.py."""

from hypothesis import given
from hypothesis import strategies as st

from deltastream_core.sql import (
    name_problem,
    qualified,
    quote_identifier,
    quote_literal,
    split_qualified,
    unquote_identifier,
)


def test_identifier_doubles_embedded_quotes() -> None:
    assert quote_identifier('my "db"') == '"my ""db"""'


def test_literal_doubles_embedded_quotes_and_nothing_else() -> None:
    assert quote_literal("it's \\n") == "'it''s \\n'"


def test_qualified_quotes_each_part() -> None:
    assert qualified("a", "b.c", 'd"') == '"a"."b.c"."d"""'


@given(st.lists(st.text(), min_size=1, max_size=4))
def test_split_qualified_inverts_qualified(parts: list[str]) -> None:
    assert split_qualified(qualified(*parts)) == parts


@given(st.text())
def test_unquote_inverts_quote(name: str) -> None:
    assert unquote_identifier(quote_identifier(name)) == name


@given(st.text())
def test_literal_body_has_only_doubled_quotes(value: str) -> None:
    body = quote_literal(value)[1:-1]
    # every quote inside the literal is part of a doubled pair, so none can close it early
    assert body.replace("''", "").count("'") == 0


def test_name_rules_name_the_problem() -> None:
    assert name_problem("ok name-東西") is None
    assert "empty" in (name_problem("") or "")
    assert "whitespace" in (name_problem(" x") or "")
    assert "U+000A" in (name_problem("a\nb") or "")
    assert "limit is 255" in (name_problem("x" * 256) or "")
