"""Store connectivity checks: parse ``uris`` into endpoints and TCP-connect to each one.

With ``verify_store_connectivity`` on, a new or updated store stays ``pending`` until a
background thread has connected to every endpoint; one failure makes it ``errored`` with a
``status_message``. One short-lived thread per check (no polling loop); the result is written
back only if the store has not changed since (its ``generation``).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {
    "kafka": 9092,
    "postgres": 5432,
    "postgresql": 5432,
    "https": 443,
    "http": 80,
    "wss": 443,
    "ws": 80,
}


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class UriError(ValueError):
    """A ``uris`` entry that is neither ``host:port`` nor a URL with a host."""


def parse_uris(uris: str, default_port: int) -> list[Endpoint]:
    """``"a:9092,b:9093"`` or ``"postgresql://h/db"``; userinfo and paths are ignored."""
    endpoints: list[Endpoint] = []
    for raw in uris.split(","):
        entry = raw.strip()
        if not entry:
            continue
        if "://" in entry:
            parts = urlsplit(entry)
            default = _DEFAULT_PORTS.get(parts.scheme.lower(), default_port)
        else:
            parts = urlsplit("//" + entry)
            default = default_port
        try:
            port = parts.port or default
        except ValueError as exc:
            raise UriError(f"invalid port in uri entry {len(endpoints) + 1}") from exc
        if not parts.hostname:
            raise UriError(f"no host in uri entry {len(endpoints) + 1}")
        endpoints.append(Endpoint(parts.hostname, port))
    if not endpoints:
        raise UriError("no uri given")
    return endpoints


def first_failure(endpoints: list[Endpoint], timeout: float) -> str | None:
    """Connect to each endpoint in turn; the message of the first failure, or None."""
    for endpoint in endpoints:
        try:
            with socket.create_connection((endpoint.host, endpoint.port), timeout=timeout):
                pass
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            return f"cannot connect to {endpoint}: {reason}"
    return None


#: Called with the probe's result: ``None`` when every endpoint accepted a connection.
ResultSink = Callable[[str | None], None]


class ConnectivityProber:
    """Runs probes on daemon threads; ``close`` waits briefly for the running ones."""

    def __init__(self) -> None:
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self._closed = False

    def start(self, endpoints: list[Endpoint], timeout: float, on_done: ResultSink) -> None:
        def run() -> None:
            try:
                result = first_failure(endpoints, timeout)
                if not self._closed:
                    on_done(result)
            except Exception:  # a probe must never take anything down with it
                log.exception("store connectivity probe failed")
            finally:
                with self._lock:
                    self._threads.discard(threading.current_thread())

        thread = threading.Thread(target=run, name="store-probe", daemon=True)
        with self._lock:
            if self._closed:
                return
            self._threads.add(thread)
        thread.start()

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait for running probes (tests use it to avoid sleeping)."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)

    def close(self) -> None:
        self._closed = True
        self.wait_idle(timeout=1.0)
