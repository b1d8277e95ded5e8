"""Unsupported HTTP methods: deltastream-local answers 405 with an ErrorResponse (and an Allow
header) on every path, counts each request in /_local/stats, and its own OpenAPI self-check
finds nothing wrong with those answers."""

from __future__ import annotations

import uuid

import pytest

from deltastream_local.testing import LocalServer, SpecValidator

METHODS = ["TRACE", "FOO", "M-SEARCH", "PROPFIND"]
#: path → the route it is counted under (without the method)
PATHS = {
    "/v2/statements": "/v2/statements",
    "/v2/version": "/v2/version",
    f"/v2/statements/{uuid.uuid4()}": "/v2/statements/{statementID}",
    "/v2/nothing": "/v2/(other)",
    "/nothing": "(other)",
}


@pytest.mark.parametrize("method", METHODS)
def test_every_unsupported_method_is_a_counted_405_error_response(
    server: LocalServer, method: str
) -> None:
    validator = SpecValidator()
    server.reset_stats()
    for path in PATHS:
        response = server.http.request(method, f"{server.root}{path}")
        assert response.status_code == 405, (path, response.text)
        assert response.json()["message"] and method in response.json()["message"]
        assert response.headers["allow"]
        validator.validate(response)  # an ErrorResponse, as the spec says errors are
    admin = server.http.request(method, f"{server.root}/_local/stats")
    assert admin.status_code == 405 and admin.headers["allow"] == "GET, DELETE"
    stats = server.stats()
    counted = {route: n for route, n in stats["requests"].items() if route.startswith(method)}
    assert counted == {f"{method} {route}": 1 for route in PATHS.values()}
    assert stats["responses"]["405"] == len(PATHS)
    assert server.spec_violations() == []


def test_the_handled_methods_keep_their_answers(server: LocalServer) -> None:
    assert server.http.request("PATCH", "/statements").status_code == 405
    assert server.http.get("/version").status_code == 200
    assert server.http.get("/nothing").status_code == 404
