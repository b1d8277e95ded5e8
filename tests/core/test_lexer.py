"""The statement lexer: quoting, comments and application blocks delimit statements exactly as
deltastream-local's grammar does; whatever it cannot delimit with certainty is refused."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deltastream_core.errors import ValidationError
from deltastream_core.lexer import (
    LexError,
    application_parts,
    single_statement_problem,
    split_statements,
    tokenize,
)
from deltastream_core.ports import Statement
from deltastream_local.engine.errors import SqlError
from deltastream_local.engine.parser import parse

CREATE = "CREATE STREAM s (a VARCHAR) WITH ('topic'='s', 'value.format'='json')"
APP = (
    "BEGIN APPLICATION app INSERT INTO out SELECT * FROM pv; "
    "CREATE VIRTUAL STREAM virtual.public.v AS SELECT * FROM pv; END APPLICATION"
)


def texts(sql: str) -> list[str]:
    return [s.text for s in split_statements(sql)]


def test_the_hostile_example_of_the_issue_is_two_statements() -> None:
    sql = f'{CREATE}; DROP DATABASE "x";'
    assert texts(sql) == [CREATE, 'DROP DATABASE "x"']
    problem = single_statement_problem(sql)
    assert problem is not None
    assert "holds 2 statements" in problem and "'DROP DATABASE \"x\"' (line 1)" in problem


@pytest.mark.parametrize(
    "hidden",
    [
        "'a;b'",  # a string
        "'it''s; DROP DATABASE x'",  # a doubled quote does not end the string
        '"we;ird"',  # an identifier
        '"a"";b"',
        "`x;y`",
        "`x``;y`",
    ],
)
def test_a_semicolon_inside_quotes_does_not_end_the_statement(hidden: str) -> None:
    sql = f"CREATE STREAM s (a VARCHAR) WITH ('k'={hidden});"
    assert texts(sql) == [sql[:-1]]


@pytest.mark.parametrize(
    "sql",
    [
        f"{CREATE} -- ; DROP DATABASE x",
        f"{CREATE} /* ; DROP DATABASE x; */",
        f"-- leading; comment\n{CREATE};\n-- trailing ; comment",
        f"/* a;\n b */ {CREATE} ;;; ",
    ],
)
def test_a_semicolon_inside_a_comment_does_not_end_the_statement(sql: str) -> None:
    assert texts(sql) == [CREATE]


def test_a_line_comment_ends_at_the_newline() -> None:
    # (a comment after a statement's last token is not part of its text)
    assert texts(f'{CREATE} -- note\n; DROP DATABASE "x"') == [CREATE, 'DROP DATABASE "x"']


def test_an_application_is_one_statement_with_its_inner_statements() -> None:
    (app,) = split_statements(f"{APP};")
    assert app.is_application and app.text == APP
    inner, tail = application_parts(app)
    assert [s.text for s in inner] == [
        "INSERT INTO out SELECT * FROM pv",
        "CREATE VIRTUAL STREAM virtual.public.v AS SELECT * FROM pv",
    ]
    assert tail == []
    assert texts(f"{APP}; DROP DATABASE x") == [APP, "DROP DATABASE x"]
    assert texts(f"DESCRIBE {APP}") == [f"DESCRIBE {APP}"]


def test_begin_application_is_a_block_only_at_the_start_of_a_statement() -> None:
    # elsewhere the words are identifiers and must not hide the ; after them
    sql = "SELECT begin application FROM t; DROP DATABASE x; END APPLICATION"
    assert len(split_statements(sql)) == 3


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("CREATE STREAM s WITH ('a'='b", "quoted string opened with ' on line 1 is never closed"),
        ('CREATE STREAM "s', 'quoted identifier opened with " on line 1'),
        ("x\n`y", "opened with ` on line 2"),
        ("CREATE STREAM s /* ; DROP DATABASE x", "/* comment opened on line 1 is never closed"),
        ("BEGIN APPLICATION a INSERT INTO o SELECT * FROM p;", "never closed with END APPLICATION"),
        ("SELECT a FROM t WHERE b <-- ; DROP DATABASE x", "starts right after '<'"),
        ("SELECT a FROM t WHERE b =/* ; */ 1", "starts right after '='"),
    ],
)
def test_what_cannot_be_delimited_with_certainty_is_refused(sql: str, reason: str) -> None:
    with pytest.raises(LexError, match=re.escape(reason)):
        split_statements(sql)
    assert reason.split(" on line")[0] in (single_statement_problem(sql) or "")


def test_empty_input_is_no_statement() -> None:
    for sql in ("", "  ;; ", "-- only a comment", "/* c */ ;"):
        assert split_statements(sql) == []
        assert "must not be empty" in (single_statement_problem(sql) or "")
        assert single_statement_problem(sql, allow_empty=True) is None


def test_a_statement_object_refuses_text_with_a_second_statement() -> None:
    with pytest.raises(ValidationError, match=r"nothing was sent.*'DROP DATABASE x'"):
        Statement(f"DESCRIBE {CREATE}; DROP DATABASE x")
    assert Statement(f"DESCRIBE {CREATE}; -- fine").sql.endswith("fine")


@given(st.text())
def test_tokens_cover_the_input_exactly(sql: str) -> None:
    try:
        tokens = tokenize(sql)
    except LexError:
        return
    assert "".join(t.text for t in tokens) == sql
    assert all(sql[t.start : t.end] == t.text for t in tokens)


# -- agreement with deltastream-local's grammar ----------------------------------------------

STATEMENTS = [
    CREATE,
    'DROP DATABASE "victim"',
    "CREATE DATABASE y",
    "INSERT INTO out SELECT a, 'x;y' AS b FROM pv WHERE a > 1",
    APP,
    "SELECT name FROM deltastream.sys.\"databases\" WHERE name = 'a;b'",
    "LIST DATABASES",
]
FILLER = [
    " ",
    "\n",
    "-- c ; DROP DATABASE z\n",
    "/* ; DROP DATABASE z; */",
    "/* multi\nline ; */",
    "\t",
]


@st.composite
def scripts(draw: st.DrawFn) -> str:
    """Valid statements glued by ; and filler (comments hiding ;, whitespace)."""
    pieces = draw(st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=4))
    out = []
    for piece in pieces:
        out.append(draw(st.sampled_from(FILLER)))
        out.append(piece)
        out.append(draw(st.sampled_from(FILLER)))
        out.append(";" * draw(st.integers(1, 2)))
    return "".join(out)


@settings(max_examples=150, deadline=None)
@given(scripts())
def test_split_agrees_with_the_local_grammar(sql: str) -> None:
    try:
        expected = parse(sql)
    except SqlError:
        return
    assert len(split_statements(sql)) == len(expected)


#: operator characters a comment may follow, and what may come after them
OPERATORS = ["<", "=", ">", "<>", "!=", "+", "-", "/", "*", "%", "|", "(", ",", "a"]
TAILS = [
    "-- ; DROP DATABASE x",
    "/* ; DROP DATABASE x; */ 1",
    "/* c */ 1",
    "1 -- ;",
    "'q;'",
    "1",
]
ENDINGS = ["", "\n", ";", "; DROP DATABASE z", "\n; DROP DATABASE z", ")"]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(OPERATORS),
    st.sampled_from(["", " "]),
    st.sampled_from(TAILS),
    st.sampled_from(ENDINGS),
)
def test_whenever_the_local_grammar_parses_a_text_the_lexer_counts_the_same(
    operator: str, space: str, tail: str, ending: str
) -> None:
    """The fail-open direction: where a comment meets an operator, the lexer never sees fewer
    statements than the server would run (it refuses the ambiguous texts instead)."""
    sql = f"INSERT INTO out SELECT a FROM pv WHERE b {operator}{space}{tail}{ending}"
    try:
        expected = parse(sql)
    except SqlError:
        return
    try:
        found = split_statements(sql)
    except LexError:
        return  # refused: nothing would be sent
    assert len(found) == len(expected), (sql, [s.text for s in found])
