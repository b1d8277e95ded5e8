"""getDatabases caps at 200 rows with an engine WARNING (own server: it creates 201)."""

from __future__ import annotations

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import EngineLogServer, Stack
from deltastream_pulumi.testing.local import run_sql


def test_get_databases_caps_at_200_with_a_warning(
    stack: Stack, local_server: LocalServer, engine_log: EngineLogServer
) -> None:
    existing = len(run_sql(local_server, 'SELECT name FROM deltastream.sys."databases";'))
    for i in range(201 - existing):
        run_sql(local_server, f'CREATE DATABASE "cap{i:03d}";')
    result = stack.invoke("deltastream:index:getDatabases", {})
    names = [d["name"] for d in result["databases"]]
    assert len(names) == 200 and names == sorted(names)
    (warning,) = engine_log.records("WARNING")
    assert "200" in warning.message and "getDatabase" in warning.message
