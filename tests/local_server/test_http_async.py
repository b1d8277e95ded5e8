"""Slow statements answer 202 + sqlState 03000, run in the background and are polled."""

from __future__ import annotations

import time
from collections.abc import Callable

from deltastream_local.testing import LocalServer, local_server_fixture

slow_server = local_server_fixture("--statement-delay", "1.0", "--async-threshold", "0.1")


def lookup(name: str) -> str:
    return f"SELECT name FROM deltastream.sys.\"databases\" WHERE name = '{name}';"


def test_slow_statement_is_202_then_polled(
    slow_server: LocalServer, unique: Callable[[str], str]
) -> None:
    server = slow_server
    name = unique("async")
    started = time.monotonic()
    posted = server.http.post("/statements", json={"statement": f'CREATE DATABASE "{name}";'})
    assert posted.status_code == 202
    assert time.monotonic() - started < 0.9
    status = posted.json()
    assert status["sqlState"] == "03000"
    assert isinstance(status["createdOn"], int)
    assert "metadata" not in status

    polled = server.http.get(f"/statements/{status['statementID']}", params={"partitionID": 0})
    assert polled.status_code == 202
    assert polled.json()["statementID"] == status["statementID"]

    deadline = time.monotonic() + 10
    while polled.status_code == 202 and time.monotonic() < deadline:
        time.sleep(0.1)
        polled = server.http.get(f"/statements/{status['statementID']}")
    assert polled.status_code == 200
    result = polled.json()
    assert result["sqlState"] == "00000"
    assert result["statementID"] == status["statementID"]
    assert result["createdOn"] == status["createdOn"]
    # the statement took effect
    assert server.run(lookup(name))["data"] == [[name]]


def test_delay_only_for_matching_statements(
    server: LocalServer, unique: Callable[[str], str]
) -> None:
    try:
        server.set_options(statement_delay=1.0, statement_delay_matching="slowpoke_")
        fast = server.http.post("/statements", json={"statement": lookup(unique("fast"))})
        assert fast.status_code == 200
        slow = server.http.post(
            "/statements", json={"statement": f'CREATE DATABASE "{unique("slowpoke")}";'}
        )
        assert slow.status_code == 202
        # the helper polls to completion
        done = server.run(lookup(unique("slowpoke")))
        assert done["sqlState"] == "00000"
    finally:
        server.set_options(statement_delay=0.0, statement_delay_matching=None)


def test_sql_error_after_polling(slow_server: LocalServer, unique: Callable[[str], str]) -> None:
    result = slow_server.run(f'DROP DATABASE "{unique("ghost")}";')
    assert result["sqlState"] == "3D002"
    assert result["metadata"]["partitionInfo"] == []
