"""The client's HTTP transport (``deltastream_http.transport``) on real sockets.

Keep-alive reuse, stale connections, expiry, the phase of a failure (which decides whether a
WRITE may have run), HTTPS with and without verification, and environment proxies. Servers
are real ``deltastream-local`` processes; the server-side idle timeout stands in for the load
balancer that closes idle connections in front of DeltaStream.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import trustme

from deltastream_core.errors import AmbiguousOutcomeError, DeltaStreamError, TransientError
from deltastream_http import DeltaStreamClient
from deltastream_local.testing import LocalServer, local_server_fixture

from .conftest import FAST_RETRY, count, settled_stats
from .helpers import CONTEXT, create_database, database_exists

MakeClient = Callable[..., DeltaStreamClient]
STATEMENTS = "POST /v2/statements"

#: closes connections idle for 0.3 s, as a load balancer would after its idle timeout
short_idle_server = local_server_fixture("--idle-timeout", "0.3", scope="function")


def connections(server: LocalServer) -> int:
    return int(settled_stats(server)["connections"])


@pytest.fixture(params=["stdlib", "httpx-default"])
def make_any_client(request: pytest.FixtureRequest, make_client: MakeClient) -> MakeClient:
    """``make_client`` on the client's own transport, and on httpx's (what it falls back to
    when a proxy applies, and what a caller may pass): the second goes through
    ``httpx.Client.send``."""

    def make(**overrides: object) -> DeltaStreamClient:
        if request.param == "httpx-default":
            overrides.setdefault("transport", httpx.HTTPTransport())
        return make_client(**overrides)

    return make


def test_statements_share_one_keep_alive_connection(
    server: LocalServer, make_any_client: MakeClient, unique: Callable[[str], str]
) -> None:
    async def scenario() -> None:
        async with make_any_client() as client:
            for _ in range(10):
                await client.run(create_database(unique("ka")), CONTEXT)

    asyncio.run(scenario())
    assert count(server, STATEMENTS) == 10
    assert connections(server) == 1


def test_connection_closed_by_the_server_while_idle_is_not_reused_for_a_write(
    short_idle_server: LocalServer, unique: Callable[[str], str]
) -> None:
    """Without the check, the second CREATE would go out on a dead socket: its answer would
    be lost and, having no effect probe, it would fail as an ambiguous outcome."""
    first, second = unique("idle"), unique("idle")
    short_idle_server.reset_stats()

    async def scenario() -> None:
        async with DeltaStreamClient(
            short_idle_server.url, short_idle_server.token, retry=FAST_RETRY
        ) as client:
            await client.run(create_database(first, probe=False), CONTEXT)
            await asyncio.sleep(0.8)  # the server closes the idle connection after 0.3 s
            await client.run(create_database(second, probe=False), CONTEXT)
            assert len(await client.run(database_exists(second), CONTEXT)) == 1

    asyncio.run(scenario())
    stats = settled_stats(short_idle_server)
    assert stats["requests"][STATEMENTS] == 3  # nothing repeated
    # the client's first and its replacement, and the stats reader's own reconnection (its
    # connection idled out too)
    assert stats["connections"] == 3


def test_connections_idle_beyond_keepalive_expiry_are_replaced(
    server: LocalServer, make_client: MakeClient, unique: Callable[[str], str]
) -> None:
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2, keepalive_expiry=0.2)

    async def scenario() -> None:
        async with make_client(limits=limits) as client:
            await client.run(database_exists(unique("exp")), CONTEXT)
            await client.run(database_exists(unique("exp")), CONTEXT)  # reused at once
            await asyncio.sleep(0.5)
            await client.run(database_exists(unique("exp")), CONTEXT)

    asyncio.run(scenario())
    assert connections(server) == 2


def test_read_timeout_means_the_write_may_have_run(
    server: LocalServer, make_any_client: MakeClient, unique: Callable[[str], str]
) -> None:
    """A request that was sent but not answered in time is a lost answer, not a refusal."""
    server.set_faults(latency=1.0, match=STATEMENTS)

    async def scenario() -> None:
        async with make_any_client(timeout=httpx.Timeout(0.3)) as client:
            await client.run(create_database(unique("slow"), probe=False), CONTEXT)

    with pytest.raises(AmbiguousOutcomeError) as caught:
        asyncio.run(scenario())
    assert "ReadTimeout" in str(caught.value.__cause__)
    # one request reached the server (counted as it arrived) and was never repeated
    assert settled_stats(server)["faults"] == {"latency": 1}


# -- HTTPS -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="module")
def tls_server(
    ca: trustme.CA, ca_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalServer]:
    folder = tmp_path_factory.mktemp("tls")
    issued = ca.issue_cert("127.0.0.1", "localhost")
    cert, key = folder / "cert.pem", folder / "key.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    key.write_bytes(issued.private_key_pem.bytes())
    trusting = ssl.create_default_context(cafile=str(ca_file))
    with LocalServer("--tls-cert", str(cert), "--tls-key", str(key), verify=trusting) as server:
        yield server


def run_one(server: LocalServer, **options: object) -> int:
    async def scenario() -> int:
        async with DeltaStreamClient(
            server.url, server.token, retry=FAST_RETRY, **options
        ) as client:
            return len(await client.run(database_exists("none"), CONTEXT))

    return asyncio.run(scenario())


def test_https_with_a_certificate_of_a_trusted_ca(
    tls_server: LocalServer, ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tls_server.url.startswith("https://127.0.0.1:")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    assert run_one(tls_server) == 0


def test_untrusted_certificate_fails_at_once_naming_insecure_skip_verify(
    tls_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    started = time.monotonic()
    with pytest.raises(DeltaStreamError) as caught:
        run_one(tls_server)
    assert not isinstance(caught.value, TransientError)  # not retried: it cannot go away
    assert "TLS verification" in str(caught.value)
    assert "deltastream:insecureSkipVerify=true" in str(caught.value)
    assert time.monotonic() - started < 2.0


def test_insecure_skip_verify_accepts_a_self_signed_certificate(
    tls_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    assert run_one(tls_server, insecure_skip_verify=True) == 0


# -- proxies -----------------------------------------------------------------------------------


def test_environment_proxy_applies_unless_no_proxy_names_the_host(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpx honours HTTP(S)_PROXY only with its own transport: the client must keep it then."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens on "discard"
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    with pytest.raises(TransientError, match="Could not connect"):
        run_one(server)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    assert run_one(server) == 0
