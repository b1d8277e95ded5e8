"""REST API v2 of deltastream-local over real sockets: auth, errors, bodies, context echo.

Every response goes through the OpenAPI validator (``server.http`` / ``server.client()``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from deltastream_local.testing import ORGANIZATION_ID, LocalServer, validating_hooks

Unique = Callable[[str], str]


def lookup(name: str) -> str:
    columns = 'name, "owner", created_at'
    return f"SELECT {columns} FROM deltastream.sys.\"databases\" WHERE name = '{name}';"


PROBE = lookup("no_such_database")


def anonymous(server: LocalServer, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers=headers, event_hooks=validating_hooks())


# -- auth --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": "Basic bG9jYWw6dGVzdA=="},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer local-test-token-and-more"},
    ],
    ids=["missing", "wrong", "basic", "empty", "prefix"],
)
def test_wrong_or_missing_token_is_403_on_every_endpoint(
    server: LocalServer, headers: dict[str, str]
) -> None:
    sid = str(uuid.uuid4())
    with anonymous(server, **headers) as client:
        responses = [
            client.get("/version"),
            client.post("/statements", json={"statement": PROBE}),
            client.get(f"/statements/{sid}"),
            client.get(f"{server.root}/_local/stats"),
            client.post(f"{server.root}/_local/faults", json={"rate_limit_next": 5}),
        ]
    for response in responses:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.json()["message"]
    # the rejected admin call changed nothing
    assert server.admin("faults")["rate_limit_next"] == 0


def test_bearer_scheme_is_case_insensitive(server: LocalServer) -> None:
    with anonymous(server, Authorization=f"bearer {server.token}") as client:
        assert client.get("/version").status_code == 200


def test_version(server: LocalServer) -> None:
    response = server.http.get("/version")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"major", "minor", "patch"}
    assert all(isinstance(v, int) for v in body.values())


# -- statements: JSON and multipart ------------------------------------------------------


def test_json_statement_round_trip(server: LocalServer, unique: Unique) -> None:
    name = unique("db")
    created = server.http.post("/statements", json={"statement": f'CREATE DATABASE "{name}";'})
    assert created.status_code == 200
    body = created.json()
    assert body["sqlState"] == "00000", body
    assert uuid.UUID(body["statementID"])
    assert isinstance(body["createdOn"], int)
    assert body["metadata"]["encoding"] == "json"

    found = server.http.post("/statements", json={"statement": lookup(name)}).json()
    assert found["sqlState"] == "00000"
    assert found["metadata"]["partitionInfo"][0]["rowCount"] == 1
    assert found["data"][0][0] == name
    columns = {c["name"]: c["type"] for c in found["metadata"]["columns"]}
    assert columns["created_at"].upper().startswith("TIMESTAMP")


def test_multipart_request_part_with_content_type(server: LocalServer, unique: Unique) -> None:
    name = unique("db")
    request = json.dumps({"statement": f'CREATE DATABASE "{name}";', "parameters": {}}) + "\n"
    response = server.http.post(
        "/statements",
        files=[("request", (None, request.encode(), "application/json"))],
    )
    assert response.status_code == 200
    assert response.json()["sqlState"] == "00000"
    assert server.run(lookup(name))["data"][0][0] == name


def test_multipart_request_as_plain_form_field(server: LocalServer, unique: Unique) -> None:
    """How the official Python client sends it: no Content-Type on the ``request`` part."""
    name = unique("db")
    body = {"statement": f'CREATE DATABASE "{name}";', "parameters": {"sessionID": ""}}
    response = server.http.post(
        "/statements",
        data={"request": json.dumps(body)},
        files=[("attachments", ("unused.pem", b"x", "application/x-pem-file"))],
    )
    assert response.status_code == 200, response.text
    assert b'name="request"\r\n\r\n' in response.request.read()  # really no Content-Type
    assert response.json()["sqlState"] == "00000"


def test_urlencoded_form(server: LocalServer, unique: Unique) -> None:
    body = {"statement": f'CREATE DATABASE "{unique("db")}";'}
    response = server.http.post("/statements", data={"request": json.dumps(body)})
    assert response.status_code == 200, response.text
    assert response.json()["sqlState"] == "00000"


def test_multipart_with_attachments_go_driver_shape(server: LocalServer, unique: Unique) -> None:
    """The GO driver's exact framing: trailing ``;`` in the disposition, binary attachments."""
    boundary = "b0undary"
    request = json.dumps({"statement": f'CREATE DATABASE "{unique("db")}";', "parameters": {}})
    blob = b"-----BEGIN PRIVATE KEY-----\r\n\x00\xff--b0und\r\n-----END PRIVATE KEY-----"
    raw = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="request";\r\n'
            "Content-Type: application/json\r\n\r\n"
            f"{request}\n\r\n"
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="attachments"; filename="@keyfile"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + blob
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = server.http.post(
        "/statements",
        content=raw,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["sqlState"] == "00000"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"content": b"{not json"}, "not valid JSON"),
        ({"content": b"[1, 2]"}, "JSON object"),
        ({"json": {}}, "statement"),
        ({"json": {"statement": 42}}, "statement"),
        ({"json": {"statement": PROBE, "role": 1}}, "role"),
        ({"json": {"statement": PROBE, "parameters": []}}, "parameters"),
        ({"content": b"\xff\xfe", "headers": {"Content-Type": "application/json"}}, "JSON"),
        ({"content": b"x", "headers": {"Content-Type": "application/xml"}}, "Content-Type"),
        ({"data": {"nothing": "here"}, "files": {"attachments": ("a", b"x")}}, "request"),
        (
            {"content": b"--x\r\nbroken", "headers": {"Content-Type": "multipart/form-data"}},
            "boundary",
        ),
        ({"content": b"[" * 100_000}, "JSON"),
    ],
    ids=[
        "bad-json",
        "not-object",
        "no-statement",
        "statement-not-string",
        "role-not-string",
        "parameters-not-object",
        "bad-utf8",
        "bad-content-type",
        "multipart-without-request",
        "multipart-without-boundary",
        "deep-nesting",
    ],
)
def test_malformed_bodies_are_400(server: LocalServer, kwargs: dict, fragment: str) -> None:
    response = server.http.post("/statements", **kwargs)
    assert response.status_code == 400, response.text
    assert fragment.lower() in response.json()["message"].lower()


