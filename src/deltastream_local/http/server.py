"""The HTTP server: the socket side of the DeltaStream REST API v2 and ``/_local`` endpoints.

Built on the stdlib ``ThreadingHTTPServer`` (one thread per connection, HTTP/1.1
keep-alive): it starts in milliseconds and gives full control over the socket, which the
"drop the connection after the statement was applied" fault needs. This module reads request
bodies (Content-Length or chunked, with the size limit), hands each parsed request to the
pure core (:func:`deltastream_local.http.core.handle`), writes its answer (or drops the
connection), counts it, and runs the optional self-check on what it sends.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import structlog

from deltastream_local.http.app import DEFAULT_MAX_BODY, Application, HttpError, SelfCheck, Stats
from deltastream_local.http.core import (
    ADMIN_PREFIX,
    API_PREFIX,
    API_VERSION,
    Request,
    Response,
    error_response,
    handle,
    is_api,
    json_response,
    route_of,
)
from deltastream_local.http.parsing import (
    check_statement_request,
    parse_partition,
    parse_statement_body,
    resolve_context,
)

__all__ = [
    "ADMIN_PREFIX",
    "API_PREFIX",
    "API_VERSION",
    "DEFAULT_MAX_BODY",
    "ApiServer",
    "Application",
    "HttpError",
    "RequestHandler",
    "SelfCheck",
    "Stats",
    "check_statement_request",
    "parse_partition",
    "parse_statement_body",
    "resolve_context",
]

log = structlog.get_logger("deltastream_local.http")

#: seconds before an idle keep-alive connection (or a stalled upload) is closed
DEFAULT_IDLE_TIMEOUT = 120.0
#: oversized bodies up to this size are read and discarded before the 413
_DRAIN_LIMIT = 64 * 1024 * 1024


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
        self._send(json_response(code, {"message": message or phrase}, close=True))

    # -- response writing ----------------------------------------------------------------
    def _send(self, response: Response) -> None:
        status, payload = response.status, response.body
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        if response.close:
            self.close_connection = True
        lines = [
            f"HTTP/1.1 {status} {phrase}",
            "Content-Type: application/json",
            f"Content-Length: {len(payload)}",
            f"Date: {self.date_time_string()}",
            "Server: deltastream-local",
        ]
        extra = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
        lines.extend(f"{k}: {v}" for k, v in extra.items())
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self._status = str(status)
        self._self_check(status, {"Content-Type": "application/json", **extra}, payload)
        try:
            if getattr(self, "command", None) == "HEAD":
                self.wfile.write(head)
            else:
                self.wfile.write(head + payload)
        except OSError:
            self.close_connection = True

    def _drop(self) -> None:
        """Close the socket without answering (the dropped-connection fault)."""
        self._status = "dropped"
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

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

    # -- dispatch ------------------------------------------------------------------------
    def _dispatch(self) -> None:
        started = time.perf_counter()
        app = self.server.app
        self._status = "-"
        route = f"{self.command} (other)"
        counted = False
        try:
            path = Request(self.command, self.path).path
            route = route_of(self.command, path)
            if is_api(path):
                app.stats.begin()  # clients' concurrency, as the server sees it
                counted = True
            headers: dict[str, str] = {}
            for name, value in self.headers.items():  # the first of repeated headers counts
                headers.setdefault(name, value)
            request = Request(self.command, self.path, headers, self._read_body())
            response = handle(app, request)
            if response.drop:
                self._drop()
            else:
                self._send(response)
        except HttpError as exc:
            self._send(error_response(exc))
        except Exception:
            log.exception("unhandled error", method=self.command, route=route)
            self._send(json_response(500, {"message": "internal server error"}, close=True))
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
