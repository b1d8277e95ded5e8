"""DeltaStreamObject and getObject(s) driven directly against a real deltastream-local (real
HTTP client, real engine): readiness, columns, import by FQN, owner, drops, lookups."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from pipeline_support import KAFKA_STORE, Log, drive, messages, ok, sql_rows

from deltastream_core.errors import (
    DependentObjectsError,
    NotFoundError,
    ValidationError,
)
from deltastream_core.ports import Statement
from deltastream_local.testing import LocalServer
from deltastream_plugins.relation import (
    GetObject,
    GetObjectArgs,
    GetObjects,
    GetObjectsArgs,
    ObjectInputs,
    ObjectKind,
    ObjectOutputs,
)

KIND = ObjectKind()
DELAY = 0.4
DB = "objects db"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer("--relation-ready-delay", str(DELAY)) as started:
        ok(started, f'CREATE DATABASE "{DB}";')
        ok(started, KAFKA_STORE)
        yield started


def stream(name: str, columns: str = "viewtime BIGINT, userid VARCHAR, pageid VARCHAR") -> str:
    return f"CREATE STREAM {name} ({columns}) WITH ('topic'='{name}', 'value.format'='json');"


def inputs(sql: str, **overrides: str) -> ObjectInputs:
    values = {"database": DB, "namespace": "public", "store": "kafka", "sql": sql, **overrides}
    return ObjectInputs(**values)  # type: ignore[arg-type]


def test_create_waits_until_created_and_exposes_ordered_columns(server: LocalServer) -> None:
    sent: list[Statement] = []
    out: ObjectOutputs = drive(
        server, lambda ctx: KIND.create(ctx, inputs(stream("PageViews"))), recording=sent
    )
    assert out.state == "created"  # not "creating": the official defect 10 is avoided
    assert (out.name, out.type, out.owner) == ("pageviews", "stream", "sysadmin")
    assert out.path == [DB, "public", "pageviews"]
    assert out.fqn == f'"{DB}"."public"."pageviews"'
    assert KIND.resource_id(out) == out.fqn
    assert [c.name for c in out.columns or []] == ["viewtime", "userid", "pageid"]
    assert [c.type for c in out.columns or []] == ["BIGINT", "VARCHAR", "VARCHAR"]
    writes = [s.sql for s in sent if not s.sql.startswith(("SELECT", "DESCRIBE"))]
    assert writes == [stream("PageViews")]
    polls = [s for s in sent if s.sql.startswith("SELECT")]
    assert 1 <= len(polls) <= 10  # adaptive backoff, not a busy loop


def test_read_by_id_imports_with_no_prior_state(server: LocalServer) -> None:
    sql = (
        "CREATE CHANGELOG users (userid VARCHAR, n BIGINT, PRIMARY KEY (userid)) "
        "WITH ('topic'='users', 'value.format'='json');"
    )
    created = drive(server, lambda ctx: KIND.create(ctx, inputs(sql)))
    imported = drive(server, lambda ctx: KIND.read(ctx, created.fqn, None))
    assert imported is not None
    assert imported.resource_id == created.fqn
    args = imported.inputs
    assert (args.database, args.namespace, args.store, args.owner) == (
        DB,
        "public",
        "kafka",
        "sysadmin",
    )
    assert args.sql.strip().rstrip(";") == sql.rstrip(";")
    # the imported inputs plan no change against the program's inputs
    assert not KIND.diff({**_wire(args)}, _wire(inputs(sql))).changed
    # unquoted ids fold like DeltaStream names
    also = drive(server, lambda ctx: KIND.read(ctx, f'"{DB}".PUBLIC.USERS', None))
    assert also is not None and also.resource_id == created.fqn


def _wire(args: ObjectInputs) -> dict[str, str]:
    from deltastream_core.model import unstructure

    return unstructure(args)


def test_owner_change_in_place_and_outputs_not_blanked(server: LocalServer) -> None:
    created = drive(server, lambda ctx: KIND.create(ctx, inputs(stream("owned"))))
    sent: list[Statement] = []
    news = inputs(stream("owned"), owner="public")
    updated = drive(
        server, lambda ctx: KIND.update(ctx, created.fqn, created, news), recording=sent
    )
    assert [s.sql for s in sent if s.sql.startswith("ALTER")] == [
        f'ALTER STREAM "{DB}"."public"."owned" OWNER TO "public";'
    ]
    assert updated.owner == "public" and updated.fqn == created.fqn
    assert updated.columns == created.columns and updated.created_at == created.created_at
    # nothing to change: no statement, and nothing blanked (official defect 5)
    sent.clear()
    again = drive(server, lambda ctx: KIND.update(ctx, created.fqn, updated, news), recording=sent)
    assert not [s for s in sent if s.sql.startswith("ALTER")]
    assert again.fqn == created.fqn and again.state == "created"


def test_check_with_real_describe_names_the_mismatch(server: LocalServer) -> None:
    news = {"database": DB, "namespace": "public", "store": "kafka"}
    sql = f"CREATE STREAM \"{DB}\".other.x (a VARCHAR) WITH ('topic'='x');"
    ok(server, f'CREATE SCHEMA other IN DATABASE "{DB}";')
    result = drive(server, lambda ctx: KIND.check(ctx, {}, {**news, "sql": sql}))
    assert "'public'" in messages(result)["namespace"]
    assert "'other'" in messages(result)["namespace"]
    bad = drive(
        server, lambda ctx: KIND.check(ctx, {}, {**news, "sql": "CREATE STREEM x (a INT);"})
    )
    assert "cannot plan" in messages(bad)["sql"]


def test_create_refuses_a_statement_landing_elsewhere_and_creates_nothing(
    server: LocalServer,
) -> None:
    sql = f"CREATE STREAM \"{DB}\".other.elsewhere (a VARCHAR) WITH ('topic'='e');"
    ok(server, f'CREATE SCHEMA IF_NOT_THERE IN DATABASE "{DB}";')
    with pytest.raises(ValidationError, match="namespace"):
        drive(server, lambda ctx: KIND.create(ctx, inputs(sql)))
    names = {r["name"] for r in sql_rows(server, 'SELECT name FROM deltastream.sys."relations";')}
    assert "elsewhere" not in names


def test_delete_is_idempotent_and_refused_while_a_query_uses_it(server: LocalServer) -> None:
    src = drive(server, lambda ctx: KIND.create(ctx, inputs(stream("src_used"))))
    dst = drive(server, lambda ctx: KIND.create(ctx, inputs(stream("dst_used"))))
    body = server.run(f"INSERT INTO {dst.fqn} SELECT * FROM {src.fqn};")
    query_id = body["data"][0][1]
    with pytest.raises(DependentObjectsError) as info:
        drive(server, lambda ctx: KIND.delete(ctx, src.fqn, src))
    assert query_id in str(info.value) and "queries" in str(info.value).lower()
    ok(server, f"TERMINATE QUERY {query_id};")
    drive(server, lambda ctx: KIND.delete(ctx, src.fqn, src))
    drive(server, lambda ctx: KIND.delete(ctx, src.fqn, src))  # already gone: success
    assert drive(server, lambda ctx: KIND.read(ctx, src.fqn, src)) is None
    # a relation whose database is gone reads as gone too
    ghost = f'"no such db"."public"."{dst.name}"'
    assert drive(server, lambda ctx: KIND.read(ctx, ghost, None)) is None
    drive(server, lambda ctx: KIND.delete(ctx, ghost, dst))


def test_get_object_and_get_objects(server: LocalServer) -> None:
    ok(server, f'CREATE SCHEMA lookups IN DATABASE "{DB}";')
    for name in ("b_rel", "a_rel", "c_rel"):
        ok(server, stream(name), database=DB, schema="lookups", store="kafka")
    sent: list[Statement] = []
    found = drive(
        server,
        lambda ctx: GetObject().invoke(ctx, GetObjectArgs(DB, "lookups", "a_rel")),
        recording=sent,
    )
    assert (found.fqn, found.type, found.owner) == (
        f'"{DB}"."lookups"."a_rel"',
        "stream",
        "sysadmin",
    )
    listed = drive(
        server,
        lambda ctx: GetObjects().invoke(ctx, GetObjectsArgs(DB, "lookups")),
        recording=sent,
    )
    assert [o.name for o in listed.objects] == ["a_rel", "b_rel", "c_rel"]
    assert len(sent) == 2  # one SELECT per lookup (docs/reference/requirements.md#fr-034)
    with pytest.raises(NotFoundError, match=re.escape('"lookups"."nope"')):
        drive(server, lambda ctx: GetObject().invoke(ctx, GetObjectArgs(DB, "lookups", "nope")))
    # names are literals, never SQL
    evil = drive(server, lambda ctx: GetObjects().invoke(ctx, GetObjectsArgs(DB, "x' OR '1'='1")))
    assert evil.objects == []


def test_get_objects_caps_at_200_with_a_warning(server: LocalServer) -> None:
    ok(server, f'CREATE SCHEMA many IN DATABASE "{DB}";')
    batch = "; ".join(stream(f"r{i:03d}", "a VARCHAR") for i in range(201))
    ok(server, batch, database=DB, schema="many", store="kafka")
    log = Log()
    listed = drive(
        server, lambda ctx: GetObjects().invoke(ctx, GetObjectsArgs(DB, "many")), log=log
    )
    assert len(listed.objects) == 200 and listed.objects[-1].name == "r199"
    assert any("more than 200" in w and "getObject" in w for w in log.warnings)