def test_body_size_limit() -> None:
    with LocalServer("--max-body-bytes", "1024") as small:
        big = {"statement": PROBE + " " * 2048}
        response = small.http.post("/statements", json=big)
        assert response.status_code == 413
        assert "larger" in response.json()["message"]
        # the server is fine afterwards
        assert small.http.get("/version").status_code == 200


def test_default_body_limit_is_16_mib(server: LocalServer) -> None:
    big = b'{"statement": "' + b" " * (16 * 1024 * 1024) + b'"}'
    response = server.http.post(
        "/statements", content=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert server.http.get("/version").status_code == 200


def test_concurrent_creates_of_one_name_succeed_once(server: LocalServer, unique: Unique) -> None:
    name = unique("race")
    statement = {"statement": f'CREATE DATABASE "{name}";'}

    def create(_: int) -> str:
        with server.client() as client:
            return str(client.post("/statements", json=statement).json()["sqlState"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        states = list(pool.map(create, range(8)))
    assert states.count("00000") == 1, states
    assert set(states) - {"00000"} == {"42P04"}
    assert server.run(lookup(name))["metadata"]["partitionInfo"] == [{"id": 0, "rowCount": 1}]


# -- statement lookup --------------------------------------------------------------------


def test_unknown_statement_is_404(server: LocalServer) -> None:
    response = server.http.get(f"/statements/{uuid.uuid4()}")
    assert response.status_code == 404
    assert "not found" in response.json()["message"]


@pytest.mark.parametrize("bad_id", ["nope", "1234", "5a3c9e41-0b7d-4f6e-9c2a-81d4e6f0b3a"])
def test_bad_statement_id_is_400(server: LocalServer, bad_id: str) -> None:
    response = server.http.get(f"/statements/{bad_id}")
    assert response.status_code == 400
    assert "statementID" in response.json()["message"]


@pytest.mark.parametrize(
    "query",
    [
        "partitionID=x",
        "partitionID=-1",
        "partitionID=",
        "partitionID=99999999999",
        "partitionID=1&partitionID=2",
        "partitionID=1",
    ],
)
def test_bad_partition_id_is_400(server: LocalServer, unique: Unique, query: str) -> None:
    sid = server.http.post("/statements", json={"statement": lookup(unique("db"))}).json()[
        "statementID"
    ]
    response = server.http.get(f"/statements/{sid}?{query}")
    assert response.status_code == 400, response.text
    assert "partitionID" in response.json()["message"]


def test_get_repeats_the_result_and_accepts_client_query_params(
    server: LocalServer, unique: Unique
) -> None:
    name = unique("db")
    server.run(f'CREATE DATABASE "{name}";')
    posted = server.http.post("/statements", json={"statement": lookup(name)}).json()
    fetched = server.http.get(
        f"/statements/{posted['statementID']}",
        params={"partitionID": 0, "sessionID": "", "timezone": "UTC"},
    ).json()
    assert fetched == posted


def test_head_is_get_without_a_body(server: LocalServer) -> None:
    response = httpx.head(f"{server.url}/version", headers=server.headers)
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0


def test_unknown_paths_and_methods(server: LocalServer) -> None:
    assert server.http.get("/nothing").status_code == 404
    assert server.http.get(f"{server.root}/").status_code == 404
    assert server.http.get("/statements").status_code == 405
    assert server.http.post("/version").status_code == 405
    response = server.http.delete(f"/statements/{uuid.uuid4()}")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


# -- SQL errors and context --------------------------------------------------------------


def test_sql_error_is_200_with_metadata(server: LocalServer, unique: Unique) -> None:
    response = server.http.post(
        "/statements", json={"statement": f'DROP DATABASE "{unique("missing")}";'}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["sqlState"] == "3D002"
    assert "missing_" in body["message"]
    assert body["metadata"]["partitionInfo"] == []
    assert body["metadata"]["columns"] == []


def test_syntax_error_is_a_sql_error(server: LocalServer) -> None:
    body = server.http.post("/statements", json={"statement": "CREATE DATABASE ;"}).json()
    assert body["sqlState"] == "42601"


@pytest.mark.parametrize("organization", [ORGANIZATION_ID, ORGANIZATION_ID.upper(), "local"])
def test_the_local_organization_by_id_or_name(server: LocalServer, organization: str) -> None:
    body = server.run(PROBE, organization=organization)
    assert body["sqlState"] == "00000"
    assert body["metadata"]["context"]["organizationID"] == ORGANIZATION_ID


def test_other_organizations_are_3d004(server: LocalServer) -> None:
    body = server.run(PROBE, organization=str(uuid.uuid4()))
    assert body["sqlState"] == "3D004"
    assert "does not exist" in body["message"]
    assert server.run(PROBE, organization="acme")["sqlState"] == "3D004"


@pytest.mark.parametrize("role", ["sysadmin", "orgadmin", "useradmin", "securityadmin", "public"])
def test_known_roles(server: LocalServer, role: str) -> None:
    body = server.run(PROBE, role=role)
    assert body["sqlState"] == "00000"
    assert body["metadata"]["context"]["roleName"] == role


def test_unknown_role_is_3d001(server: LocalServer) -> None:
    body = server.run(PROBE, role="SYSADMIN")
    assert body["sqlState"] == "3D001"
    assert "SYSADMIN" in body["message"]


def test_context_echo_is_the_full_effective_context(server: LocalServer, unique: Unique) -> None:
    name = unique("db")
    server.run(f'CREATE DATABASE "{name}";')
    body = server.run(
        PROBE,
        organization=ORGANIZATION_ID,
        role="sysadmin",
        database=name,
        schema="public",
        parameters={"timezone": "UTC", "sessionID": "s-1"},
    )
    assert body["sqlState"] == "00000"
    assert body["metadata"]["context"] == {
        "organizationID": ORGANIZATION_ID,
        "roleName": "sysadmin",
        "databaseName": name,
        "schemaName": "public",
    }
    # no context given: the default organization and role are still echoed
    default = server.run(PROBE)["metadata"]["context"]
    assert default == {"organizationID": ORGANIZATION_ID, "roleName": "sysadmin"}


def test_keep_alive_connection_serves_many_requests(server: LocalServer) -> None:
    with server.client() as client:
        for _ in range(20):
            assert client.get("/version").status_code == 200
    assert server.alive()
