"""The HTTP server: DeltaStream REST API v2 plus the ``/_local`` admin endpoints.

Built on the stdlib ``ThreadingHTTPServer`` (one thread per connection, HTTP/1.1
keep-alive): it starts in milliseconds and gives full control over the socket, which the
"drop the connection after the statement was applied" fault needs.

Wire rules (docs/reference/deltastream-api.md#what-a-compatible-server-must-do): every response is
``application/json``; 200 ResultSets always
carry ``metadata`` (encoding, the full ``partitionInfo``, ``columns``, the effective
``context``), an integer ``createdOn`` and a UUID ``statementID``; running statements answer
202 with sqlState ``03000``; SQL errors are HTTP 200 with the engine's sqlState. No input
makes the server answer 500.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import re
import socket
import ssl
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import structlog

from deltastream_local.engine.api import (
    DEFAULT_ROLE,
    ORGANIZATION_ID,
    ORGANIZATION_NAME,
    ROLES,
    Engine,
    Outcome,
    SessionContext,
)
from deltastream_local.http.multipart import MultipartError, boundary_of, parse_multipart
from deltastream_local.http.options import (
    ENGINE_OPTION_NAMES,
    SERVER_OPTION_NAMES,
    FaultInjector,
    OptionError,
    ServerOptions,
    as_dict,
    validate_update,
)
from deltastream_local.http.statements import (
    StatementRunner,
    partition_count,
    result_body,
    status_body,
)

log = structlog.get_logger("deltastream_local.http")

#: what ``GET /v2/version`` reports (the API version of the official spec, ``info.version``)
API_VERSION = {"major": 2, "minor": 0, "patch": 0}
API_PREFIX = "/v2"
#: seconds before an idle keep-alive connection (or a stalled upload) is closed
DEFAULT_IDLE_TIMEOUT = 120.0
ADMIN_PREFIX = "/_local"
DEFAULT_MAX_BODY = 16 * 1024 * 1024
#: longest a dropped-connection POST waits for its statement before dropping anyway
_DROP_WAIT = 300.0
#: oversized bodies up to this size are read and discarded before the 413
_DRAIN_LIMIT = 64 * 1024 * 1024
_PARTITION_RE = re.compile(r"[0-9]{1,10}")
_INT32_MAX = 2**31 - 1
#: methods with a do_* handler; the routes answer 405 to the ones they do not serve
_HANDLED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
_CONTEXT_FIELDS = ("organization", "role", "database", "schema", "store", "computePool")


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


class _DropConnection(Exception):
    """Close the socket without answering (fault injection)."""


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


def _is_local_organization(value: str) -> bool:
    if value == ORGANIZATION_NAME:
        return True
    try:
        return uuid.UUID(value) == uuid.UUID(ORGANIZATION_ID)
    except ValueError:
        return False


def resolve_context(request: Mapping[str, Any]) -> SessionContext | Outcome:
    """The SessionContext a StatementRequest asks for, or the SQL error it earns."""
    organization = request.get("organization") or None
    role = request.get("role") or DEFAULT_ROLE
    fallback = SessionContext(role=role if role in ROLES else DEFAULT_ROLE)
    if organization is not None and not _is_local_organization(organization):
        return Outcome(
            sql_state="3D004",
            context=fallback,
            message=f'organization "{organization}" does not exist',
        )
    if role not in ROLES:
        return Outcome(
            sql_state="3D001",
            context=fallback,
            message=f'role "{role}" does not exist',
        )
    return SessionContext(
        organization_id=ORGANIZATION_ID,
        role=role,
        database=request.get("database") or None,
        schema=request.get("schema") or None,
        store=request.get("store") or None,
        compute_pool=request.get("computePool") or None,
    )


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeError included
        raise HttpError(400, f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise HttpError(400, f"{what} must be a JSON object")
    return value


def check_statement_request(request: Mapping[str, Any]) -> None:
    """Field types of a StatementRequest (unknown fields are ignored, like the service)."""
    statement = request.get("statement")
    if statement is None:
        raise HttpError(400, "missing required field 'statement'")
    if not isinstance(statement, str):
        raise HttpError(400, "field 'statement' must be a string")
    for name in _CONTEXT_FIELDS:
        value = request.get(name)
        if value is not None and not isinstance(value, str):
            raise HttpError(400, f"field {name!r} must be a string")
    parameters = request.get("parameters")
    if parameters is None:
        return
    if not isinstance(parameters, dict):
        raise HttpError(400, "field 'parameters' must be an object")
    for name in ("timezone", "sessionID"):
        value = parameters.get(name)
        if value is not None and not isinstance(value, str):
            raise HttpError(400, f"field 'parameters.{name}' must be a string")


def parse_statement_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The StatementRequest and attachments of a POST body (JSON or multipart)."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    attachments: dict[str, bytes] = {}
    if media_type == "multipart/form-data":
        try:
            parts = parse_multipart(body, boundary_of(content_type))
        except MultipartError as exc:
            raise HttpError(400, str(exc)) from None
        request: dict[str, Any] | None = None
        for part in parts:
            if part.name == "request":
                if request is not None:
                    raise HttpError(400, "multipart body has more than one 'request' part")
                request = _json_object(part.data, "the 'request' part")
            elif part.name == "attachments":
                name = part.filename or "attachment"
                if name in attachments:
                    raise HttpError(400, f"duplicate attachment name {name!r}")
                attachments[name] = part.data
        if request is None:
            raise HttpError(400, "multipart body without the required 'request' part")
    elif media_type == "application/x-www-form-urlencoded":
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=64)
        except (UnicodeDecodeError, ValueError):
            raise HttpError(400, "malformed form body") from None
        if len(fields.get("request", [])) != 1:
            raise HttpError(400, "form body needs exactly one 'request' field")
        request = _json_object(fields["request"][0].encode("utf-8"), "the 'request' field")
    elif media_type in ("", "application/json", "text/plain") or media_type.endswith("+json"):
        request = _json_object(body, "request body")
    else:
        raise HttpError(400, f"unsupported Content-Type {media_type!r}")
    check_statement_request(request)
    return request, attachments


def parse_partition(query: str) -> int:
    try:
        params = parse_qs(query, keep_blank_values=True, errors="replace", max_num_fields=64)
    except ValueError:
        raise HttpError(400, "malformed query string") from None
    values = params.get("partitionID")
    if not values:
        return 0
    if len(values) > 1:
        raise HttpError(400, "partitionID given more than once")
    raw = values[0].strip()
    if not _PARTITION_RE.fullmatch(raw) or int(raw) > _INT32_MAX:
        raise HttpError(400, f"invalid partitionID {values[0]!r}: expected an integer >= 0")
    return int(raw)


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "deltastream-local"
    sys_version = ""
    disable_nagle_algorithm = True
    server: ApiServer

    _status: str = "-"

    def setup(self) -> None:
        super().setup()
        # idle keep-alive connections and stalled uploads are closed after this many seconds
        self.connection.settimeout(self.server.idle_timeout or None)
        self.server.app.stats.connected()

    # every method goes through one router, so unsupported methods get a JSON 405
    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_GET
    # any other method (TRACE, FOO, …) reaches _dispatch through send_error's 501 hook

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http", message=format % args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # _dispatch logs one line per request

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol-level errors raised by ``BaseHTTPRequestHandler`` (bad request line…)."""
        if code == HTTPStatus.NOT_IMPLEMENTED and getattr(self, "command", None):
            # the base class's answer to a method without a do_* handler (TRACE, FOO, …):
            # route it like any other, so it gets a 405 ErrorResponse and is counted
            self._dispatch()
            return
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "error"
        self._send_json(code, {"message": message or phrase}, close=True)

    # -- response writing ----------------------------------------------------------------
    def _send_json(
        self,
        status: int,
        body: Any,
        *,
        headers: Mapping[str, str] | None = None,
        close: bool = False,
    ) -> None:
        payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        if close:
            self.close_connection = True
        lines = [
            f"HTTP/1.1 {status} {phrase}",
            "Content-Type: application/json",
            f"Content-Length: {len(payload)}",
            f"Date: {self.date_time_string()}",
            "Server: deltastream-local",
        ]
        lines.extend(f"{k}: {v}" for k, v in (headers or {}).items())
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self._status = str(status)
        self._self_check(status, {"Content-Type": "application/json", **(headers or {})}, payload)
        try:
            if getattr(self, "command", None) == "HEAD":
                self.wfile.write(head)
            else:
                self.wfile.write(head + payload)
        except OSError:
            self.close_connection = True

    def _self_check(self, status: int, headers: Mapping[str, str], payload: bytes) -> None:
        check = self.server.app.self_check
        path = getattr(self, "path", "") or ""
        if check is None or not path.startswith(API_PREFIX):
            return
        method = getattr(self, "command", None) or "GET"
        if method == "HEAD":  # served as GET without the body: validate what GET sends
            method = "GET"
        try:
            check(method, f"http://local{path}", status, headers, payload)
        except Exception as exc:
            log.error("response violates the API spec", status=status, error=str(exc)[:500])
            self.server.app.stats.violation(str(exc))

    # -- request reading -----------------------------------------------------------------
    def _read_body(self) -> bytes:
        limit = self.server.app.max_body
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(limit)
        raw = self.headers.get("Content-Length")
        if raw is None:
            return b""
        if not raw.strip().isdigit():
            raise HttpError(400, "invalid Content-Length header", close=True)
        length = int(raw)
        if length > limit:
            # read (and discard) a moderately oversized body so the client sees the 413
            # instead of a reset while it is still sending; beyond that, just close
            if length <= _DRAIN_LIMIT:
                remaining = length
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            raise HttpError(413, f"request body larger than {limit} bytes", close=True)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise HttpError(400, "request body shorter than its Content-Length", close=True)
        return body

    def _read_chunked(self, limit: int) -> bytes:
        body = bytearray()
        while True:
            line = self.rfile.readline(1026)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise HttpError(400, "malformed chunked request body", close=True) from None
            if size < 0:
                raise HttpError(400, "malformed chunked request body", close=True)
            if size == 0:
                while self.rfile.readline(1026) not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(body)
            if len(body) + size > limit:
                raise HttpError(413, f"request body larger than {limit} bytes", close=True)
            chunk = self.rfile.read(size)
            if len(chunk) < size:
                raise HttpError(400, "truncated chunked request body", close=True)
            body += chunk
            self.rfile.readline(3)

    # -- routing -------------------------------------------------------------------------
    def _dispatch(self) -> None:
        started = time.perf_counter()
        app = self.server.app
        self._status = "-"
        route = f"{self.command} (other)"
        counted = False
        try:
            split = urlsplit(self.path)
            path = split.path
            if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
                route = self._api_route(path)
                app.stats.begin()  # clients' concurrency, as the server sees it
                counted = True
            elif path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
                route = f"{self.command} {path}"
            body = self._read_body()
            if route.startswith(f"{self.command} {ADMIN_PREFIX}"):
                self._require_auth()
                self._admin(path, body)
            elif path == API_PREFIX or path.startswith(API_PREFIX + "/"):
                self._require_auth()
                self._api(path, split.query, body)
            else:
                self._not_found(path)
        except HttpError as exc:
            self._send_json(
                exc.status, {"message": exc.message}, headers=exc.headers, close=exc.close
            )
        except _DropConnection:
            self._status = "dropped"
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
        except Exception:
            log.exception("unhandled error", method=self.command, route=route)
            self._send_json(500, {"message": "internal server error"}, close=True)
        finally:
            if counted:
                app.stats.end()
            if not route.startswith(f"{self.command} {ADMIN_PREFIX}"):
                app.stats.record(route, self._status)
            log.debug(
                "request",
                method=self.command,
                route=route,
                status=self._status,
                ms=round((time.perf_counter() - started) * 1000, 3),
            )

    def _require_auth(self) -> None:
        if not self.server.app.authorized(self.headers.get("Authorization")):
            missing = not self.headers.get("Authorization")
            raise HttpError(403, "missing api token" if missing else "invalid api token")

    def _api_route(self, path: str) -> str:
        if path == f"{API_PREFIX}/statements" or path == f"{API_PREFIX}/version":
            return f"{self.command} {path}"
        if path.startswith(f"{API_PREFIX}/statements/"):
            return f"{self.command} {API_PREFIX}/statements/{{statementID}}"
        return f"{self.command} {API_PREFIX}/(other)"

    def _api(self, path: str, query: str, body: bytes) -> None:
        # HEAD is GET without a body (``_send_json`` omits it)
        method = "GET" if self.command == "HEAD" else self.command
        if path == f"{API_PREFIX}/version":
            self._allow(method, "GET")
            self._faults(method, path)
            self._send_json(200, API_VERSION)
        elif path == f"{API_PREFIX}/statements":
            self._allow(method, "POST")
            self._faults(method, path)
            self._submit(path, body)
        elif path.startswith(f"{API_PREFIX}/statements/"):
            self._allow(method, "GET")
            self._faults(method, path)
            self._get_statement(unquote(path[len(API_PREFIX) + len("/statements/") :]), query)
        else:
            self._not_found(path)

    def _not_found(self, path: str) -> None:
        """404 for an unknown path, but 405 for a method no path serves (TRACE, FOO, …)."""
        if self.command not in _HANDLED_METHODS:
            allowed = ", ".join(sorted(_HANDLED_METHODS - {"PATCH", "PUT", "OPTIONS"}))
            raise HttpError(
                405, f"method {self.command} is not supported", headers={"Allow": allowed}
            )
        raise HttpError(404, f"path not found: {path}")

    @staticmethod
    def _allow(method: str, allowed: str) -> None:
        if method != allowed:
            raise HttpError(
                405, f"method {method} not allowed here; use {allowed}", headers={"Allow": allowed}
            )

    def _faults(self, method: str, path: str, statement: str | None = None) -> None:
        app = self.server.app
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
    def _submit(self, path: str, body: bytes) -> None:
        app = self.server.app
        request, attachments = parse_statement_body(self.headers.get("Content-Type", ""), body)
        statement = str(request.get("statement") or "")
        if (
            app.faults.by_statement
        ):  # faults chosen by SQL text (statement_pattern): only now is it known
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
            record.wait(_DROP_WAIT)
            app.stats.fault("dropped")
            log.info("dropping connection after the statement was applied", statement_id=record.id)
            raise _DropConnection
        if record.wait(app.options.async_threshold):
            self._send_json(200, result_body(record, 0))
        else:
            self._send_json(202, status_body(record))

    def _get_statement(self, raw_id: str, query: str) -> None:
        try:
            statement_id = str(uuid.UUID(raw_id))
        except ValueError:
            raise HttpError(400, f"invalid statementID {raw_id!r}: expected a UUID") from None
        partition = parse_partition(query)
        record = self.server.app.runner.get(statement_id)
        if record is None:
            raise HttpError(404, f'statement "{statement_id}" not found')
        if not record.done:
            self._send_json(202, status_body(record))
            return
        count = partition_count(record)
        if partition >= count:
            raise HttpError(
                400, f"partitionID {partition} out of range: the result has {count} partition(s)"
            )
        self._send_json(200, result_body(record, partition))

    # -- admin ---------------------------------------------------------------------------
    def _admin(self, path: str, body: bytes) -> None:
        app = self.server.app
        method = self.command
        name = path[len(ADMIN_PREFIX) :].strip("/")
        if name == "options":
            if method == "GET":
                self._send_json(200, app.options_snapshot())
            elif method == "POST":
                update = _json_object(body or b"{}", "options update")
                try:
                    self._send_json(200, app.update_options(update))
                except OptionError as exc:
                    raise HttpError(400, str(exc)) from None
            else:
                self._allow(method, "GET, POST")
        elif name == "faults":
            if method == "GET":
                self._send_json(200, app.faults.snapshot())
            elif method in ("POST", "DELETE"):
                update = _json_object(body or b"{}", "faults update") if method == "POST" else {}
                reset = update.pop("reset", method == "DELETE")
                if not isinstance(reset, bool):
                    raise HttpError(400, "field 'reset' must be a boolean")
                try:
                    settings = app.faults.update(update, reset=reset)
                except OptionError as exc:
                    raise HttpError(400, str(exc)) from None
                log.info("faults updated", reset=reset, **update)
                self._send_json(200, settings)
            else:
                self._allow(method, "GET, POST, DELETE")
        elif name == "stats":
            if method == "GET":
                self._send_json(200, {**app.stats.snapshot(), "statements": app.runner.stats()})
            elif method == "DELETE":
                app.stats.reset()
                self._send_json(200, {**app.stats.snapshot(), "statements": app.runner.stats()})
            else:
                self._allow(method, "GET, DELETE")
        else:
            raise HttpError(404, f"path not found: {path}")


class ApiServer(ThreadingHTTPServer):
    """``ThreadingHTTPServer`` carrying the :class:`Application`."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        host: str,
        port: int,
        app: Application,
        tls: ssl.SSLContext | None = None,
        *,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.app = app
        self.tls = tls
        self.idle_timeout = idle_timeout
        super().__init__((host, port), RequestHandler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake happens here, in the connection's own thread: done at accept()
        # time, one slow or broken client would hold up every other connection.
        if self.tls is not None:
            request.settimeout(self.idle_timeout or None)  # a client that never says hello
            request = self.tls.wrap_socket(request, server_side=True)
        super().finish_request(request, client_address)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        if isinstance(host, bytes):  # pragma: no cover - AF_UNIX only
            host = host.decode()
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{host}:{port}{API_PREFIX}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection error", client=str(client_address), exc_info=True)
