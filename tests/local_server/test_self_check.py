"""The server's opt-in self-check: every API response it sends is validated against the
official spec (the test helpers turn it on, so the whole suite runs with it); violations are
counted in /_local/stats and make LocalServer.stop() fail. The validator's own teeth are in
test_openapi_validator.py."""

import pytest

from deltastream_local.testing import LocalServer


def test_test_servers_check_their_own_responses_and_find_none_wrong() -> None:
    with LocalServer("--partition-size", "1") as server:
        assert server.stats()["self_check"] == "openapi"
        assert server.run("CREATE DATABASE d;")["sqlState"] == "00000"
        assert server.run('SELECT name FROM deltastream.sys."databases";')["sqlState"] == "00000"
        assert server.run("DROP DATABASE nope;")["sqlState"] == "3D002"
        assert server.http.get("/version").status_code == 200
        assert server.http.get("/statements/not-a-uuid").status_code == 400
        stats = server.stats()
        assert stats["requests"]  # traffic happened and was checked
        assert stats["spec_violations"] == 0 and server.spec_violations() == []


def test_benchmarks_can_turn_it_off() -> None:
    with LocalServer(self_check=False) as server:
        assert server.stats()["self_check"] is None


def test_unknown_self_check_mode_refuses_to_start() -> None:
    server = LocalServer(env={"DELTASTREAM_LOCAL_SELF_CHECK": "maybe"})
    with pytest.raises(RuntimeError, match="DELTASTREAM_LOCAL_SELF_CHECK"):
        server.start()
