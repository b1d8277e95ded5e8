"""Provider bring-up: CheckConfig messages, config values as strings, DiffConfig."""

from __future__ import annotations

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import (
    CheckFailedError,
    ProviderConfig,
    ProviderProcess,
    Secret,
)


@pytest.fixture
def provider_config(monkeypatch: pytest.MonkeyPatch) -> ProviderConfig:
    """Nothing configured (and no DELTASTREAM_* fallbacks in the provider's environment)."""
    for var in ("DELTASTREAM_SERVER", "DELTASTREAM_API_KEY", "DELTASTREAM_ORGANIZATION"):
        monkeypatch.delenv(var, raising=False)
    return ProviderConfig({})


def test_launch_handshake_and_plugin_info(unconfigured_provider: ProviderProcess) -> None:
    assert unconfigured_provider.port > 0
    assert unconfigured_provider.plugin_version
    assert unconfigured_provider.stdout_after_port == []
    schema = unconfigured_provider.get_schema()  # works before Configure
    assert schema["name"] == "deltastream"
    assert {"deltastream:index:Database", "deltastream:index:Namespace"} <= set(schema["resources"])


def test_missing_server_and_api_key_name_the_fix(unconfigured_provider: ProviderProcess) -> None:
    with pytest.raises(CheckFailedError) as info:
        unconfigured_provider.configure(ProviderConfig({}))
    reasons = {f.property: f.reason for f in info.value.failures}
    assert "pulumi config set deltastream:server" in reasons["server"]
    assert "pulumi config set --secret deltastream:apiKey" in reasons["apiKey"]


def test_string_config_values_and_api_key_change_is_not_a_replace(
    unconfigured_provider: ProviderProcess, local_server: LocalServer
) -> None:
    config = ProviderConfig(
        {
            "server": local_server.url,
            "apiKey": Secret(local_server.token),
            "insecureSkipVerify": False,
        }
    )
    checked = unconfigured_provider.configure(config)  # False arrives as the string "false"
    assert isinstance(checked["apiKey"], Secret)
    changed = dict(checked, apiKey=Secret("another-key"))
    response = unconfigured_provider.diff_config(checked, changed)
    assert not response.replaces
    assert local_server.token not in unconfigured_provider.stderr_text()
