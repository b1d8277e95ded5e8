"""Progress while waiting for readiness reaches the engine log, attached to the resource."""

from __future__ import annotations

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import EngineLogServer, Resource, Stack
from deltastream_pulumi.testing.local import unique_name

STORE = "deltastream:index:Store"


def test_a_slow_store_reports_progress_on_its_own_row(
    stack: Stack, local_server: LocalServer, engine_log: EngineLogServer
) -> None:
    name = unique_name("st_slow")
    store = Resource(
        STORE, "slow", {"name": name, "kafka": {"uris": "h:9092", "saslHashFunction": "NONE"}}
    )
    local_server.set_options(store_ready_delay=3.0)  # past the 2 s before progress is shown
    try:
        mark = engine_log.mark()
        result = stack.up([store])
    finally:
        local_server.set_options(store_ready_delay=0.0)
    assert result.step("slow").outputs["state"] == "ready"
    progress = [r for r in engine_log.since(mark) if r.severity == "INFO"]
    assert [r.urn for r in progress] == [stack.urn(STORE, "slow")]
    assert f"waiting for store {name!r}" in progress[0].message
    stack.destroy()
