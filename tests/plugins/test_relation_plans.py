"""_plans: SQL normalization (what whitespace is ignored), FQN parsing, plan parsing, diffs."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deltastream_plugins._plans import (
    PlanFormatError,
    body_diff,
    fqn_set_key,
    normalize_sql,
    parse_fqn,
    parse_plan,
)

BASE = 'INSERT INTO "db"."ns"."out" SELECT a, b FROM "db"."ns"."in" WHERE a = \'x  y\';'


@pytest.mark.parametrize(
    "variant",
    [
        "  " + BASE + "  \n",
        BASE.replace(" SELECT", "\n  SELECT").replace(" WHERE", "\n\tWHERE"),
        BASE.replace("a, b", "a ,  b").replace("a = ", "a=").rstrip(";") + ";;",
        BASE.rstrip(";"),
    ],
)
def test_whitespace_only_edits_normalize_equal(variant: str) -> None:
    assert normalize_sql(variant) == normalize_sql(BASE)


@pytest.mark.parametrize(
    "changed",
    [
        BASE.replace("'x  y'", "'x y'"),  # inside a string literal: meaningful
        BASE.replace('"in"', '"i n"'),  # inside a quoted identifier
        BASE.replace("SELECT a", "SELECT  c"),
        BASE.replace("INSERT INTO", "INSERTINTO"),
    ],
)
def test_meaningful_edits_stay_different(changed: str) -> None:
    assert normalize_sql(changed) != normalize_sql(BASE)


def test_a_line_comment_does_not_swallow_the_next_line() -> None:
    a = "SELECT 1 -- note\nFROM t"
    b = "SELECT 1 -- note FROM t"
    assert normalize_sql(a) != normalize_sql(b)


@given(st.text(alphabet=" \t\nab'\"(),;=.", max_size=40))
def test_normalization_is_idempotent(text: str) -> None:
    once = normalize_sql(text)
    assert normalize_sql(once) == once


def test_parse_fqn_folds_unquoted_parts_and_keeps_quoted_ones() -> None:
    assert parse_fqn('"My DB"."ns"."a.b"') == ("My DB", "ns", "a.b")
    assert parse_fqn("DB.Ns.Rel") == ("db", "ns", "rel")
    assert parse_fqn('"a""q".b.c') == ('a"q', "b", "c")
    assert parse_fqn("a.b") is None and parse_fqn("") is None and parse_fqn("a..c") is None


def test_fqn_sets_ignore_order_and_quoting() -> None:
    assert fqn_set_key(['"d"."n"."a"', "d.n.b"]) == fqn_set_key(["d.n.b", "D.N.A".lower()])


def test_parse_plan_reads_the_contract_shapes() -> None:
    relation = {
        "db_name": "d",
        "schema_name": "n",
        "name": "r",
        "store_name": "k",
        "type": "STREAM",
    }
    plan = parse_plan("create_stream", json.dumps({"ddl": relation}))
    assert plan.kind == "CREATE_STREAM" and plan.ddl is not None
    assert (plan.ddl.path, plan.ddl.store, plan.ddl.type) == (("d", "n", "r"), "k", "stream")
    app = parse_plan(
        "APPLICATION",
        json.dumps(
            {"ddls": [{**relation, "is_virtual": True}], "sinks": [relation], "sources": []}
        ),
    )
    assert app.virtual_paths() == {("d", "n", "r")} and len(app.sinks) == 1
    with pytest.raises(PlanFormatError):
        parse_plan("INSERT_INTO", "not json")
    with pytest.raises(PlanFormatError):
        parse_plan("INSERT_INTO", json.dumps({"sink": {"name": "x"}}))


def test_body_diff_is_short() -> None:
    old = "\n".join(f"line {i}" for i in range(40))
    new = "\n".join(f"line {i}" if i % 3 else f"LINE {i}" for i in range(40))
    diff = body_diff(old, new)
    assert len(diff.splitlines()) <= 13 and "more diff lines" in diff
    long_old = "INSERT INTO x SELECT " + ", ".join(f"c{i}" for i in range(200)) + " FROM y"
    one = body_diff(long_old, long_old.replace("c150", "c150b"))
    assert one.startswith("- …") and "c150b" in one and len(one) < 400
