"""Run-time knobs of the HTTP layer: server options and fault injection.

Both are plain dataclasses that the CLI fills from flags/environment and the admin endpoints
(``/_local/options``, ``/_local/faults``) update at run time. :func:`apply_update` validates a
partial JSON update against a dataclass's field types, so the admin API and the
``DELTASTREAM_LOCAL_FAULTS`` environment variable share one schema.
"""

from __future__ import annotations

import dataclasses
import math
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from deltastream_local.engine.api import EngineOptions


class OptionError(ValueError):
    """An admin or CLI update named an unknown field or gave it a bad value."""


@dataclass
class ServerOptions:
    """Knobs of the HTTP layer (the engine's knobs live in :class:`EngineOptions`)."""

    #: rows per result partition (``metadata.partitionInfo``)
    partition_size: int = 1000
    #: seconds a POST waits for its statement before answering 202 + ``03000``
    async_threshold: float = 0.5
    #: artificial execution time added before each statement runs (exercises 202 polling)
    statement_delay: float = 0.0
    #: if set, ``statement_delay`` applies only to statements containing this substring
    statement_delay_matching: str | None = None


@dataclass
class FaultSettings:
    """Fault injection for API requests (``/v2/...``); everything is off by default.

    ``*_next`` counters are consumed by matching requests; ``*_fraction`` are probabilities
    in [0, 1]. ``match`` restricts all faults to requests whose ``"METHOD /path"`` starts
    with it (e.g. ``"POST /v2/statements"``).
    """

    #: the next N matching API requests answer 429 with ``Retry-After``
    rate_limit_next: int = 0
    #: share of matching API requests answered 429
    rate_limit_fraction: float = 0.0
    #: the next N matching API requests answer 503
    unavailable_next: int = 0
    #: share of matching API requests answered 503
    unavailable_fraction: float = 0.0
    #: value (seconds) of the ``Retry-After`` header on 429 and 503 answers
    retry_after: int = 1
    #: seconds of latency added before each matching API request is handled
    latency: float = 0.0
    #: matching API requests admitted per second (a token bucket); beyond it they answer 429
    #: with ``Retry-After`` = the whole seconds until a token is free. 0: no limit
    rate_limit: float = 0.0
    #: tokens the bucket holds (requests admitted at once after a quiet spell); 0: one
    #: second's worth, ``ceil(rate_limit)``
    rate_limit_burst: int = 0
    #: the next N matching ``POST /statements`` are applied, then the connection is closed
    #: without a response
    drop_after_apply_next: int = 0
    #: share of matching ``POST /statements`` that are applied and then dropped
    drop_after_apply_fraction: float = 0.0
    #: only requests whose ``"METHOD /path"`` starts with this are subject to faults
    match: str | None = None
    #: if set, only ``POST /statements`` whose SQL this regular expression is found in are
    #: subject to faults (e.g. ``"^INSERT INTO"``, or ``'sys\\."queries"'`` for query lookups)
    statement_pattern: str | None = None
    #: seed of the random generator used for the fractions (reproducible runs)
    seed: int | None = None


_NON_NEGATIVE = {
    "partition_size",
    "async_threshold",
    "statement_delay",
    "store_ready_delay",
    "query_start_delay",
    "relation_ready_delay",
    "function_source_ready_delay",
    "rate_limit_next",
    "unavailable_next",
    "retry_after",
    "latency",
    "rate_limit",
    "rate_limit_burst",
    "drop_after_apply_next",
}
_FRACTIONS = {"rate_limit_fraction", "unavailable_fraction", "drop_after_apply_fraction"}
_POSITIVE = {"partition_size"}


def _coerce(name: str, annotation: str, value: Any) -> Any:
    """Check ``value`` against a dataclass field's (string) annotation."""
    optional = annotation.endswith("| None")
    base = annotation.replace("| None", "").strip()
    if value is None:
        if optional:
            return None
        raise OptionError(f"option {name!r} cannot be null")
    if base == "bool":
        if not isinstance(value, bool):
            raise OptionError(f"option {name!r} must be a boolean")
        return value
    if isinstance(value, bool):
        raise OptionError(f"option {name!r} must be a {base}, not a boolean")
    if base == "int":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            raise OptionError(f"option {name!r} must be an integer")
    elif base == "float":
        if (
            not isinstance(value, int | float)
            or value != value
            or value
            in (
                float("inf"),
                float("-inf"),
            )
        ):
            raise OptionError(f"option {name!r} must be a finite number")
        value = float(value)
    elif base == "str":
        if not isinstance(value, str):
            raise OptionError(f"option {name!r} must be a string")
        return value
    else:  # pragma: no cover - all fields use the types above
        raise OptionError(f"option {name!r} has an unsupported type")
    if name in _NON_NEGATIVE and value < 0:
        raise OptionError(f"option {name!r} must be >= 0")
    if name in _POSITIVE and value < 1:
        raise OptionError(f"option {name!r} must be >= 1")
    if name in _FRACTIONS and not 0.0 <= value <= 1.0:
        raise OptionError(f"option {name!r} must be between 0 and 1")
    return value


