"""Large results come in partitions; every partition response repeats the full partitionInfo."""

from __future__ import annotations

from collections.abc import Callable

from deltastream_local.testing import LocalServer

ALL_DATABASES = 'SELECT name, "owner", created_at FROM deltastream.sys."databases";'


def test_multi_partition_result(
    partitioned_server: LocalServer, unique: Callable[[str], str]
) -> None:
    server = partitioned_server
    names = [unique("part") for _ in range(5)]
    for name in names:
        assert server.run(f'CREATE DATABASE "{name}";')["sqlState"] == "00000"

    first = server.http.post("/statements", json={"statement": ALL_DATABASES})
    assert first.status_code == 200
    body = first.json()
    info = body["metadata"]["partitionInfo"]
    total = sum(p["rowCount"] for p in info)
    assert total >= 5
    assert len(info) == (total + 1) // 2
    assert all(p["rowCount"] == 2 for p in info[:-1])
    assert body["data"] == body["data"][:2] and len(body["data"]) == info[0]["rowCount"]

    rows = list(body["data"])
    for index in range(1, len(info)):
        page = server.http.get(
            f"/statements/{body['statementID']}", params={"partitionID": index}
        ).json()
        assert page["metadata"]["partitionInfo"] == info
        assert page["metadata"]["columns"] == body["metadata"]["columns"]
        assert page["metadata"]["context"] == body["metadata"]["context"]
        assert page["statementID"] == body["statementID"]
        assert page["createdOn"] == body["createdOn"]
        assert len(page["data"]) == info[index]["rowCount"]
        rows.extend(page["data"])
    # partition 0 again, by GET
    again = server.http.get(f"/statements/{body['statementID']}", params={"partitionID": 0})
    assert again.json()["data"] == body["data"]

    assert len(rows) == total
    assert set(names) <= {row[0] for row in rows}
    beyond = server.http.get(
        f"/statements/{body['statementID']}", params={"partitionID": len(info)}
    )
    assert beyond.status_code == 400


def test_partition_size_changes_at_run_time(
    partitioned_server: LocalServer, unique: Callable[[str], str]
) -> None:
    server = partitioned_server
    for _ in range(3):
        server.run(f'CREATE DATABASE "{unique("resize")}";')
    try:
        server.set_options(partition_size=1)
        info = server.run(ALL_DATABASES)["metadata"]["partitionInfo"]
        assert len(info) >= 3 and {p["rowCount"] for p in info} == {1}
        server.set_options(partition_size=100_000)
        info = server.run(ALL_DATABASES)["metadata"]["partitionInfo"]
        assert len(info) == 1
    finally:
        server.set_options(partition_size=2)


def test_empty_result_has_no_partitions(partitioned_server: LocalServer) -> None:
    body = partitioned_server.run(
        "SELECT name FROM deltastream.sys.\"databases\" WHERE name = 'no_such_db';"
    )
    assert body["sqlState"] == "00000"
    assert body["metadata"]["partitionInfo"] == []
    assert body["data"] == []
    # partition 0 of an empty result is still readable
    again = partitioned_server.http.get(
        f"/statements/{body['statementID']}", params={"partitionID": 0}
    )
    assert again.status_code == 200
