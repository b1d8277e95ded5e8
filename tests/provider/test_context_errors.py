"""A provider configured with an organization or role DeltaStream does not know never
mistakes the error for "the object is gone": destroy fails saying what to fix and leaves the
object (and the state) alone, and refresh keeps the resource."""

from __future__ import annotations

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import (
    EngineLogServer,
    ProviderConfig,
    ProviderProcess,
    ProviderRPCError,
    Resource,
    Secret,
    Stack,
)
from deltastream_pulumi.testing.local import run_sql, unique_name

from .conftest import DATABASE

GOOD_ORG = "0b1c3a52-6d0e-4f1a-9c7b-2e5d8f4a1c00"


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("organization", "00000000-0000-4000-8000-000000000000", "organization"),
        ("role", "nosuchrole", "role"),
    ],
)
def test_an_unknown_context_is_not_a_gone_object(
    stack: Stack, local_server: LocalServer, setting: str, value: str, says: str
) -> None:
    name = unique_name("ctx")
    stack.up([Resource(DATABASE, "db", {"name": name})])
    config = {
        "server": local_server.url,
        "apiKey": Secret(local_server.token),
        "organization": GOOD_ORG,
        setting: value,
    }
    with (
        EngineLogServer() as engine,
        ProviderProcess(engine, config=ProviderConfig(config)) as wrong,
    ):
        wrong.configure()
        other = Stack(wrong)
        other.state = dict(stack.state)
        with pytest.raises(ProviderRPCError) as refreshing:
            other.refresh()
        assert len(other.state) == 1, "an unknown context dropped the resource from the state"
        with pytest.raises(ProviderRPCError) as destroying:
            other.destroy()
        assert len(other.state) == 1, "an unknown context counted as a completed delete"
    for info in (refreshing, destroying):
        assert says in info.value.details
        assert "`organization` and `role`" in info.value.details
    assert any(row[0] == name for row in run_sql(local_server, "LIST DATABASES;")), (
        "the database was dropped or reported dropped"
    )
