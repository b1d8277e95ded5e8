"""Hypothesis fuzzing of the HTTP endpoints: zero 500s, every answer valid, server never dies.

The default run sends a few hundred generated requests; ``-m slow`` runs thousands.
"""

from __future__ import annotations

import json
import socket
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deltastream_local.testing import ORGANIZATION_ID, LocalServer, local_server_fixture

fuzz_server = local_server_fixture("--partition-size", "3", "--max-body-bytes", "65536")

FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SLOW = settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
ALLOWED = {200, 202, 400, 403, 404, 405, 413}

identifiers = st.one_of(
    st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True),
    st.text(min_size=0, max_size=12),
)
literals = st.text(max_size=20).map(lambda s: "'" + s.replace("'", "''") + "'")
quoted = identifiers.map(lambda s: '"' + s.replace('"', '""') + '"')
templates = st.one_of(
    st.builds("CREATE DATABASE {};".format, quoted),
    st.builds("DROP DATABASE {};".format, quoted),
    st.builds("CREATE SCHEMA {} IN DATABASE {};".format, quoted, quoted),
    st.builds("DROP SCHEMA {}.{};".format, quoted, quoted),
    st.builds(
        'SELECT name, "owner", created_at FROM deltastream.sys."databases" WHERE name = {};'.format,
        literals,
    ),
    st.builds(
        (
            'SELECT name FROM deltastream.sys."schemas" WHERE database_name = {} AND name IN ({});'
        ).format,
        literals,
        literals,
    ),
    st.builds("USE DATABASE {};".format, quoted),
    st.builds(
        "CREATE STORE {} WITH ( 'type' = KAFKA, 'uris' = {}, 'tls.ca_cert_file' = '@c' );".format,
        quoted,
        literals,
    ),
    st.builds("DESCRIBE {}".format, st.text(max_size=40)),
)
statements = st.one_of(
    templates,
    st.text(max_size=200),
    st.lists(templates, min_size=1, max_size=3).map(" ".join),
)
maybe_strings = st.one_of(
    st.none(),
    st.text(max_size=16),
    st.integers(),
    st.booleans(),
    st.just("local"),
    st.just(ORGANIZATION_ID),
    st.sampled_from(["sysadmin", "public", "orgadmin"]),
)
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
statement_requests = st.fixed_dictionaries(
    {"statement": st.one_of(statements, statements, json_values)},
    optional={
        "organization": maybe_strings,
        "role": maybe_strings,
        "database": maybe_strings,
        "schema": maybe_strings,
        "store": maybe_strings,
        "computePool": maybe_strings,
        "parameters": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {}, optional={"timezone": maybe_strings, "sessionID": maybe_strings}
            ),
            json_values,
        ),
        "bindings": json_values,
    },
)


def check(server: LocalServer, response: httpx.Response) -> None:
    """The validating client already checked the body against the spec."""
    assert response.status_code in ALLOWED, (response.status_code, response.text)
    if response.status_code == 200 and "sqlState" in response.json():
        body = response.json()
        assert body["sqlState"] != "XX000", body  # the engine never crashed on it


def multipart(parts: list[tuple[bytes, bytes]], boundary: str) -> bytes:
    out = b""
    for headers, data in parts:
        out += f"--{boundary}\r\n".encode() + headers + b"\r\n\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


part_headers = st.one_of(
    st.builds(
        lambda name, filename: (
            f'Content-Disposition: form-data; name="{name}"'
            + (f'; filename="{filename}"' if filename is not None else "")
        ).encode("utf-8", "replace"),
        st.sampled_from(["request", "attachments", "other", ""]),
        st.one_of(st.none(), st.text(max_size=10)),
    ),
    st.binary(max_size=60),
)
multipart_bodies = st.tuples(
    st.lists(
        st.tuples(
            part_headers,
            st.one_of(
                statement_requests.map(lambda r: json.dumps(r).encode()),
                st.binary(max_size=200),
            ),
        ),
        max_size=4,
    ),
    st.from_regex(r"[A-Za-z0-9'()+_,-.]{1,40}", fullmatch=True),
    st.booleans(),
)


def _json_statements(server: LocalServer, request: dict[str, Any]) -> None:
    check(server, server.http.post("/statements", json=request))


