"""Stores that cannot connect, under the local server's connectivity verification: create fails
with the service's status message and leaves no store; a reachable one becomes ready."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import ProviderRPCError, Resource, Secret, Stack
from deltastream_pulumi.testing.local import run_sql, unique_name

STORE = "deltastream:index:Store"


@pytest.fixture(scope="module")
def local_server() -> Iterator[LocalServer]:
    """A verifying server: a store is ready only once a TCP connect to each URI succeeded."""
    with LocalServer(
        "--verify-store-connectivity",
        "--store-ready-delay",
        "0.2",
        token=f"tok-{secrets.token_hex(16)}",
    ) as server:
        yield server


def kafka(res: str, name: str, uris: str) -> Resource:
    block = {
        "uris": uris,
        "saslHashFunction": "PLAIN",
        "saslUsername": Secret("fail-user-3b1"),
        "saslPassword": Secret("fail-pw-8d2"),
    }
    return Resource(STORE, res, {"name": name, "kafka": block})


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def names(server: LocalServer) -> set[str]:
    return {r[0] for r in run_sql(server, 'SELECT name FROM deltastream.sys."stores";')}


def test_unreachable_store_fails_create_and_leaves_nothing(
    stack: Stack, local_server: LocalServer
) -> None:
    name = unique_name("st_unreachable")
    port = unused_port()
    with pytest.raises(ProviderRPCError) as info:
        stack.up([kafka("s", name, f"127.0.0.1:{port}")])
    message = str(info.value)
    assert "errored" in message and str(port) in message, message
    assert "dropped" in message
    assert "fail-pw-8d2" not in message and "fail-user-3b1" not in message
    assert name not in names(local_server)
    assert stack.state == {}


def test_reachable_store_becomes_ready(stack: Stack, local_server: LocalServer) -> None:
    name = unique_name("st_reachable")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        step = stack.up([kafka("s", name, f"127.0.0.1:{port}")]).step("s", "create")
        assert step.outputs["state"] == "ready"
        stack.destroy()
    assert name not in names(local_server)
