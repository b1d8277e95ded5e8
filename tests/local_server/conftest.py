"""Fixtures for the deltastream-local HTTP/CLI suites: real subprocess servers only."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable

import pytest

from deltastream_local.testing import local_server_fixture

#: one plain server per test module (``--data :memory:``)
server = local_server_fixture()
#: results split into partitions of two rows
partitioned_server = local_server_fixture("--partition-size", "2")


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Collision-free object names, so tests can share a module-scoped server."""

    def make(prefix: str = "obj") -> str:
        return f"{prefix}_{uuid.uuid4().hex[:12]}"

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The thorough HTTP fuzzers (``@pytest.mark.slow``) run only when asked for.

    ``pytest -m slow`` or ``DELTASTREAM_SLOW_TESTS=1`` runs them; by default the short
    variants of the same fuzzers run instead.
    """
    if "slow" in (config.getoption("markexpr") or "") or os.environ.get("DELTASTREAM_SLOW_TESTS"):
        return
    skip = pytest.mark.skip(reason="thorough fuzzing: run with -m slow or DELTASTREAM_SLOW_TESTS=1")
    for item in items:
        if item.get_closest_marker("slow") and item.path.name.startswith("test_fuzz_http"):
            item.add_marker(skip)
