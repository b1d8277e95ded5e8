"""How many requests the provider has in flight: the engine's parallelism below the provider's
ceiling (``maxConcurrentRequests``), as the local server counts them over real sockets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.config import engine_default_parallel
from deltastream_pulumi.testing import (
    EngineLogServer,
    ProviderConfig,
    ProviderProcess,
    Resource,
    Secret,
    Stack,
)
from deltastream_pulumi.testing.local import unique_name

DATABASE = "deltastream:index:Database"


def databases(n: int) -> list[Resource]:
    tag = unique_name("par")
    return [Resource(DATABASE, f"db{i}", {"name": f"{tag}_{i}"}) for i in range(n)]


@pytest.fixture
def slow(local_server: LocalServer) -> Iterator[LocalServer]:
    """Every API request takes 0.2 s, so the steps the engine runs at once overlap."""
    local_server.set_faults(latency=0.2)
    local_server.reset_stats()
    yield local_server
    local_server.reset_faults()


def peak(server: LocalServer) -> int:
    return int(server.stats()["peak_in_flight"])


def test_the_harness_runs_the_engines_default_parallelism(
    provider: ProviderProcess, slow: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULUMI_PARALLEL", "3")  # the CLI's default, when set
    assert engine_default_parallel() == 3
    stack = Stack(provider)
    stack.up(databases(7))
    assert peak(slow) == 3
    slow.reset_stats()
    stack.parallel = 2  # --parallel 2
    stack.destroy()
    assert peak(slow) == 2


def test_without_pulumi_parallel_the_default_is_four_per_cpu(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PULUMI_PARALLEL", raising=False)
    assert engine_default_parallel() >= 4 and engine_default_parallel() % 4 == 0


def test_max_concurrent_requests_caps_what_the_engine_sends(
    engine_log: EngineLogServer, slow: LocalServer, tmp_path: Path
) -> None:
    config = ProviderConfig(
        {
            "server": slow.url,
            "apiKey": Secret(slow.token),
            "maxConcurrentRequests": "2",  # stack config arrives as a string
        }
    )
    with ProviderProcess(engine_log, config=config, project_dir=tmp_path / "p") as provider:
        provider.configure()
        stack = Stack(provider, parallel=6)
        stack.up(databases(6))
        assert peak(slow) == 2
        stack.destroy()
        assert not stack.state
