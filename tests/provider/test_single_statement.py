"""One statement per input, through the real provider process and a real local server: a
``sql`` (or application body) with a second statement fails Check naming the property and
quoting the extra statement, and Hypothesis over hostile inputs (extra statements after
``;``, hidden in comments or quotes, glued to operators, inside an application) shows the
catalog unchanged after preview and up."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import CheckFailedError, Resource, Stack
from deltastream_pulumi.testing.local import run_sql, unique_name

OBJECT = "deltastream:index:DeltaStreamObject"
QUERY = "deltastream:index:Query"
APPLICATION = "deltastream:index:Application"


@dataclass(frozen=True)
class World:
    """Objects created out of band that a hostile statement would like to touch."""

    db: str
    store: str
    victim: str  # a database the hostile statements drop
    marker: str  # a database the hostile statements create

    def fqn(self, name: str) -> str:
        return f'"{self.db}"."public"."{name}"'


@pytest.fixture(scope="module")
def world(local_server: LocalServer) -> World:
    found = World(unique_name("hdb"), unique_name("hk"), unique_name("victim"), unique_name("mk"))
    run_sql(local_server, f'CREATE DATABASE "{found.db}";')
    run_sql(local_server, f'CREATE DATABASE "{found.victim}";')
    run_sql(
        local_server,
        f"CREATE STORE \"{found.store}\" WITH ('type' = KAFKA, 'uris' = 'localhost:9092', "
        "'kafka.sasl.hash_function' = NONE);",
    )
    for name in ("src", "dst"):
        run_sql(
            local_server,
            f"CREATE STREAM {found.fqn(name)} (a VARCHAR) WITH ('topic'='{name}');",
            store=found.store,
        )
    return found


def catalog(server: LocalServer) -> dict[str, list[list[object]]]:
    """Everything a statement could have changed."""
    tables = {
        "databases": "name",
        "schemas": "database_name, name",
        "stores": "name",
        "relations": "database_name, schema_name, name",
        "queries": "id, current_state",
    }
    return {
        table: sorted(
            run_sql(server, f'SELECT {columns} FROM deltastream.sys."{table}";'), key=repr
        )
        for table, columns in tables.items()
    }


def benign(world: World, kind: str, name: str = "x") -> str:
    if kind == OBJECT:
        return f"CREATE STREAM {name} (a VARCHAR) WITH ('topic'='{name}')"
    insert = f"INSERT INTO {world.fqn('dst')} SELECT * FROM {world.fqn('src')}"
    if kind == QUERY:
        return insert
    return f"BEGIN APPLICATION app_{name} {insert}; END APPLICATION"


def resource(world: World, kind: str, sql: str) -> Resource:
    if kind == OBJECT:
        inputs = {"database": world.db, "namespace": "public", "store": world.store, "sql": sql}
        return Resource(OBJECT, "rel", inputs)
    sources = [world.fqn("src")]
    if kind == QUERY:
        return Resource(
            QUERY,
            "q",
            {"sourceRelationFqns": sources, "sinkRelationFqn": world.fqn("dst"), "sql": sql},
        )
    inputs = {"sourceRelationFqns": sources, "sinkRelationFqns": [world.fqn("dst")], "sql": sql}
    return Resource(APPLICATION, "app", inputs)


def evil_statements(world: World) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            f'DROP DATABASE "{world.victim}"',
            f'CREATE DATABASE "{world.marker}"',
            f'drop store "{world.store}"',
            f"DROP RELATION {world.fqn('src')}",
            f"CrEaTe DaTaBaSe {world.marker}",
        ]
    )


SEPARATORS = [";", "; ", ";\n", " ;\n\n", "; -- note\n", ";/* x */", "\n-- c\n;", ";;"]


@dataclass(frozen=True)
class Hostile:
    sql: str
    refused: bool  # whether Check must refuse it (else: one statement, the rest inert)
    extra: str = ""  # the extra statement the failure must quote


@st.composite
def hostile(draw: st.DrawFn, world: World, kind: str) -> Hostile:
    good = benign(world, kind)
    evil = draw(evil_statements(world))
    trail = draw(st.sampled_from(["", ";", "; ", ";\n-- end"]))
    shapes = ["after", "before", "line comment", "block comment", "unterminated", "glued"]
    if kind == OBJECT:
        shapes.append("string")
    if kind == APPLICATION:
        shapes.append("inside")
    shape = draw(st.sampled_from(shapes))
    sep = draw(st.sampled_from(SEPARATORS))
    if shape == "after":
        return Hostile(f"{good}{sep}{evil}{trail}", True, evil)
    if shape == "before":
        return Hostile(f"{evil}{sep}{good}{trail}", True, good)
    if shape == "line comment":  # the rest of the line is a comment: one statement
        return Hostile(f"{good} -- {sep}{evil}".replace("\n", " "), False)
    if shape == "block comment":  # (a separator holding */ would end the comment early)
        return Hostile(f"{good} /* {sep.replace('*/', '')}{evil}; */{trail}", False)
    if shape == "unterminated":
        return Hostile(f"{good} '{sep}{evil}{trail}", True)
    if shape == "glued":  # `<--` is an operator to some lexers, a comment to others: refused
        return Hostile(f"{good} <-- {sep}{evil}".replace("\n", " "), True)
    if shape == "string":
        quoted = f"{sep}{evil};".replace("'", "''")
        return Hostile(
            f"CREATE STREAM x (a VARCHAR) WITH ('topic'='x', 'value.format'='{quoted}')", False
        )
    inner = benign(world, QUERY)
    return Hostile(f"BEGIN APPLICATION app_x {evil}; {inner}; END APPLICATION{trail}", True)


KINDS = [OBJECT, QUERY, APPLICATION]


@pytest.mark.parametrize("kind", KINDS)
def test_a_second_statement_fails_check_naming_sql_and_quoting_it(
    stack: Stack, local_server: LocalServer, world: World, kind: str
) -> None:
    before = catalog(local_server)
    evil = f'DROP DATABASE "{world.victim}"'
    sql = f"{benign(world, kind)};\n{evil};"
    for step in (stack.preview, stack.up):
        with pytest.raises(CheckFailedError) as info:
            step([resource(world, kind, sql)])
        (failure,) = info.value.failures
        assert failure.property == "sql"
        assert "holds 2 statements" in failure.reason
        assert f"{evil!r} (line 2)" in failure.reason
    assert catalog(local_server) == before
    assert stack.state == {}


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_inputs_leave_the_catalog_unchanged(
    stack: Stack, local_server: LocalServer, world: World, kind: str
) -> None:
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(hostile(world, kind))
    def run(case: Hostile) -> None:
        before = catalog(local_server)
        try:
            stack.preview([resource(world, kind, case.sql)])
        except CheckFailedError as exc:
            assert case.refused, f"refused a single statement: {exc}"
            assert [f.property for f in exc.failures] == ["sql"]
            if case.extra:  # quoted (long ones shortened)
                assert repr(case.extra)[:40] in exc.failures[0].reason
        else:
            assert not case.refused, f"Check accepted {case.sql!r}"
        assert catalog(local_server) == before

    run()


@pytest.mark.parametrize("kind", KINDS)
def test_up_with_a_hidden_statement_creates_only_the_declared_object(
    stack: Stack, local_server: LocalServer, world: World, kind: str
) -> None:
    """A commented-out statement is inert: up creates the resource, nothing else changes."""
    name = unique_name("x")
    sql = f'{benign(world, kind, name)} /* ; DROP DATABASE "{world.victim}"; */ -- ; DROP x'
    databases = run_sql(local_server, 'SELECT name FROM deltastream.sys."databases";')
    stack.up([resource(world, kind, sql)])
    assert run_sql(local_server, 'SELECT name FROM deltastream.sys."databases";') == databases
    stack.destroy()
    assert [world.victim] in databases