def _raw_bodies(server: LocalServer, body: bytes, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type is not None else {}
    check(server, server.http.post("/statements", content=body, headers=headers))


def _multipart(server: LocalServer, spec: tuple[list[tuple[bytes, bytes]], str, bool]) -> None:
    parts, boundary, corrupt = spec
    body = multipart(parts, boundary)
    if corrupt:
        body = body[: len(body) // 2]
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    check(server, server.http.post("/statements", content=body, headers=headers))


def _gets(server: LocalServer, statement_id: str, query: dict[str, str]) -> None:
    path = f"/statements/{quote(statement_id, safe='')}"
    check(server, server.http.get(path, params=query))


def _anything(server: LocalServer, method: str, path: str, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth is not None else {}
    # an absolute URL: httpx refuses relative paths starting with "//", the server must not
    with httpx.Client(event_hooks=server.http.event_hooks) as client:
        response = client.request(method, server.root + path, headers=headers)
    assert response.status_code in ALLOWED, (response.status_code, response.text)


raw_content_types = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "application/x-www-form-urlencoded",
            "text/plain",
            "application/octet-stream",
        ]
    ),
    st.text(max_size=30).filter(lambda s: s.isascii() and s.isprintable() and s == s.strip()),
)
statement_ids = st.one_of(st.uuids().map(str), st.text(max_size=40))
queries = st.dictionaries(
    st.sampled_from(["partitionID", "sessionID", "timezone", "x"]),
    st.one_of(st.integers(-5, 10).map(str), st.text(max_size=10)),
    max_size=3,
)
paths = st.one_of(
    st.sampled_from(
        [
            "/v2/version",
            "/v2/statements",
            f"/v2/statements/{uuid.uuid4()}",
            "/_local/stats",
            "/_local/faults",
            "/_local/options",
            "/",
            "/v2",
            "/v2/download/function_source/a/b",
        ]
    ),
    st.from_regex(r"/[A-Za-z0-9_./%-]{0,40}", fullmatch=True),
)
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
auths = st.one_of(
    st.none(),
    st.just("Bearer local-test-token"),
    st.text(max_size=30).filter(lambda s: s.isascii() and s.isprintable() and s == s.strip()),
)


@FAST
@given(request=statement_requests)
def test_fuzz_json_statements(fuzz_server: LocalServer, request: dict[str, Any]) -> None:
    _json_statements(fuzz_server, request)


@FAST
@given(body=st.binary(max_size=400), content_type=raw_content_types)
def test_fuzz_raw_bodies(fuzz_server: LocalServer, body: bytes, content_type: str | None) -> None:
    _raw_bodies(fuzz_server, body, content_type)


@FAST
@given(spec=multipart_bodies)
def test_fuzz_multipart(
    fuzz_server: LocalServer, spec: tuple[list[tuple[bytes, bytes]], str, bool]
) -> None:
    _multipart(fuzz_server, spec)


@FAST
@given(statement_id=statement_ids, query=queries)
def test_fuzz_statement_lookups(
    fuzz_server: LocalServer, statement_id: str, query: dict[str, str]
) -> None:
    _gets(fuzz_server, statement_id, query)


@FAST
@given(method=methods, path=paths, auth=auths)
def test_fuzz_methods_paths_and_tokens(
    fuzz_server: LocalServer, method: str, path: str, auth: str | None
) -> None:
    _anything(fuzz_server, method, path, auth)


@pytest.mark.slow
@SLOW
@given(request=statement_requests)
def test_fuzz_json_statements_thorough(fuzz_server: LocalServer, request: dict[str, Any]) -> None:
    _json_statements(fuzz_server, request)


@pytest.mark.slow
@SLOW
@given(body=st.binary(max_size=2000), content_type=raw_content_types)
def test_fuzz_raw_bodies_thorough(
    fuzz_server: LocalServer, body: bytes, content_type: str | None
) -> None:
    _raw_bodies(fuzz_server, body, content_type)


@pytest.mark.slow
@SLOW
@given(spec=multipart_bodies)
def test_fuzz_multipart_thorough(
    fuzz_server: LocalServer, spec: tuple[list[tuple[bytes, bytes]], str, bool]
) -> None:
    _multipart(fuzz_server, spec)


@pytest.mark.slow
@SLOW
@given(statement_id=statement_ids, query=queries, method=methods, path=paths, auth=auths)
def test_fuzz_requests_thorough(
    fuzz_server: LocalServer,
    statement_id: str,
    query: dict[str, str],
    method: str,
    path: str,
    auth: str | None,
) -> None:
    _gets(fuzz_server, statement_id, query)
    _anything(fuzz_server, method, path, auth)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(min_size=1, max_size=300))
def test_fuzz_raw_socket_garbage(fuzz_server: LocalServer, raw: bytes) -> None:
    """Bytes that are not HTTP at all: any answer is JSON and never a 500."""
    host, port = fuzz_server.root.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(raw + b"\r\n\r\n")
        sock.shutdown(socket.SHUT_WR)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except TimeoutError:
            pass
    if data:
        head = data.split(b"\r\n", 1)[0]
        assert not head.startswith(b"HTTP/1.1 500"), data
        assert b"Content-Type: application/json" in data, data[:300]


def test_server_survived_the_fuzzing(fuzz_server: LocalServer) -> None:
    assert fuzz_server.alive()
    assert fuzz_server.http.get("/version").status_code == 200
    assert fuzz_server.stats()["responses"].get("500", 0) == 0
