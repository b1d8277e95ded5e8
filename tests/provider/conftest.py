"""Fixtures for the engine-harness tests of the built-in kinds."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import EngineLogServer, ProviderProcess

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))
from test_store_support import SECRET_VALUES  # every store type's secret test values

DATABASE = "deltastream:index:Database"
NAMESPACE = "deltastream:index:Namespace"


@pytest.fixture(autouse=True)
def _no_secret_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every provider test: the API key, and the secret values the store tests use
    (every store type's credentials), never reached provider stderr or an engine log
    message."""
    if "unconfigured_provider" not in request.fixturenames:
        yield
        return
    # taken before the test runs: fixtures cannot be requested during teardown
    provider: ProviderProcess = request.getfixturevalue("unconfigured_provider")
    engine_log: EngineLogServer = request.getfixturevalue("engine_log")
    local_server: LocalServer = request.getfixturevalue("local_server")
    yield
    token = local_server.token
    messages, stderr = engine_log.text(), provider.stderr_text()
    assert token not in messages, "the API key leaked into an engine log message"
    assert token not in stderr, "the API key leaked into provider stderr"
    for value in SECRET_VALUES:
        assert value not in messages, f"store secret {value!r} leaked into an engine log message"
        assert value not in stderr, f"store secret {value!r} leaked into provider stderr"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The soak test (``@pytest.mark.slow``) runs only when asked for: ``pytest -m slow`` or
    ``DELTASTREAM_SLOW_TESTS=1`` (CI sets it)."""
    if "slow" in (config.getoption("markexpr") or "") or os.environ.get("DELTASTREAM_SLOW_TESTS"):
        return
    skip = pytest.mark.skip(reason="soak: run with -m slow or DELTASTREAM_SLOW_TESTS=1")
    for item in items:
        if item.get_closest_marker("slow") and item.path.name == "test_soak.py":
            item.add_marker(skip)
