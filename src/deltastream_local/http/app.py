"""The server's state shared by every request: the engine, options, faults, counters.

Neither sockets nor threads of its own (the locks guard the counters against the server's
connection threads): :mod:`deltastream_local.http.core` answers requests over it.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import structlog

from deltastream_local.engine.api import Engine
from deltastream_local.http.options import (
    ENGINE_OPTION_NAMES,
    SERVER_OPTION_NAMES,
    FaultInjector,
    OptionError,
    ServerOptions,
    as_dict,
    validate_update,
)
from deltastream_local.http.statements import StatementRunner

log = structlog.get_logger("deltastream_local.http")

DEFAULT_MAX_BODY = 16 * 1024 * 1024


class HttpError(Exception):
    """Answer the request with ``status`` and an ErrorResponse ``{"message": ...}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        close: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        self.close = close


#: Validates one API response before it is sent: (method, url, status, headers, body); raises
#: on a violation. Tests run the server with one (``DELTASTREAM_LOCAL_SELF_CHECK=openapi``) so
#: every response of the whole suite is checked against the official spec.
SelfCheck = Callable[[str, str, int, Mapping[str, str], bytes], None]


class Stats:
    """Per-route request counters for ``GET /_local/stats``."""

    def __init__(self, self_check: str | None = None) -> None:
        self._lock = threading.Lock()
        # violations of the self-check survive a stats reset: a test must not erase them
        self.self_check = self_check  # the self-check mode, reported in snapshots
        self.violations = 0
        self.violation_samples: list[str] = []
        #: API requests being handled now (a gauge: a reset keeps it)
        self.in_flight = 0
        self.reset()

    def violation(self, text: str) -> None:
        with self._lock:
            self.violations += 1
            if len(self.violation_samples) < 5:
                self.violation_samples.append(text[:2000])

    def reset(self) -> None:
        with self._lock:
            self.started = time.time()
            self.requests: Counter[str] = Counter()
            self.responses: Counter[str] = Counter()
            self.faults: Counter[str] = Counter()
            self.connections = 0
            self.peak_in_flight = self.in_flight

    def begin(self) -> None:
        """An API request is being handled (from its request line to its answer)."""
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def end(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def connected(self) -> None:
        with self._lock:
            self.connections += 1

    def record(self, route: str, status: str) -> None:
        with self._lock:
            self.requests[route] += 1
            self.responses[status] += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "since": self.started,
                "requests": dict(self.requests),
                "responses": dict(self.responses),
                "faults": dict(self.faults),
                "connections": self.connections,
                "in_flight": self.in_flight,
                "peak_in_flight": self.peak_in_flight,
                "self_check": self.self_check,
                "spec_violations": self.violations,
                "spec_violation_samples": list(self.violation_samples),
            }


class Application:
    """Server state shared by all request threads."""

    def __init__(
        self,
        engine: Engine,
        token: str,
        options: ServerOptions,
        faults: FaultInjector,
        *,
        max_body: int = DEFAULT_MAX_BODY,
        max_results: int = 10_000,
        self_check: SelfCheck | None = None,
    ) -> None:
        self.engine = engine
        self.self_check = self_check
        self.stats = Stats("openapi" if self_check is not None else None)
        self._token = token.encode("utf-8")
        self.options = options
        self.faults = faults
        self.max_body = max_body
        self.runner = StatementRunner(
            engine,
            partition_size=lambda: self.options.partition_size,
            statement_delay=self._delay_for,
            max_results=max_results,
        )

    def _delay_for(self, statement: str) -> float:
        opts = self.options
        if opts.statement_delay <= 0:
            return 0.0
        if opts.statement_delay_matching and opts.statement_delay_matching not in statement:
            return 0.0
        return opts.statement_delay

    def authorized(self, header: str | None) -> bool:
        if not header:
            return False
        scheme, _, credentials = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        given = credentials.strip().encode("utf-8", "surrogateescape")
        return hmac.compare_digest(given, self._token)

    # -- options -------------------------------------------------------------------------
    def options_snapshot(self) -> dict[str, Any]:
        return {**as_dict(self.engine.options), **as_dict(self.options)}

    def update_options(self, update: Mapping[str, Any]) -> dict[str, Any]:
        engine_part = {k: v for k, v in update.items() if k in ENGINE_OPTION_NAMES}
        server_part = {k: v for k, v in update.items() if k in SERVER_OPTION_NAMES}
        unknown = set(update) - ENGINE_OPTION_NAMES - SERVER_OPTION_NAMES
        if unknown:
            known = ", ".join(sorted(ENGINE_OPTION_NAMES | SERVER_OPTION_NAMES))
            raise OptionError(f"unknown option {sorted(unknown)[0]!r}; known: {known}")
        engine_values = validate_update(self.engine.options, engine_part)
        server_values = validate_update(self.options, server_part)
        for name, value in engine_values.items():
            setattr(self.engine.options, name, value)
        for name, value in server_values.items():
            setattr(self.options, name, value)
        log.info(
            "options updated",
            **{k: v for k, v in update.items() if k in server_values or k in engine_values},
        )
        return self.options_snapshot()
