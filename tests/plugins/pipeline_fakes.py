"""A scripted runner for Check tests of DeltaStreamObject, Query and Application.

It answers ``DESCRIBE <statement>`` with a plan chosen by the test and records every statement,
so tests can assert both the failures and whether a DESCRIBE was sent at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from deltastream_core.errors import DeltaStreamError
from deltastream_core.kinds import OperationContext
from deltastream_core.ports import ResultColumn, ResultSet, Statement, StatementContext

ORG = "0b1c3a52-6d0e-4f1a-9c7b-2e5d8f4a1c00"


def rel(
    db: str, ns: str, name: str, store: str | None = "kafka", *, virtual: bool | None = None
) -> dict[str, Any]:
    """A relation object as plans carry it (4-part fqn with the organization)."""
    out: dict[str, Any] = {
        "fqn": f'"{ORG}"."{db}"."{ns}"."{name}"',
        "type": "stream",
        "db_name": db,
        "schema_name": ns,
        "name": name,
        "store_name": store,
    }
    if virtual is not None:
        out["is_virtual"] = virtual
    return out


def plan_result(kind: str, plan: dict[str, Any]) -> ResultSet:
    return ResultSet(
        columns=(ResultColumn("kind", "VARCHAR"), ResultColumn("plan", "VARCHAR")),
        rows=((kind, json.dumps(plan)),),
    )


class PlanRunner:
    """Answers DESCRIBE with ``answer`` (a ResultSet, or an error to raise)."""

    def __init__(self, answer: ResultSet | DeltaStreamError | None = None) -> None:
        self.answer = answer
        self.sent: list[tuple[str, StatementContext]] = []

    async def run(self, statement: Statement, context: StatementContext) -> ResultSet:
        self.sent.append((statement.sql, context))
        if isinstance(self.answer, DeltaStreamError):
            raise self.answer
        return self.answer or ResultSet()

    @property
    def describes(self) -> list[str]:
        return [sql for sql, _ in self.sent if sql.startswith("DESCRIBE ")]


class Log:
    def __init__(self) -> None:
        self.infos: list[str] = []
        self.warnings: list[str] = []

    def info(self, message: str) -> None:
        self.infos.append(message)

    def warning(self, message: str) -> None:
        self.warnings.append(message)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def context(runner: Any, log: Log | None = None, *, preview: bool = False) -> OperationContext:
    return OperationContext(
        runner=runner,
        base=StatementContext(role="sysadmin"),
        log=log or Log(),
        clock=Clock(),
        resource_name="res",
        preview=preview,
    )


def messages(result: Any) -> dict[str, str]:
    """CheckResult failures as {property: reason} (reasons of one property joined)."""
    out: dict[str, str] = {}
    for failure in result.failures:
        out[failure.property] = (out.get(failure.property, "") + " | " + failure.reason).strip(" |")
    return out


Check = Callable[..., Any]


# -- driving kinds against a real deltastream-local ----------------------------------------


class Recording:
    """A runner wrapper that records what it sends."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.sent: list[Statement] = []

    async def run(self, statement: Statement, context: StatementContext) -> ResultSet:
        self.sent.append(statement)
        result: ResultSet = await self.inner.run(statement, context)
        return result


def drive(
    server: Any,
    step: Callable[[OperationContext], Any],
    *,
    log: Log | None = None,
    recording: list[Statement] | None = None,
    timeout: float | None = 30.0,
    name: str = "res",
) -> Any:
    """Run one lifecycle step with a real client and system clock (fresh event loop)."""
    import asyncio

    from deltastream_core.waiting import SystemClock
    from deltastream_http.client import DeltaStreamClient

    async def main() -> Any:
        async with DeltaStreamClient(server.url, server.token) as client:
            runner = Recording(client)
            ctx = OperationContext(
                runner=runner,
                base=StatementContext(organization=ORG),
                log=log or Log(),
                clock=SystemClock(),
                timeout=timeout,
                resource_name=name,
            )
            try:
                return await step(ctx)
            finally:
                if recording is not None:
                    recording.extend(runner.sent)

    return asyncio.run(main())


def sql_rows(server: Any, sql: str, **fields: Any) -> list[dict[str, Any]]:
    """Rows of one statement run out of band (admin view of the catalog)."""
    body = server.run(sql, **fields)
    assert body["sqlState"] == "00000", body
    names = [c["name"] for c in body["metadata"]["columns"]]
    return [dict(zip(names, row, strict=True)) for row in body.get("data") or []]


def ok(server: Any, sql: str, **fields: Any) -> None:
    body = server.run(sql, **fields)
    assert body["sqlState"] == "00000", body
