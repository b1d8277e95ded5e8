"""pytest fixtures for provider lifecycle tests: opt in with

    pytest_plugins = ["deltastream_pulumi.testing.pytest_plugin"]

in a ``conftest.py``. Fixtures:

* ``local_server`` (module scope): a :class:`deltastream_local.testing.LocalServer`;
  share it across a module and use unique object names per test.
* ``provider_config``: the stack config — ``server`` = the local server's URL, ``apiKey`` =
  its token as a secret, ``organization`` = the local organization. Override it to test
  other configurations.
* ``engine_log``: an :class:`EngineLogServer` recording the provider's ``Engine.Log`` calls.
* ``provider``: a started and configured :class:`ProviderProcess` (``CheckConfig`` →
  ``Configure``), stopped after the test (Cancel + SIGINT, like the engine).
* ``unconfigured_provider``: the same process before ``CheckConfig``/``Configure``.
* ``stack``: a :class:`Stack` over ``provider``; destroys what is left at teardown.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from deltastream_local.testing import ORGANIZATION_ID, LocalServer
from deltastream_pulumi.testing.engine import EngineLogServer
from deltastream_pulumi.testing.process import ProviderConfig, ProviderProcess
from deltastream_pulumi.testing.stack import Stack
from deltastream_pulumi.testing.wire import Secret


@pytest.fixture(scope="module")
def local_server() -> Iterator[LocalServer]:
    """A ``deltastream-local`` server shared by the tests of one module. Its token is random,
    so secret-leak assertions cannot be fooled by a well-known value."""
    with LocalServer(token=f"tok-{secrets.token_hex(16)}") as server:
        yield server


@pytest.fixture
def provider_config(local_server: LocalServer) -> ProviderConfig:
    """Stack config pointing the provider at ``local_server`` (apiKey set as a secret)."""
    return ProviderConfig(
        {
            "server": local_server.url,
            "apiKey": Secret(local_server.token),
            "organization": ORGANIZATION_ID,
        }
    )


@pytest.fixture
def engine_log() -> Iterator[EngineLogServer]:
    """The engine's ``Log`` endpoint, recording every message."""
    with EngineLogServer() as engine:
        yield engine


@pytest.fixture
def unconfigured_provider(
    engine_log: EngineLogServer, provider_config: ProviderConfig, tmp_path: Path
) -> Iterator[ProviderProcess]:
    """The real provider process, launched like the engine does, not yet configured."""
    process = ProviderProcess(engine_log, config=provider_config, project_dir=tmp_path / "project")
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def provider(unconfigured_provider: ProviderProcess) -> ProviderProcess:
    """The provider process after bring-up (``CheckConfig`` → ``Configure``)."""
    unconfigured_provider.configure()
    return unconfigured_provider


@pytest.fixture
def stack(provider: ProviderProcess) -> Iterator[Stack]:
    """A stack over ``provider``; whatever it still manages is destroyed at teardown."""
    created = Stack(provider)
    yield created
    if created.state and provider.running:
        with contextlib.suppress(Exception):
            created.destroy()
