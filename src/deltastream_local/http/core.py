"""The pure request→response core of the HTTP layer: routing, authorization, the API and
``/_local`` admin answers. It takes a parsed :class:`Request` and returns a :class:`Response`;
it owns no socket and starts no thread, so it can be called directly (tests do). The socket
side (reading bodies, writing answers, dropping connections, threads) is
:mod:`deltastream_local.http.server`.

Two faults still act here because only the core knows when they apply: an injected latency
sleeps before the answer, and a dropped-connection fault waits for its statement and returns
a :class:`Response` with ``drop`` set, which the server carries out by closing the socket.

Wire rules (docs/reference/deltastream-api.md#what-a-compatible-server-must-do): every response
is ``application/json``; running statements answer 202 with sqlState ``03000``; SQL errors
are HTTP 200 with the engine's sqlState; no input makes the server answer 500.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

import attrs
import structlog

from deltastream_local.engine.api import Outcome
from deltastream_local.http.app import Application, HttpError
from deltastream_local.http.options import OptionError
from deltastream_local.http.parsing import (
    json_object,
    parse_partition,
    parse_statement_body,
    resolve_context,
)
from deltastream_local.http.statements import partition_count, result_body, status_body

log = structlog.get_logger("deltastream_local.http")

#: what ``GET /v2/version`` reports (the API version of the official spec, ``info.version``)
API_VERSION = {"major": 2, "minor": 0, "patch": 0}
API_PREFIX = "/v2"
ADMIN_PREFIX = "/_local"
#: longest a dropped-connection POST waits for its statement before dropping anyway
DROP_WAIT = 300.0
#: methods the server dispatches; the routes answer 405 to the ones they do not serve
HANDLED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})


@attrs.frozen
class Request:
    """A parsed HTTP request: ``target`` is the request target (path and query)."""

    method: str
    target: str
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes = b""

    def header(self, name: str, default: str = "") -> str:
        """A header's value, by case-insensitive name."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return default

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> str:
        return urlsplit(self.target).query


@attrs.frozen
class Response:
    """An answer: a JSON ``body`` (bytes) with ``status`` and extra ``headers``; ``close``
    ends the connection after it, ``drop`` closes the socket without sending anything."""

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = attrs.field(factory=dict)
    close: bool = False
    drop: bool = False

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def json_response(
    status: int, body: Any, *, headers: Mapping[str, str] | None = None, close: bool = False
) -> Response:
    payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
    return Response(status, payload, {"Content-Type": "application/json", **(headers or {})}, close)


def error_response(exc: HttpError) -> Response:
    """An ErrorResponse ``{"message": ...}`` for ``exc``."""
    return json_response(exc.status, {"message": exc.message}, headers=exc.headers, close=exc.close)


