"""The grammar accepts the statement forms the clients send and folds names correctly."""

from __future__ import annotations

import pytest

from deltastream_local.engine import ast
from deltastream_local.engine.errors import SqlError
from deltastream_local.engine.parser import parse


def one(text: str) -> ast.Statement:
    statements = parse(text)
    assert len(statements) == 1
    return statements[0]


def test_identifier_folding_and_quoting() -> None:
    assert one("CREATE DATABASE Sales") == ast.CreateDatabase("sales")
    assert one('CREATE DATABASE "Sales"') == ast.CreateDatabase("Sales")
    assert one('create database "a""b"') == ast.CreateDatabase('a"b')
    assert one("create database `x``Y`") == ast.CreateDatabase("x`Y")
    assert one('CREATE DATABASE "东西 - x"') == ast.CreateDatabase("东西 - x")


def test_keywords_are_case_insensitive_and_usable_as_names() -> None:
    statement = one(
        'SeLeCt name, type, "owner", status FROM deltastream.sys."stores" wHeRe name = \'x\''
    )
    assert isinstance(statement, ast.SelectSystem)
    assert statement.items == (
        ast.ColumnRef("name"),
        ast.ColumnRef("type"),
        ast.ColumnRef("owner"),
        ast.ColumnRef("status"),
    )


def test_string_literals_keep_everything() -> None:
    statement = one("CREATE STORE s WITH ('uris' = 'a''b\\c\n\td€', 'type' = KAFKA)")
    assert isinstance(statement, ast.CreateStore)
    assert statement.properties.get("uris") == ast.PropertyValue("string", "a'b\\c\n\td€")
    assert statement.properties.get("type") == ast.PropertyValue("keyword", "KAFKA")


def test_property_value_forms() -> None:
    statement = one(
        "UPDATE STORE s WITH ('a' = TRUE, 'b' = false, 'c' = 12, 'd' = -1.5, 'e' = NULL,"
        " 'f' = \"AWS us-east-1\", 'g' = SHA512)"
    )
    assert isinstance(statement, ast.UpdateStore)
    values = {item.key: item.value for item in statement.properties.items}
    assert values == {
        "a": ast.PropertyValue("boolean", "true"),
        "b": ast.PropertyValue("boolean", "false"),
        "c": ast.PropertyValue("number", "12"),
        "d": ast.PropertyValue("number", "-1.5"),
        "e": ast.PropertyValue("null", None),
        "f": ast.PropertyValue("identifier", "AWS us-east-1"),
        "g": ast.PropertyValue("keyword", "SHA512"),
    }


def test_batches_and_optional_semicolons() -> None:
    assert len(parse("CREATE DATABASE a; CREATE DATABASE b;")) == 2
    assert len(parse(";;CREATE DATABASE a;;")) == 1
    assert len(parse("CREATE DATABASE a\n-- comment; here\n; /* x; */ LIST DATABASES")) == 2


def test_where_order_limit() -> None:
    statement = one(
        "select 1 from deltastream.sys.\"relations\" where (a = 'x' or b <> 'y') and not c is null"
        " and d in ('p', 'q') order by name desc, id limit 101;"
    )
    assert isinstance(statement, ast.SelectSystem)
    assert statement.items == (ast.Literal(1),)
    assert statement.order_by == (ast.OrderItem("name", True), ast.OrderItem("id", False))
    assert statement.limit == 101
    assert isinstance(statement.where, ast.And)


def test_create_stream_with_nested_types() -> None:
    statement = one(
        'CREATE STREAM pv (viewtime BIGINT, `userid` VARCHAR NOT NULL, "before" STRUCT<db VARCHAR,'
        " m MAP<VARCHAR, ARRAY<INT>>>, d DECIMAL(4, 3), PRIMARY KEY (userid))"
        " WITH ('topic' = 'pv', 'value.format' = 'json')"
    )
    assert isinstance(statement, ast.CreateRelation)
    assert [c.name for c in statement.columns] == ["viewtime", "userid", "before", "d"]
    assert statement.columns[1].not_null
    assert statement.columns[2].type == 'STRUCT<"db" VARCHAR, "m" MAP<VARCHAR, ARRAY<INT>>>'
    assert statement.columns[3].type == "DECIMAL(4, 3)"
    assert statement.primary_key == ("userid",)


def test_insert_into_sources_and_text() -> None:
    text = (
        'INSERT INTO "d"."s"."sink" SELECT a, CASE WHEN b > 1 THEN 2 END AS c FROM "d"."s"."src"'
        " WITH ('postgresql.slot.name' = 'x') AS p JOIN other WITHIN 5 MINUTES ON p.a = other.a"
        " WHERE a = 'from' GROUP BY a"
    )
    statement = one(text + ";")
    assert isinstance(statement, ast.InsertInto)
    assert statement.text == text
    assert statement.sink.parts == ("d", "s", "sink")
    assert [s.name.parts for s in statement.query.sources] == [("d", "s", "src"), ("other",)]
    assert statement.query.sources[0].properties.get("postgresql.slot.name") is not None


def test_application() -> None:
    statement = one(
        "BEGIN APPLICATION app CREATE VIRTUAL STREAM virtual.public.f AS SELECT * FROM pv;"
        " INSERT INTO out SELECT * FROM virtual.public.f; END APPLICATION"
        " WITH (resume.from.query.id = '7d0f3c52-91ab-4e2f-8a77-0c5e2b9d4f10');"
    )
    assert isinstance(statement, ast.Application)
    assert statement.name == "app"
    assert [type(s).__name__ for s in statement.statements] == ["CreateRelationAs", "InsertInto"]
    assert statement.properties.keys() == ["resume.from.query.id"]


@pytest.mark.parametrize(
    "text",
    [
        "TERMINATE QUERY 5a3c9e41-0b7d-4f6e-9c2a-81d4e6f0b3a7",
        "TERMINATE QUERY ab3c9e41-0b7d-4f6e-9c2a-81d4e6f0b3a7",
        "terminate query 'ab3c9e41-0b7d-4f6e-9c2a-81d4e6f0b3a7'",
    ],
)
def test_query_ids_unquoted_or_quoted(text: str) -> None:
    statement = one(text)
    assert isinstance(statement, ast.TerminateQuery)
    assert statement.query_id.endswith("3c9e41-0b7d-4f6e-9c2a-81d4e6f0b3a7")


def test_describe_keeps_inner_statement() -> None:
    statement = one("DESCRIBE CREATE STREAM s (a INT) WITH ('topic' = 't');")
    assert isinstance(statement, ast.DescribeStatement)
    assert isinstance(statement.statement, ast.CreateRelation)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("CREATE DATABSE x", "line 1:7 mismatched input 'DATABSE'"),
        ("CREATE DATABASE x y", "line 1:18 mismatched input 'y'"),
        ("SELECT * FROM t WHERE a = 'open", "token recognition error"),
        ("CREATE DATABASE", "mismatched input '<EOF>'"),
        ('CREATE DATABASE ""', "zero-length delimited identifier"),
        ("   ", "empty statement"),
    ],
)
def test_syntax_errors_name_the_token(text: str, fragment: str) -> None:
    with pytest.raises(SqlError) as caught:
        parse(text)
    assert caught.value.sql_state == "42601"
    assert caught.value.message.startswith("parse error")
    assert fragment in caught.value.message


def test_unsupported_statements_parse_as_unsupported() -> None:
    statement = one("CREATE SECRET s WITH ('secret_string' = 'hunter2')")
    assert statement == ast.Unsupported("CREATE SECRET")
