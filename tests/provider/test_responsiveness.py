"""While a Create waits on a slow DeltaStream statement, the provider keeps answering other
RPCs (the engine's Cancel, Check of other resources): HTTP waits never block its event loop."""

from __future__ import annotations

import threading
import time

from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import ProviderProcess, Resource, Stack
from deltastream_pulumi.testing.local import unique_name

DATABASE = "deltastream:index:Database"


def test_rpcs_answer_while_a_create_is_held_in_an_http_request(
    stack: Stack, provider: ProviderProcess, local_server: LocalServer
) -> None:
    name = unique_name("held")
    # the POST itself takes 2 s (no 202: the async threshold is longer than the delay)
    local_server.set_options(
        statement_delay=2.0, statement_delay_matching="CREATE DATABASE", async_threshold=10.0
    )
    try:
        worker = threading.Thread(
            target=stack.up, args=([Resource(DATABASE, "db", {"name": name})],)
        )
        worker.start()
        time.sleep(0.5)  # the Create is now inside its HTTP request
        started = time.monotonic()
        provider.call("GetSchema", provider_pb2.GetSchemaRequest(version=0))
        provider.call("GetPluginInfo", empty_pb2.Empty())
        answered = time.monotonic() - started
        assert worker.is_alive(), "the Create should still be waiting on DeltaStream"
        worker.join(30)
    finally:
        local_server.set_options(statement_delay=0.0, statement_delay_matching=None)
    assert answered < 0.5, f"other RPCs waited {answered:.2f}s behind the held Create"
    assert stack.state[stack.urn(DATABASE, "db")].outputs["name"] == name
    stack.destroy()
