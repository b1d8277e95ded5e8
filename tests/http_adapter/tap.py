"""A passive TCP relay in front of the real ``deltastream-local``, recording what goes over it.

The local server counts requests per route but not TCP connections or request headers, so
tests that must see the wire (keep-alive, User-Agent, body encoding, that the API key travels
only in ``Authorization``) put this relay between the client and the server. It forwards
bytes unchanged in both directions; the server still does all the work.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit


class TcpTap:
    """Listens on a loopback port and relays every connection to ``target_url``'s host:port."""

    def __init__(self, target_url: str) -> None:
        split = urlsplit(target_url)
        self._target = (split.hostname or "127.0.0.1", split.port or 80)
        self._path = split.path
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._lock = threading.Lock()
        #: bytes the client sent, one buffer per accepted TCP connection
        self.sent: list[bytearray] = []
        self._closed = False
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def url(self) -> str:
        port = self._listener.getsockname()[1]
        return f"http://127.0.0.1:{port}{self._path}"

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self.sent)

    def requests(self) -> list[bytes]:
        """Every request head (request line + headers) seen so far, in order."""
        heads: list[bytes] = []
        with self._lock:
            streams = [bytes(buffer) for buffer in self.sent]
        for stream in streams:
            heads.extend(_request_heads(stream))
        return heads

    def all_bytes(self) -> bytes:
        with self._lock:
            return b"".join(bytes(buffer) for buffer in self.sent)

    def __enter__(self) -> TcpTap:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._listener.close()

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._target)
            with self._lock:
                buffer = bytearray()
                self.sent.append(buffer)
            threading.Thread(
                target=self._pump, args=(client, upstream, buffer), daemon=True
            ).start()
            threading.Thread(target=self._pump, args=(upstream, client, None), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, record: bytearray | None) -> None:
        try:
            while chunk := source.recv(65536):
                if record is not None:
                    with self._lock:
                        record.extend(chunk)
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            # pass the close on, so a server-side drop reaches the client as a drop
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)


def _request_heads(stream: bytes) -> Iterator[bytes]:
    """Split one connection's client bytes into request heads (skipping bodies by length)."""
    position = 0
    while True:
        end = stream.find(b"\r\n\r\n", position)
        if end < 0:
            return
        head = stream[position:end]
        yield head
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        position = end + 4 + length


def header(head: bytes, name: str) -> str | None:
    """The value of header ``name`` in a request head, or None."""
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name.lower().encode():
            return value.strip().decode()
    return None
