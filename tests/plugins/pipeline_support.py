"""Helpers for driving DeltaStreamObject, Query and Application against a real deltastream-local.

:func:`drive` runs one lifecycle step (create, read, check, …) with a real HTTP client and a
real :class:`OperationContext`; :class:`Recording` passes every statement through to that
client and records it (with its context), so tests can assert whether a DESCRIBE was sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from deltastream_core.kinds import OperationContext
from deltastream_core.ports import ResultSet, Statement, StatementContext

ORG = "0b1c3a52-6d0e-4f1a-9c7b-2e5d8f4a1c00"
#: the Kafka store the pipeline tests' relations live in
KAFKA_STORE = (
    "CREATE STORE \"kafka\" WITH ('type' = KAFKA, 'uris' = 'localhost:9092', "
    "'kafka.sasl.hash_function' = NONE);"
)


class Log:
    def __init__(self) -> None:
        self.infos: list[str] = []
        self.warnings: list[str] = []

    def info(self, message: str) -> None:
        self.infos.append(message)

    def warning(self, message: str) -> None:
        self.warnings.append(message)


def messages(result: Any) -> dict[str, str]:
    """CheckResult failures as {property: reason} (reasons of one property joined)."""
    out: dict[str, str] = {}
    for failure in result.failures:
        out[failure.property] = (out.get(failure.property, "") + " | " + failure.reason).strip(" |")
    return out


class Recording:
    """A pass-through runner: forwards every statement to the real client and records it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.sent: list[Statement] = []
        self.contexts: list[StatementContext] = []

    async def run(self, statement: Statement, context: StatementContext) -> ResultSet:
        self.sent.append(statement)
        self.contexts.append(context)
        result: ResultSet = await self.inner.run(statement, context)
        return result


def drive(
    server: Any,
    step: Callable[[OperationContext], Any],
    *,
    log: Log | None = None,
    recording: list[Statement] | None = None,
    contexts: list[StatementContext] | None = None,
    timeout: float | None = 30.0,
    name: str = "res",
    **client_options: Any,
) -> Any:
    """Run one lifecycle step with a real client and system clock (fresh event loop).

    ``recording``/``contexts`` receive the statements sent and their contexts;
    ``client_options`` go to :class:`DeltaStreamClient` (e.g. ``retry=``).
    """
    import asyncio

    from deltastream_core.waiting import SystemClock
    from deltastream_http.client import DeltaStreamClient

    async def main() -> Any:
        async with DeltaStreamClient(server.url, server.token, **client_options) as client:
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
                if contexts is not None:
                    contexts.extend(runner.contexts)

    return asyncio.run(main())


def describes(sent: list[Statement]) -> list[str]:
    """The DESCRIBE statements among ``sent`` (what Check asked DeltaStream to plan)."""
    return [s.sql for s in sent if s.sql.startswith("DESCRIBE ")]


def sql_rows(server: Any, sql: str, **fields: Any) -> list[dict[str, Any]]:
    """Rows of one statement run out of band (admin view of the catalog)."""
    body = server.run(sql, **fields)
    assert body["sqlState"] == "00000", body
    names = [c["name"] for c in body["metadata"]["columns"]]
    return [dict(zip(names, row, strict=True)) for row in body.get("data") or []]


def create_streams(
    server: Any, names: Iterable[str], columns: str = "id VARCHAR, x BIGINT", **fields: Any
) -> None:
    """One stream per name (its topic named the same) where ``fields`` say (database, …)."""
    for name in names:
        ok(server, f"CREATE STREAM {name} ({columns}) WITH ('topic'='{name}');", **fields)


def ok(server: Any, sql: str, **fields: Any) -> None:
    body = server.run(sql, **fields)
    assert body["sqlState"] == "00000", body
