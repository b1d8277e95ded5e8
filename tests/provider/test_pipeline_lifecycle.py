"""A whole pipeline through the real provider process and a real local server, driven like the
engine: Kafka store → source stream → sink changelog → query, and an application with a
virtual stream; preview, up, no-change up, refresh, import of every resource by id, a
replacement of the sink object, the query-body-change error at preview, destroy in dependency
order, and destroy again."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import CheckFailedError, OperationResult, Resource, Stack
from deltastream_pulumi.testing.local import RequestCounter, run_sql, unique_name

from .conftest import DATABASE

STORE = "deltastream:index:Store"
OBJECT = "deltastream:index:DeltaStreamObject"
QUERY = "deltastream:index:Query"
APPLICATION = "deltastream:index:Application"
DELAY = 0.2
ALL = ["db", "kafka", "pageviews", "counts", "home", "countsQuery", "homeApp"]


@pytest.fixture(scope="module")
def local_server() -> Iterator[LocalServer]:
    """Readiness delays on, so creates really wait for `created` / `running`."""
    with LocalServer(
        "--relation-ready-delay", str(DELAY), "--query-start-delay", str(DELAY)
    ) as server:
        yield server


def fqn(db: str, name: str) -> str:
    return f'"{db}"."public"."{name}"'


def program(
    db_name: str,
    *,
    counts_columns: str = "userid VARCHAR, views BIGINT",
    query_select: str = "userid, COUNT(*) AS views",
) -> list[Resource]:
    db = Resource(DATABASE, "db", {"name": db_name})
    kafka = Resource(
        STORE,
        "kafka",
        {
            "name": f"{db_name}_kafka",
            "kafka": {"uris": "localhost:9092", "saslHashFunction": "NONE"},
        },
    )

    def relation(res: str, sql: str) -> Resource:
        inputs = {
            "database": db.out("name"),
            "namespace": "public",
            "store": kafka.out("name"),
            "sql": sql,
        }
        return Resource(OBJECT, res, inputs)

    pageviews = relation(
        "pageviews",
        "CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) "
        "WITH ('topic'='pageviews', 'value.format'='json');",
    )
    counts = relation(
        "counts",
        f"CREATE CHANGELOG counts ({counts_columns}, PRIMARY KEY (userid)) "
        "WITH ('topic'='counts', 'value.format'='json');",
    )
    home = relation(
        "home",
        "CREATE STREAM home (viewtime BIGINT, userid VARCHAR) "
        "WITH ('topic'='home', 'value.format'='json');",
    )
    source = fqn(db_name, "pageviews")
    query = Resource(
        QUERY,
        "countsQuery",
        {
            "sourceRelationFqns": [pageviews.out("fqn")],
            "sinkRelationFqn": counts.out("fqn"),
            # the sql interpolates the sink's fqn output, as the official examples do
            "sql": counts.out(
                "fqn",
                lambda sink: (
                    f"INSERT INTO {sink}\n  SELECT {query_select}\n"
                    f"  FROM {source}\n  GROUP BY userid;"
                ),
            ),
        },
    )
    app = Resource(
        APPLICATION,
        "homeApp",
        {
            "sourceRelationFqns": [pageviews.out("fqn")],
            "sinkRelationFqns": [home.out("fqn")],
            "sql": home.out(
                "fqn",
                lambda sink: (
                    "BEGIN APPLICATION home_app\n"
                    f"  CREATE VIRTUAL STREAM virtual.public.recent AS SELECT * FROM {source}"
                    " WHERE viewtime > 0;\n"
                    f"  INSERT INTO {sink} SELECT viewtime, userid FROM virtual.public.recent"
                    " WHERE pageid = 'home';\nEND APPLICATION;"
                ),
            ),
        },
    )
    return [db, kafka, pageviews, counts, home, query, app]


def relations_in(server: LocalServer, db: str) -> dict[str, list[Any]]:
    rows = run_sql(
        server,
        'SELECT name, relation_type, "state" FROM deltastream.sys."relations" '
        f"WHERE database_name = '{db}';",
    )
    return {row[0]: row[1:] for row in rows}


def query_state(server: LocalServer, query_id: str) -> str | None:
    rows = run_sql(
        server, f"SELECT current_state FROM deltastream.sys.\"queries\" WHERE id = '{query_id}';"
    )
    return rows[0][0] if rows else None


def index(result: OperationResult, name: str, op: str = "delete") -> int:
    return result.ops().index((op, name))


def test_pipeline_end_to_end(stack: Stack, local_server: LocalServer) -> None:
    db = unique_name("pipe")

    # -- preview: every resource planned, nothing created ----------------------------------
    planned = stack.preview(program(db))
    assert sorted(planned.ops()) == sorted(("create", name) for name in ALL)
    assert relations_in(local_server, db) == {}

    # -- up: created in dependency order and waited for --------------------------------------
    created = stack.up(program(db))
    ops = created.ops()
    assert ops.index(("create", "kafka")) < ops.index(("create", "counts"))
    assert ops.index(("create", "counts")) < ops.index(("create", "countsQuery"))
    assert ops.index(("create", "home")) < ops.index(("create", "homeApp"))
    counts = created.step("counts").outputs
    assert counts["fqn"] == created.step("counts").id == fqn(db, "counts")
    assert (counts["type"], counts["state"]) == ("changelog", "created")
    assert [c["name"] for c in counts["columns"]] == ["userid", "views"]
    query = created.step("countsQuery")
    assert query.outputs["state"] == "running" and query.id == query.outputs["queryId"]
    app = created.step("homeApp")
    assert app.outputs["state"] == "running" and app.id == app.outputs["applicationId"]
    assert relations_in(local_server, db) == {
        "pageviews": ["stream", "created"],
        "counts": ["changelog", "created"],
        "home": ["stream", "created"],
    }

    # -- no-change up: nothing to do, and Check asks DeltaStream nothing ---------------------
    with RequestCounter(local_server) as counter:
        same = stack.up(program(db))
    assert {op for op, _ in same.ops()} == {"same"}
    assert counter.total == 0, counter.by_route

    # -- refresh: every resource still there, unchanged -------------------------------------
    refreshed = stack.refresh()
    assert sorted(refreshed.ops()) == sorted(("same", name) for name in ALL)
    assert stack.get("countsQuery").outputs["state"] == "running"

    # -- import of every resource by id into a second stack ---------------------------------
    imported = Stack(stack.provider, stack="imported")
    ids = {name: stack.get(name).id for name in ALL}
    adopted = [Resource(r.type, r.name, r.inputs, import_id=ids[r.name]) for r in program(db)]
    result = imported.up(adopted)
    assert sorted(result.ops()) == sorted(("import", name) for name in ALL), result.ops()
    for name in ALL:
        assert imported.get(name).id == ids[name]
    imported.state.clear()  # the same objects: the first stack keeps managing them

    # -- a changed query body is refused at preview, with a diff and the way out ------------
    with pytest.raises(CheckFailedError) as info:
        stack.preview(program(db, query_select="userid, COUNT(*) + 0 AS views"))
    (failure,) = [f for f in info.value.failures if f.property == "sql"]
    assert "immutable" in failure.reason and "declare a new Query resource" in failure.reason
    assert "-  SELECT userid, COUNT(*) AS views" in failure.reason
    assert "+  SELECT userid, COUNT(*) + 0 AS views" in failure.reason
    assert info.value.urn.endswith("::countsQuery")

    # -- replacing the sink object replaces the query that writes to it ---------------------
    old_query = stack.get("countsQuery").id
    wider = "userid VARCHAR, views BIGINT, last_seen BIGINT"
    preview = stack.preview(program(db, counts_columns=wider))
    assert ("replace", "counts") in preview.ops() and ("replace", "countsQuery") in preview.ops()
    replaced = stack.up(program(db, counts_columns=wider))
    ops = replaced.ops()
    # the query is terminated before its sink is dropped (the sink's replacement deletes it
    # first), and started again after the new sink exists
    assert ops.index(("delete", "countsQuery")) < ops.index(("replace", "counts"))
    assert ops.index(("replace", "counts")) < ops.index(("replace", "countsQuery"))
    new_query = stack.get("countsQuery")
    assert new_query.id != old_query and new_query.outputs["state"] == "running"
    assert query_state(local_server, old_query) in (None, "terminated")
    columns = stack.get("counts").outputs["columns"]
    assert [c["name"] for c in columns] == ["userid", "views", "last_seen"]
    assert {op for op, name in ops if name in ("pageviews", "home", "homeApp")} == {"same"}

    # -- destroy in dependency order, then again on the same state: all already gone --------
    before = copy.deepcopy(stack.state)
    app_id = stack.get("homeApp").id
    destroyed = stack.destroy()
    for user, used in (
        ("countsQuery", "counts"),
        ("countsQuery", "pageviews"),
        ("homeApp", "home"),
        ("homeApp", "pageviews"),
        ("pageviews", "kafka"),
        ("counts", "db"),
    ):
        assert index(destroyed, user) < index(destroyed, used), destroyed.ops()
    assert relations_in(local_server, db) == {}
    assert query_state(local_server, new_query.id) in (None, "terminated")
    assert query_state(local_server, app_id) in (None, "terminated")
    stack.state.update(before)
    again = stack.destroy()
    assert sorted(again.ops()) == sorted(("delete", name) for name in ALL)
    assert stack.state == {}