def is_api(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def is_admin(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def route_of(method: str, path: str) -> str:
    """The request's route as counted in ``/_local/stats`` (ids folded into a template)."""
    if is_api(path):
        if path in (f"{API_PREFIX}/statements", f"{API_PREFIX}/version"):
            return f"{method} {path}"
        if path.startswith(f"{API_PREFIX}/statements/"):
            return f"{method} {API_PREFIX}/statements/{{statementID}}"
        return f"{method} {API_PREFIX}/(other)"
    if is_admin(path):
        return f"{method} {path}"
    return f"{method} (other)"


def handle(app: Application, request: Request) -> Response:
    """The answer to ``request``; never raises (an unexpected error is a 500 that closes)."""
    try:
        return _Exchange(app, request).answer()
    except HttpError as exc:
        return error_response(exc)
    except Exception:
        log.exception("unhandled error", method=request.method, path=request.path)
        return json_response(500, {"message": "internal server error"}, close=True)


class _DropConnection(Exception):
    """Close the socket without answering (fault injection)."""


class _Exchange:
    """One request being answered."""

    def __init__(self, app: Application, request: Request) -> None:
        self.app = app
        self.request = request
        self.command = request.method

    def answer(self) -> Response:
        path = self.request.path
        try:
            if is_admin(path):
                self._require_auth()
                return self._admin(path, self.request.body)
            if is_api(path):
                self._require_auth()
                return self._api(path, self.request.query, self.request.body)
            raise self._not_found(path)
        except _DropConnection:
            return Response(0, drop=True, close=True)

    def _require_auth(self) -> None:
        header = self.request.header("Authorization") or None
        if not self.app.authorized(header):
            raise HttpError(403, "missing api token" if header is None else "invalid api token")

    def _api(self, path: str, query: str, body: bytes) -> Response:
        # HEAD is GET without a body (the server omits it)
        method = "GET" if self.command == "HEAD" else self.command
        if path == f"{API_PREFIX}/version":
            self._allow(method, "GET")
            self._faults(method, path)
            return json_response(200, API_VERSION)
        if path == f"{API_PREFIX}/statements":
            self._allow(method, "POST")
            self._faults(method, path)
            return self._submit(path, body)
        if path.startswith(f"{API_PREFIX}/statements/"):
            self._allow(method, "GET")
            self._faults(method, path)
            raw_id = unquote(path[len(API_PREFIX) + len("/statements/") :])
            return self._get_statement(raw_id, query)
        raise self._not_found(path)

    def _not_found(self, path: str) -> HttpError:
        """404 for an unknown path, but 405 for a method no path serves (TRACE, FOO, …)."""
        if self.command not in HANDLED_METHODS:
            allowed = ", ".join(sorted(HANDLED_METHODS - {"PATCH", "PUT", "OPTIONS"}))
            return HttpError(
                405, f"method {self.command} is not supported", headers={"Allow": allowed}
            )
        return HttpError(404, f"path not found: {path}")

    @staticmethod
    def _allow(method: str, allowed: str) -> None:
        if method != allowed:
            raise HttpError(
                405, f"method {method} not allowed here; use {allowed}", headers={"Allow": allowed}
            )

    def _faults(self, method: str, path: str, statement: str | None = None) -> None:
        app = self.app
        delay = app.faults.latency(method, path, statement)
        if delay > 0:
            app.stats.fault("latency")
            time.sleep(delay)
        fault = app.faults.status_fault(method, path, statement)
        if fault is not None:
            status, retry_after = fault
            app.stats.fault(str(status))
            message = (
                "rate limit exceeded, retry later"
                if status == 429
                else "service temporarily unavailable"
            )
            raise HttpError(status, message, headers={"Retry-After": str(retry_after)})

    # -- API operations ------------------------------------------------------------------
    def _submit(self, path: str, body: bytes) -> Response:
        app = self.app
        request, attachments = parse_statement_body(self.request.header("Content-Type"), body)
        statement = str(request.get("statement") or "")
        if app.faults.by_statement:  # faults chosen by SQL text: only now is it known
            self._faults(self.command, path, statement)
        drop = app.faults.drop_after_apply(self.command, path, statement)
        context = resolve_context(request)
        if isinstance(context, Outcome):
            record = app.runner.finished(context)
        else:
            # a zero threshold promises a 202 for every statement: only a thread can keep it
            inline = app.options.async_threshold > 0
            record = app.runner.submit(request["statement"], context, attachments, inline=inline)
        if drop:
            record.wait(DROP_WAIT)
            app.stats.fault("dropped")
            log.info("dropping connection after the statement was applied", statement_id=record.id)
            raise _DropConnection
        if record.wait(app.options.async_threshold):
            return json_response(200, result_body(record, 0))
        return json_response(202, status_body(record))

    def _get_statement(self, raw_id: str, query: str) -> Response:
        try:
            statement_id = str(uuid.UUID(raw_id))
        except ValueError:
            raise HttpError(400, f"invalid statementID {raw_id!r}: expected a UUID") from None
        partition = parse_partition(query)
        record = self.app.runner.get(statement_id)
        if record is None:
            raise HttpError(404, f'statement "{statement_id}" not found')
        if not record.done:
            return json_response(202, status_body(record))
        count = partition_count(record)
        if partition >= count:
            raise HttpError(
                400, f"partitionID {partition} out of range: the result has {count} partition(s)"
            )
        return json_response(200, result_body(record, partition))

    # -- admin ---------------------------------------------------------------------------
    def _admin(self, path: str, body: bytes) -> Response:
        app = self.app
        method = self.command
        name = path[len(ADMIN_PREFIX) :].strip("/")
        if name == "options":
            if method == "GET":
                return json_response(200, app.options_snapshot())
            if method != "POST":
                self._allow(method, "GET, POST")
            update = json_object(body or b"{}", "options update")
            try:
                return json_response(200, app.update_options(update))
            except OptionError as exc:
                raise HttpError(400, str(exc)) from None
        if name == "faults":
            if method == "GET":
                return json_response(200, app.faults.snapshot())
            if method not in ("POST", "DELETE"):
                self._allow(method, "GET, POST, DELETE")
            update = json_object(body or b"{}", "faults update") if method == "POST" else {}
            reset = update.pop("reset", method == "DELETE")
            if not isinstance(reset, bool):
                raise HttpError(400, "field 'reset' must be a boolean")
            try:
                settings = app.faults.update(update, reset=reset)
            except OptionError as exc:
                raise HttpError(400, str(exc)) from None
            log.info("faults updated", reset=reset, **update)
            return json_response(200, settings)
        if name == "stats":
            if method == "DELETE":
                app.stats.reset()
            elif method != "GET":
                self._allow(method, "GET, DELETE")
            return json_response(200, {**app.stats.snapshot(), "statements": app.runner.stats()})
        raise HttpError(404, f"path not found: {path}")
