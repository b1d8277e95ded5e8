"""getDatabase(s) / getNamespace(s) invokes through the real provider."""

from __future__ import annotations

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import (
    EngineLogServer,
    InvokeFailedError,
    ProviderRPCError,
    Stack,
)
from deltastream_pulumi.testing.local import RequestCounter, run_sql, unique_name


def error_text(exc: BaseException) -> str:
    if isinstance(exc, ProviderRPCError):
        return exc.details
    return str(exc)


def test_get_database_and_not_found(stack: Stack, local_server: LocalServer) -> None:
    name = unique_name("look")
    run_sql(local_server, f'CREATE DATABASE "{name}";')
    with RequestCounter(local_server) as counter:
        found = stack.invoke("deltastream:index:getDatabase", {"name": name})
    assert counter.total <= 1  # one SELECT
    assert found["name"] == name and found["owner"] == "sysadmin"
    assert found["createdAt"].endswith("Z")
    missing = unique_name("missing")
    with pytest.raises((InvokeFailedError, ProviderRPCError)) as info:
        stack.invoke("deltastream:index:getDatabase", {"name": missing})
    assert missing in error_text(info.value) and "not found" in error_text(info.value)


def test_get_databases_is_ordered_by_name(stack: Stack, local_server: LocalServer) -> None:
    names = [unique_name("ord") for _ in range(3)]
    for name in names:
        run_sql(local_server, f'CREATE DATABASE "{name}";')
    result = stack.invoke("deltastream:index:getDatabases", {}, preview=True)
    listed = [d["name"] for d in result["databases"]]
    assert listed == sorted(listed)
    assert set(names) <= set(listed)


def test_get_namespace_and_namespaces(stack: Stack, local_server: LocalServer) -> None:
    db = unique_name("nslook")
    run_sql(local_server, f'CREATE DATABASE "{db}";')
    for ns in ("zeta", "alpha"):
        run_sql(local_server, f'CREATE SCHEMA "{ns}" IN DATABASE "{db}";')
    one = stack.invoke("deltastream:index:getNamespace", {"database": db, "name": "alpha"})
    assert (one["database"], one["name"]) == (db, "alpha")
    many = stack.invoke("deltastream:index:getNamespaces", {"database": db})
    assert [n["name"] for n in many["namespaces"]] == ["alpha", "public", "zeta"]
    with pytest.raises((InvokeFailedError, ProviderRPCError)) as info:
        stack.invoke("deltastream:index:getNamespace", {"database": db, "name": "nope"})
    assert "nope" in error_text(info.value) and db in error_text(info.value)


def test_more_than_200_rows_returns_200_and_warns(
    stack: Stack, local_server: LocalServer, engine_log: EngineLogServer
) -> None:
    # a fresh database with 201 namespaces (cheap direct statements)
    db = unique_name("cap")
    run_sql(local_server, f'CREATE DATABASE "{db}";')
    for i in range(200):  # + public = 201
        run_sql(local_server, f'CREATE SCHEMA "s{i:03d}" IN DATABASE "{db}";')
    result = stack.invoke("deltastream:index:getNamespaces", {"database": db})
    assert len(result["namespaces"]) == 200
    warnings = engine_log.records("WARNING")
    assert any("200" in w.message for w in warnings), engine_log.text()
