"""The pure request→response core of deltastream-local's HTTP layer, called directly: no
socket, no server thread (the socket side is covered by the other test_http_* suites)."""

from __future__ import annotations

import json
import uuid

import pytest

from deltastream_local.engine import EngineOptions, create_engine
from deltastream_local.http import Application, FaultInjector, Request, ServerOptions, handle
from deltastream_local.http.core import route_of

TOKEN = "core-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app() -> Application:
    engine = create_engine(":memory:", EngineOptions())
    return Application(engine, TOKEN, ServerOptions(async_threshold=5.0), FaultInjector())


def _post(sql: str, **extra: str) -> Request:
    body = json.dumps({"statement": sql, **extra}).encode()
    return Request("POST", "/v2/statements", {**AUTH, "content-type": "application/json"}, body)


def test_version_answers_without_a_socket(app: Application) -> None:
    response = handle(app, Request("GET", "/v2/version", AUTH))
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"major": 2, "minor": 0, "patch": 0}
    assert not response.close and not response.drop


def test_statement_runs_and_its_result_is_read_back(app: Application) -> None:
    name = f"core_{uuid.uuid4().hex[:8]}"
    created = handle(app, _post(f'CREATE DATABASE "{name}";'))
    assert created.status == 200, created.json()
    listed = handle(app, _post("LIST DATABASES;")).json()
    assert [name] in [row[:1] for row in listed["data"]]
    statement_id = listed["statementID"]
    again = handle(app, Request("GET", f"/v2/statements/{statement_id}", AUTH))
    assert again.status == 200 and again.json()["data"] == listed["data"]


def test_sql_errors_are_200_with_the_sql_state(app: Application) -> None:
    response = handle(app, _post('DROP DATABASE "no_such_database";'))
    assert response.status == 200
    assert response.json()["sqlState"] != "00000"


def test_bad_requests_are_json_errors_naming_the_problem(app: Application) -> None:
    unauthorized = handle(app, Request("GET", "/v2/version"))
    assert (unauthorized.status, unauthorized.json()) == (403, {"message": "missing api token"})
    wrong = handle(app, Request("GET", "/v2/version", {"authorization": "Bearer nope"}))
    assert wrong.json() == {"message": "invalid api token"}
    method = handle(app, Request("DELETE", "/v2/version", AUTH))
    assert method.status == 405 and method.headers["Allow"] == "GET"
    body = handle(app, Request("POST", "/v2/statements", AUTH, b"{not json"))
    assert body.status == 400 and "not valid JSON" in body.json()["message"]
    missing = handle(app, Request("POST", "/v2/statements", AUTH, b"{}"))
    assert missing.json() == {"message": "missing required field 'statement'"}
    bad_id = handle(app, Request("GET", "/v2/statements/xyz", AUTH))
    assert bad_id.status == 400 and "expected a UUID" in bad_id.json()["message"]
    unknown = handle(app, Request("GET", f"/v2/statements/{uuid.uuid4()}", AUTH))
    assert unknown.status == 404
    elsewhere = handle(app, Request("GET", "/nowhere", AUTH))
    assert (elsewhere.status, elsewhere.json()) == (404, {"message": "path not found: /nowhere"})
    trace = handle(app, Request("TRACE", "/nowhere", AUTH))
    assert trace.status == 405


def test_admin_faults_and_a_dropped_connection(app: Application) -> None:
    update = json.dumps({"drop_after_apply_next": 1}).encode()
    assert handle(app, Request("POST", "/_local/faults", AUTH, update)).status == 200
    name = f"core_{uuid.uuid4().hex[:8]}"
    dropped = handle(app, _post(f'CREATE DATABASE "{name}";'))
    assert dropped.drop and dropped.close  # the server closes the socket, sending nothing
    assert handle(app, Request("DELETE", "/_local/faults", AUTH)).status == 200
    listed = handle(app, _post("LIST DATABASES;")).json()
    assert [name] in [row[:1] for row in listed["data"]]  # applied before the drop
    stats = handle(app, Request("GET", "/_local/stats", AUTH)).json()
    assert stats["faults"]["dropped"] == 1


def test_routes_fold_statement_ids() -> None:
    assert route_of("GET", f"/v2/statements/{uuid.uuid4()}") == "GET /v2/statements/{statementID}"
    assert route_of("POST", "/v2/statements") == "POST /v2/statements"
    assert route_of("GET", "/v2/other") == "GET /v2/(other)"
    assert route_of("GET", "/_local/stats") == "GET /_local/stats"
    assert route_of("GET", "/x") == "GET (other)"
