"""``StdlibTransport``: an ``httpx`` transport over the standard library's ``http.client``.

``httpx.Client`` stays the API (URLs, headers, timeouts, ``Response``); only the wire layer
changes. httpcore and h11 parse HTTP in pure Python and cost the provider about 0.35 ms of
CPU per request on loopback; ``http.client`` parses the status line and headers in fewer
steps, and the provider's event loop is CPU-bound when the engine runs many operations at
once (the provider's CPU for the 400 statements of benchmarks/provider_bench.py fell from
about 0.74 s to 0.59 s with this transport alone).

What it keeps from httpcore's connection pool, because the client's retry rules depend on it:

* keep-alive: idle connections are reused up to ``max_keepalive_connections`` and
  ``keepalive_expiry``; one the server closed while idle is noticed (its socket is readable)
  and dropped *before* a request is written to it, so a stale connection never turns a
  statement into an ambiguous outcome;
* errors as httpx's types, by the phase they happen in: connect (``ConnectError``,
  ``ConnectTimeout``: nothing was sent), write (``WriteError``, ``WriteTimeout``) and read
  (``ReadError``, ``ReadTimeout``, ``RemoteProtocolError``): the request may have run. The
  original exception is the ``__cause__`` (TLS verification failures are recognised by it);
* TLS through ``httpx.create_ssl_context`` (certifi, ``SSL_CERT_FILE``/``SSL_CERT_DIR``).

Concurrency is bounded by the caller: :class:`~deltastream_http.client.DeltaStreamClient`
runs at most ``max_in_flight`` requests at once (its worker threads), so the pool never
needs to wait for a free connection. Proxies are httpx's job: the client uses httpx's own
transport when an environment proxy applies to the server.
"""

from __future__ import annotations

import http.client
import select
import ssl
import threading
import time

import httpx

Origin = tuple[str, str, int]


class _Connection:
    """One ``http.client`` connection and when it went idle."""

    __slots__ = ("conn", "idle_since")

    def __init__(self, conn: http.client.HTTPConnection) -> None:
        self.conn = conn
        self.idle_since = 0.0

    def closed_by_peer(self) -> bool:
        """An idle keep-alive socket is readable only when the server closed it (EOF or TLS
        close_notify) or sent something unasked: either way it cannot carry a request."""
        sock = self.conn.sock
        if sock is None:
            return True
        if hasattr(select, "poll"):  # unlike select(), poll() has no FD_SETSIZE limit
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([sock], [], [], 0)[0])  # pragma: no cover - Windows

    def close(self) -> None:
        self.conn.close()


class StdlibTransport(httpx.BaseTransport):
    """A keep-alive HTTP/1.1 transport on ``http.client``; see the module docstring.

    :param verify: verify the server's TLS certificate (``False`` for test servers only), or
        an ``ssl.SSLContext`` to use as is.
    :param limits: ``max_keepalive_connections`` and ``keepalive_expiry`` apply.
    """

    def __init__(
        self,
        *,
        verify: bool | ssl.SSLContext = True,
        limits: httpx.Limits | None = None,
    ) -> None:
        limits = limits or httpx.Limits()
        self._ssl_context = (
            verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify)
        )
        self._max_idle = limits.max_keepalive_connections
        self._expiry = limits.keepalive_expiry
        self._idle: dict[Origin, list[_Connection]] = {}
        self._lock = threading.Lock()
        self._closed = False

    # -- pool --------------------------------------------------------------------------------
    def _checkout(self, origin: Origin) -> _Connection | None:
        """A reusable idle connection to ``origin``, most recently used first, or ``None``."""
        stale: list[_Connection] = []
        found = None
        now = time.monotonic()
        with self._lock:
            idle = self._idle.get(origin, [])
            while idle:
                candidate = idle.pop()
                expired = self._expiry is not None and now - candidate.idle_since > self._expiry
                if expired or candidate.closed_by_peer():
                    stale.append(candidate)
                else:
                    found = candidate
                    break
        for connection in stale:
            connection.close()
        return found

    def _checkin(self, origin: Origin, connection: _Connection) -> None:
        connection.idle_since = time.monotonic()
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if not self._closed and (self._max_idle is None or len(idle) < self._max_idle):
                idle.append(connection)
                return
        connection.close()

    def _open(self, origin: Origin, timeout: float | None) -> _Connection:
        scheme, host, port = origin
        conn: http.client.HTTPConnection
        if scheme == "https":
            conn = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=self._ssl_context
            )
        else:
            conn = http.client.HTTPConnection(host, port, timeout=timeout)
        return _Connection(conn)

    # -- one exchange ------------------------------------------------------------------------
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(
                f"unsupported URL scheme {url.scheme!r}", request=request
            )
        origin: Origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        timeouts = request.extensions.get("timeout", {})
        connection = self._checkout(origin)
        if connection is None:
            connection = self._open(origin, timeouts.get("connect"))
            try:
                connection.conn.connect()
            except TimeoutError as exc:
                connection.close()
                raise httpx.ConnectTimeout(
                    str(exc) or "connect timed out", request=request
                ) from exc
            except OSError as exc:  # refused, unreachable, TLS handshake or verification
                connection.close()
                raise httpx.ConnectError(str(exc), request=request) from exc
        try:
            response = self._exchange(connection, request, timeouts)
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        else:
            self._checkin(origin, connection)
        return response.httpx

    def _exchange(
        self, connection: _Connection, request: httpx.Request, timeouts: dict[str, float | None]
    ) -> _Answer:
        conn = connection.conn
        sock = conn.sock
        assert sock is not None  # connected above, or a live idle connection
        body = request.read()
        try:
            sock.settimeout(timeouts.get("write"))
            conn.putrequest(
                request.method,
                request.url.raw_path.decode("ascii"),
                skip_host=True,  # httpx's Host header is among the request's headers
                skip_accept_encoding=True,
            )
            for name, value in request.headers.raw:
                conn.putheader(name, value)
            conn.endheaders(body or None)
        except TimeoutError as exc:
            raise httpx.WriteTimeout(str(exc) or "write timed out", request=request) from exc
        except OSError as exc:
            raise httpx.WriteError(str(exc), request=request) from exc
        try:
            sock.settimeout(timeouts.get("read"))
            raw = conn.getresponse()
            content = raw.read()
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
        except (http.client.HTTPException, ConnectionResetError) as exc:
            # RemoteDisconnected, BadStatusLine, IncompleteRead: the answer was cut off
            message = str(exc) or type(exc).__name__
            raise httpx.RemoteProtocolError(message, request=request) from exc
        except OSError as exc:
            raise httpx.ReadError(str(exc), request=request) from exc
        response = httpx.Response(
            raw.status,
            headers=raw.getheaders(),
            content=content,  # decoded by httpx per Content-Encoding, as with httpcore
            request=request,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (raw.reason or "").encode("latin-1", "replace"),
            },
        )
        return _Answer(response, bool(raw.will_close))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle = [c for connections in self._idle.values() for c in connections]
            self._idle.clear()
        for connection in idle:
            connection.close()


class _Answer:
    __slots__ = ("httpx", "will_close")

    def __init__(self, response: httpx.Response, will_close: bool) -> None:
        self.httpx = response
        self.will_close = will_close


__all__ = ["StdlibTransport"]