def validate_update(target: Any, update: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a partial update of a dataclass instance; returns the coerced values."""
    known = {f.name: str(f.type) for f in fields(target)}
    coerced: dict[str, Any] = {}
    for name, value in update.items():
        if name not in known:
            raise OptionError(f"unknown option {name!r}; known: {', '.join(sorted(known))}")
        coerced[name] = _coerce(name, known[name], value)
    return coerced


def apply_update(target: Any, update: Mapping[str, Any]) -> None:
    """Validate all of ``update`` first, then assign it (all or nothing)."""
    for name, value in validate_update(target, update).items():
        setattr(target, name, value)


def as_dict(target: Any) -> dict[str, Any]:
    return {f.name: getattr(target, f.name) for f in fields(target)}


ENGINE_OPTION_NAMES = frozenset(f.name for f in fields(EngineOptions))
SERVER_OPTION_NAMES = frozenset(f.name for f in fields(ServerOptions))


class TokenBucket:
    """``rate`` tokens a second into a bucket of ``burst``; a request takes one or is refused.

    Not thread-safe: :class:`FaultInjector` calls it under its lock.
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = float(burst or max(1, math.ceil(rate)))
        self._clock = clock
        self._tokens = self.burst  # starts full, like a limit nobody has used yet
        self._stamp = clock()

    def take(self) -> float | None:
        """``None`` when a token was taken, else the seconds until one is free."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return None
        return (1.0 - self._tokens) / self.rate


class FaultInjector:
    """Thread-safe decisions about which API request gets which fault."""

    def __init__(
        self,
        settings: FaultSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._settings = settings or FaultSettings()
        self._random = random.Random(self._settings.seed)
        self._clock = clock
        self._bucket = self._new_bucket()

    def _new_bucket(self) -> TokenBucket | None:
        s = self._settings
        return TokenBucket(s.rate_limit, s.rate_limit_burst, self._clock) if s.rate_limit else None

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return as_dict(self._settings)

    def update(self, update: Mapping[str, Any], *, reset: bool = False) -> dict[str, Any]:
        with self._lock:
            base = FaultSettings() if reset else dataclasses.replace(self._settings)
            apply_update(base, update)
            if base.statement_pattern is not None:
                try:
                    re.compile(base.statement_pattern)
                except re.error as exc:
                    raise OptionError(f"option 'statement_pattern' is not a regex: {exc}") from None
            self._settings = base
            if reset or "seed" in update:
                self._random = random.Random(base.seed)
            if reset or {"rate_limit", "rate_limit_burst"} & set(update):
                self._bucket = self._new_bucket()  # a changed limit starts with a full bucket
            return as_dict(base)

    def _matches(self, method: str, path: str, statement: str | None) -> bool:
        match, wanted = self._settings.match, self._settings.statement_pattern
        if wanted is not None and (statement is None or not re.search(wanted, statement)):
            return False
        return match is None or f"{method} {path}".startswith(match)

    @property
    def by_statement(self) -> bool:
        """Whether faults are chosen by statement text (decided once the body is read)."""
        with self._lock:
            return self._settings.statement_pattern is not None

    def latency(self, method: str, path: str, statement: str | None = None) -> float:
        with self._lock:
            return self._settings.latency if self._matches(method, path, statement) else 0.0

    def status_fault(
        self, method: str, path: str, statement: str | None = None
    ) -> tuple[int, int] | None:
        """``(status, retry_after)`` when this request is answered 429/503, else None."""
        with self._lock:
            s = self._settings
            if not self._matches(method, path, statement):
                return None
            if s.rate_limit_next > 0:
                s.rate_limit_next -= 1
                return 429, s.retry_after
            if s.unavailable_next > 0:
                s.unavailable_next -= 1
                return 503, s.retry_after
            if s.rate_limit_fraction and self._random.random() < s.rate_limit_fraction:
                return 429, s.retry_after
            if s.unavailable_fraction and self._random.random() < s.unavailable_fraction:
                return 503, s.retry_after
            if self._bucket is not None:
                wait = self._bucket.take()
                if wait is not None:
                    # Retry-After is whole seconds (RFC 9110 delta-seconds): rounded up, so a
                    # client that honours it finds a token free when it comes back
                    return 429, max(1, math.ceil(wait))
            return None

    def drop_after_apply(self, method: str, path: str, statement: str | None = None) -> bool:
        """Whether this ``POST /statements`` is applied and then dropped without a response."""
        with self._lock:
            s = self._settings
            if not self._matches(method, path, statement):
                return False
            if s.drop_after_apply_next > 0:
                s.drop_after_apply_next -= 1
                return True
            return bool(
                s.drop_after_apply_fraction and self._random.random() < s.drop_after_apply_fraction
            )
