"""Faults chosen by statement (``statement_pattern``): only the POSTs whose SQL the pattern is
found in are refused or dropped; other statements and polls are served as usual."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from deltastream_local.testing import LocalServer

Unique = Callable[[str], str]


@pytest.fixture
def clean(server: LocalServer) -> Iterator[LocalServer]:
    server.reset_faults()
    server.reset_stats()
    yield server
    server.reset_faults()


def _post(server: LocalServer, statement: str) -> httpx.Response:
    return server.http.post("/statements", json={"statement": statement})


def test_only_matching_statements_are_refused(clean: LocalServer, unique: Unique) -> None:
    name = unique("pat")
    clean.set_faults(statement_pattern=r'sys\."databases"', unavailable_fraction=1.0)
    assert _post(clean, f'CREATE DATABASE "{name}";').status_code == 200
    refused = _post(clean, 'SELECT name FROM deltastream.sys."databases";')
    assert refused.status_code == 503
    assert _post(clean, "LIST DATABASES;").status_code == 200
    assert clean.stats()["faults"] == {"503": 1}


def test_an_anchored_pattern_spares_the_describe_of_the_same_statement(
    clean: LocalServer, unique: Unique
) -> None:
    name = unique("pat")
    clean.set_faults(statement_pattern="^CREATE DATABASE", drop_after_apply_next=1)
    assert _post(clean, f'DESCRIBE CREATE DATABASE "{name}";').status_code in (200, 400)
    with pytest.raises(httpx.TransportError):
        _post(clean, f'CREATE DATABASE "{name}";')
    assert clean.stats()["faults"] == {"dropped": 1}
    # applied before the connection closed
    found = clean.run(f"SELECT name FROM deltastream.sys.\"databases\" WHERE name = '{name}';")
    assert found["data"] == [[name]]


def test_a_bad_pattern_is_refused(clean: LocalServer) -> None:
    response = httpx.post(
        f"{clean.root}/_local/faults",
        json={"statement_pattern": "("},
        headers=clean.headers,
    )
    assert response.status_code == 400
    assert "statement_pattern" in response.text
