"""Ports: what the core needs from the outside world, as Protocols.

The core and the plugins depend only on these; ``deltastream_http`` implements
:class:`StatementRunner`, ``deltastream_pulumi`` drives :class:`deltastream_core.kinds.ResourceKind`
and :class:`deltastream_core.kinds.Function` and implements :class:`EngineLog`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

import attrs

from deltastream_core.errors import PropertyProblem, ValidationError
from deltastream_core.lexer import single_statement_problem
from deltastream_core.secrets import Secret


class Access(enum.Enum):
    """How a statement touches DeltaStream; decides what is retried after an ambiguous failure."""

    READ = "read"  # SELECT, LIST, DESCRIBE: always safe to repeat
    WRITE = "write"  # DDL: repeat only after an effect probe says it did not apply


@attrs.frozen
class StatementContext:
    """Request context fields sent with a statement (all case sensitive on the service)."""

    organization: str | None = None
    role: str | None = None
    database: str | None = None
    schema: str | None = None
    store: str | None = None
    compute_pool: str | None = None

    def with_(self, **changes: str | None) -> StatementContext:
        return attrs.evolve(self, **changes)


@attrs.frozen
class EffectProbe:
    """A read-only statement that tells whether a WRITE statement took effect.

    Used after an ambiguous failure (connection lost after the request was sent): the runner
    runs ``statement``; the write applied iff rows came back (``applied_if_rows=True``) or
    none did (``applied_if_rows=False``, e.g. for DROP).
    """

    statement: Statement
    applied_if_rows: bool = True


@attrs.frozen
class Statement:
    """One SQL statement and what travels with it.

    ``attachments`` map a file name (as the WITH clause names it, e.g. ``@cacert``) to bytes.
    ``secrets`` are the literal values that must be redacted wherever the SQL is logged.
    Text holding more than one statement is refused here, so nothing can ever send one: the
    service would run them all (Check names the offending input long before this).
    """

    sql: str
    access: Access = Access.WRITE
    attachments: Mapping[str, bytes] = attrs.field(factory=dict, repr=False)
    secrets: tuple[str, ...] = attrs.field(default=(), repr=False)
    probe: EffectProbe | None = None

    def __attrs_post_init__(self) -> None:
        problem = single_statement_problem(self.sql, allow_empty=True)
        if problem:
            raise ValidationError(
                [PropertyProblem("", f"nothing was sent: the statement text {problem}")]
            )

    @classmethod
    def read(cls, sql: str) -> Statement:
        return cls(sql, access=Access.READ)

    def redacted(self) -> str:
        """The SQL text with every secret literal replaced, safe for logs."""
        text = self.sql
        for value in sorted(self.secrets, key=len, reverse=True):
            if value:
                text = text.replace(value, "<redacted>")
                escaped = value.replace("'", "''")
                text = text.replace(escaped, "<redacted>")
        return text


@attrs.frozen
class ResultColumn:
    name: str
    type: str
    nullable: bool = True


def _parse_timestamp(text: str) -> datetime:
    """Parse DeltaStream's ``YYYY-MM-DD HH:MM:SS[.fff][Z|+hhmm]`` (zoneless means UTC)."""
    value = text.strip().replace(" ", "T", 1)
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def convert_value(type_name: str, raw: str | None) -> Any:
    """Decode one wire value by its column type (all values travel as strings)."""
    if raw is None:
        return None
    upper = type_name.upper()
    if upper.startswith("BOOLEAN"):
        return raw.lower() == "true"
    if upper.startswith(("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "INT")):
        return int(raw)
    if upper.startswith(("FLOAT", "DOUBLE", "DECIMAL")):
        return float(raw)
    if upper.startswith("TIMESTAMP"):
        return _parse_timestamp(raw)
    return raw


@attrs.frozen
class ResultSet:
    """The rows of a finished statement, every partition fetched, values still as strings."""

    columns: tuple[ResultColumn, ...] = ()
    rows: tuple[tuple[str | None, ...], ...] = ()
    statement_id: str | None = None
    #: True when the runner did not get an answer but an effect probe proved the write applied
    reconciled: bool = False

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> Iterator[dict[str, Any]]:
        """Rows as dicts keyed by column name, values decoded by column type."""
        for row in self.rows:
            yield {
                col.name: convert_value(col.type, value)
                for col, value in zip(self.columns, row, strict=True)
            }

    def first(self) -> dict[str, Any] | None:
        return next(self.records(), None)


class StatementRunner(Protocol):
    """Runs one SQL statement on DeltaStream and returns its complete result.

    Implementations submit the statement with the given context, wait for it to finish
    (polling a pending statement), fetch every partition, and map failures to
    :mod:`deltastream_core.errors`: a SQL error becomes the typed ``StatementError`` for its
    sqlState; rate limits and outages are retried per the statement's :class:`Access`, and
    surface as ``TransientError`` when retries run out; a lost answer to a WRITE is settled
    with its :class:`EffectProbe` (never a duplicate, never a lost create) or raised as
    ``AmbiguousOutcomeError``.
    """

    async def run(self, statement: Statement, context: StatementContext) -> ResultSet:
        """Run ``statement`` in ``context``; raise a ``DeltaStreamError`` on failure."""
        ...


class EngineLog(Protocol):
    """User-facing messages for the Pulumi engine's log, attached to the current resource."""

    def info(self, message: str) -> None:
        """A progress message (e.g. waiting for a store to become ready)."""
        ...

    def warning(self, message: str) -> None:
        """A warning the user should read (e.g. a lookup result was truncated)."""
        ...


class Clock(Protocol):
    """Time source and sleeper, injectable so waits can be tested without real time."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin, never going backwards."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Suspend the current task for ``seconds``."""
        ...


__all__ = [
    "Access",
    "Clock",
    "EffectProbe",
    "EngineLog",
    "ResultColumn",
    "ResultSet",
    "Secret",
    "Statement",
    "StatementContext",
    "StatementRunner",
    "convert_value",
]
