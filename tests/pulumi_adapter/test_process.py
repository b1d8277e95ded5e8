"""Smoke test of the real ``pulumi-resource-deltastream`` process, launched as the engine does.

The lifecycle sequences over gRPC belong to the engine-faithful harness (``tests/provider``);
this only proves the launch contract: the port alone on stdout, the engine address taken as the
last non-flag argument, GetSchema before Configure, an embedded server started on demand and
stopped on SIGINT, and no secret in stderr.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import engine_pb2_grpc, provider_pb2, provider_pb2_grpc

API_KEY = "smoke-test-api-key-4f1c"


class _Engine(engine_pb2_grpc.EngineServicer):
    def __init__(self) -> None:
        self.logs: list[Any] = []

    def Log(self, request: Any, context: Any) -> Any:
        self.logs.append(request)
        return empty_pb2.Empty()


@pytest.fixture
def engine() -> Iterator[tuple[_Engine, int]]:
    servicer = _Engine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine_pb2_grpc.add_EngineServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield servicer, port
    server.stop(None)


def _executable() -> str:
    script = Path(sys.executable).parent / "pulumi-resource-deltastream"
    assert script.exists(), "pulumi-resource-deltastream is not installed next to the interpreter"
    return str(script)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def _struct(values: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(values)
    return s


@pytest.mark.timeout(120)
def test_real_process_launch_contract(engine: tuple[_Engine, int], tmp_path: Path) -> None:
    _, engine_port = engine
    env = {k: v for k, v in os.environ.items() if not k.startswith("DELTASTREAM_")}
    # --tracing's value must not be taken for the engine address (SDK bug #11)
    argv = [
        _executable(),
        "--logtostderr",
        "-v=9",
        "--tracing",
        "http://tracing.invalid",
        f"127.0.0.1:{engine_port}",
    ]
    proc = subprocess.Popen(
        argv, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    stderr_chunks: list[bytes] = []
    reader = threading.Thread(
        target=lambda: stderr_chunks.extend(iter(lambda: proc.stderr.read1(65536), b"")),  # type: ignore[union-attr]
        daemon=True,
    )
    reader.start()
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().decode()
        assert re.fullmatch(r"\d+\n", first), f"first stdout line is not a port: {first!r}"
        channel = grpc.insecure_channel(f"127.0.0.1:{int(first)}")
        stub = provider_pb2_grpc.ResourceProviderStub(channel)

        hs = stub.Handshake(provider_pb2.ProviderHandshakeRequest(), timeout=10)
        assert hs.accept_secrets and not hs.accept_outputs
        schema = json.loads(stub.GetSchema(provider_pb2.GetSchemaRequest(), timeout=30).schema)
        assert schema["name"] == "deltastream"
        assert "deltastream:index:Database" in schema["resources"]

        urn = "urn:pulumi:smoke::proj::pulumi:providers:deltastream::default"
        check = stub.CheckConfig(
            provider_pb2.CheckRequest(
                urn=urn, olds=_struct({}), news=_struct({"server": "local", "apiKey": API_KEY})
            ),
            timeout=10,
        )
        assert not check.failures
        stub.Configure(
            provider_pb2.ConfigureRequest(
                args=_struct({"server": "local", "apiKey": API_KEY}), urn=urn
            ),
            timeout=10,
        )
        assert not _children(proc.pid), "the embedded server must start on first use only"
        resp = stub.Invoke(
            provider_pb2.InvokeRequest(tok="deltastream:index:getDatabases", args=_struct({})),
            timeout=60,
        )
        assert not resp.failures
        assert (tmp_path / ".deltastream-local" / "smoke" / "catalog.sqlite").exists()
        children = _children(proc.pid)
        assert children, "the embedded deltastream-local should be running"
        channel.close()

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        deadline = time.monotonic() + 5
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(c) for c in children), "the embedded server outlived the provider"
        assert proc.stdout.read() == b"", "nothing but the port may be written to stdout"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
    stderr = b"".join(stderr_chunks).decode(errors="replace")
    assert "serving" in stderr
    assert f"engine='127.0.0.1:{engine_port}'" in stderr  # not the --tracing value
    assert API_KEY not in stderr
