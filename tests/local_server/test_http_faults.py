"""Fault injection (429/503/latency/dropped connections), admin options and stats."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from deltastream_local.testing import LocalServer

Unique = Callable[[str], str]


def lookup(name: str) -> str:
    return f"SELECT name FROM deltastream.sys.\"databases\" WHERE name = '{name}';"


@pytest.fixture
def clean(server: LocalServer) -> Iterator[LocalServer]:
    server.reset_faults()
    server.reset_stats()
    yield server
    server.reset_faults()


def test_faults_are_off_by_default(server: LocalServer) -> None:
    settings = server.admin("faults")
    assert settings["rate_limit_next"] == 0
    assert settings["rate_limit_fraction"] == 0
    assert settings["unavailable_next"] == 0
    assert settings["unavailable_fraction"] == 0
    assert settings["latency"] == 0
    assert settings["drop_after_apply_next"] == 0


def test_next_requests_rate_limited_with_retry_after(clean: LocalServer) -> None:
    clean.set_faults(rate_limit_next=2, retry_after=3)
    for _ in range(2):
        response = clean.http.get("/version")
        assert response.status_code == 429
        assert response.headers["retry-after"] == "3"
        assert response.json()["message"]
    assert clean.http.get("/version").status_code == 200
    stats = clean.stats()
    assert stats["faults"]["429"] == 2
    assert stats["requests"]["GET /v2/version"] == 3


def test_next_requests_unavailable(clean: LocalServer, unique: Unique) -> None:
    name = unique("db")
    clean.set_faults(unavailable_next=1)
    response = clean.http.post("/statements", json={"statement": f'CREATE DATABASE "{name}";'})
    assert response.status_code == 503
    assert "retry-after" in response.headers
    # a 503 is answered before the statement runs: nothing was created
    assert clean.run(lookup(name))["data"] == []


def test_fractions_are_seeded_and_filtered_by_match(clean: LocalServer) -> None:
    clean.set_faults(unavailable_fraction=0.5, seed=7, match="GET /v2/version")
    statuses = [clean.http.get("/version").status_code for _ in range(40)]
    assert set(statuses) == {200, 503}
    # other routes are untouched by the match filter
    assert clean.run(lookup("whatever"))["sqlState"] == "00000"
    clean.set_faults(unavailable_fraction=0.0, rate_limit_fraction=1.0)
    assert clean.http.get("/version").status_code == 429


def test_latency(clean: LocalServer) -> None:
    clean.set_faults(latency=0.3)
    started = time.monotonic()
    assert clean.http.get("/version").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_rate_limit_admits_the_burst_then_answers_429_with_retry_after(
    clean: LocalServer,
) -> None:
    # 1 token a second into a bucket of 3: a quick run of requests gets exactly 3 through
    clean.set_faults(rate_limit=1, rate_limit_burst=3)
    statuses = [clean.http.get("/version") for _ in range(6)]
    assert [r.status_code for r in statuses[:3]] == [200, 200, 200]
    refused = [r for r in statuses[3:] if r.status_code == 429]
    assert len(refused) >= 2  # one token may have dripped in meanwhile
    assert all(int(r.headers["retry-after"]) >= 1 for r in refused)
    assert clean.stats()["faults"]["429"] == len(refused)
    # a refused request took no token: after Retry-After a token is free again
    time.sleep(int(refused[-1].headers["retry-after"]))
    assert clean.http.get("/version").status_code == 200


def test_rate_limit_bounds_the_admitted_rate(clean: LocalServer) -> None:
    clean.set_faults(rate_limit=20, rate_limit_burst=1)
    started = time.monotonic()
    admitted = 0
    while time.monotonic() - started < 1.0:
        admitted += clean.http.get("/version").status_code == 200
    elapsed = time.monotonic() - started
    assert admitted <= 1 + 20 * elapsed + 1
    assert admitted >= 10  # the limit admits, it does not block everything
    clean.set_faults(rate_limit=0)  # off again at run time
    assert all(clean.http.get("/version").status_code == 200 for _ in range(30))


def test_rate_limit_from_the_flag() -> None:
    env = {"DELTASTREAM_LOCAL_FAULTS": json.dumps({"rate_limit": 9, "rate_limit_burst": 1})}
    with LocalServer("--rate-limit", "2", env=env) as server:  # the flag wins over the env
        assert server.admin("faults")["rate_limit"] == 2
        assert server.admin("faults")["rate_limit_burst"] == 1
        assert server.http.get("/version").status_code == 200
        assert server.http.get("/version").status_code == 429


def test_drop_after_apply(clean: LocalServer, unique: Unique) -> None:
    name = unique("dropped")
    clean.set_faults(drop_after_apply_next=1)
    with clean.client() as client, pytest.raises(httpx.RemoteProtocolError):
        client.post("/statements", json={"statement": f'CREATE DATABASE "{name}";'})
    # the statement was applied even though no response came back
    assert clean.run(lookup(name))["data"] == [[name]]
    # and only one request was dropped
    retry = clean.http.post("/statements", json={"statement": f'CREATE DATABASE "{name}";'})
    assert retry.status_code == 200
    assert retry.json()["sqlState"] != "00000"  # already exists
    stats = clean.stats()
    assert stats["faults"]["dropped"] == 1
    assert stats["responses"]["dropped"] == 1


def test_faults_from_flags_and_environment() -> None:
    env = {"DELTASTREAM_LOCAL_FAULTS": json.dumps({"unavailable_next": 1, "retry_after": 9})}
    with LocalServer("--fault-rate-limit-next", "1", env=env) as server:
        settings = server.admin("faults")
        assert settings["rate_limit_next"] == 1
        assert settings["unavailable_next"] == 1
        first = server.http.get("/version")
        second = server.http.get("/version")
        assert (first.status_code, second.status_code) == (429, 503)
        assert second.headers["retry-after"] == "9"
        assert server.http.get("/version").status_code == 200


def test_admin_rejects_bad_updates(server: LocalServer) -> None:
    for path, body in [
        ("faults", {"rate_limit_fraction": 2}),
        ("faults", {"bogus": 1}),
        ("faults", {"rate_limit_next": "many"}),
        ("faults", {"rate_limit": -1}),
        ("faults", {"reset": "yes"}),
        ("options", {"partition_size": 0}),
        ("options", {"verify_store_connectivity": "true"}),
        ("options", {"nope": 1}),
    ]:
        response = server.http.post(f"{server.root}/_local/{path}", json=body)
        assert response.status_code == 400, (path, body, response.text)
    assert server.http.post(f"{server.root}/_local/faults", content=b"[").status_code == 400
    assert server.http.get(f"{server.root}/_local/unknown").status_code == 404
    assert server.http.put(f"{server.root}/_local/stats").status_code == 405


def test_engine_options_update_at_run_time(server: LocalServer) -> None:
    before = server.admin("options")
    try:
        after = server.set_options(
            store_ready_delay=2.5,
            query_start_delay=1,
            verify_store_connectivity=True,
            fail_queries_matching="boom",
            async_threshold=0.25,
        )
        assert after["store_ready_delay"] == 2.5
        assert after["query_start_delay"] == 1.0
        assert after["verify_store_connectivity"] is True
        assert after["fail_queries_matching"] == "boom"
        assert after["async_threshold"] == 0.25
        assert server.admin("options") == after
    finally:
        server.set_options(**before)
    assert server.admin("options") == before


def test_stats_count_requests_per_route(clean: LocalServer) -> None:
    clean.http.get("/version")
    clean.http.get("/version")
    clean.run(lookup("x"))
    stats = clean.stats()
    assert stats["requests"]["GET /v2/version"] == 2
    assert stats["requests"]["POST /v2/statements"] == 1
    assert clean.request_count("GET /v2/version") == 2
    assert stats["responses"]["200"] == 3
    assert stats["statements"]["executed"] >= 1
    clean.reset_stats()
    assert clean.stats()["requests"] == {}
