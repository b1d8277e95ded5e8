"""The engine's Cancel (and SIGTERM) while a create waits for its object to become ready: the
wait ends at once, the create answers a partial failure carrying the object's id (so the
engine records it), and the next `up`, by a new provider process, finishes it."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import (
    EngineLogServer,
    ProviderConfig,
    ProviderProcess,
    ProviderRPCError,
    Stack,
)
from deltastream_pulumi.testing.local import unique_name

from .pipelines import Group, count

#: readiness delay: far longer than a cancelled wait may take to end (it ends at once)
HOLD = 5.0


@pytest.fixture(scope="module")
def local_server() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


def _cancel(provider: ProviderProcess) -> None:
    provider.call("Cancel", empty_pb2.Empty())


def _sigterm(provider: ProviderProcess) -> None:
    assert provider.pid is not None
    os.kill(provider.pid, signal.SIGTERM)


@pytest.mark.parametrize(
    ("kind", "stop"),
    [
        *((kind, _cancel) for kind in ("store", "relation", "query", "application")),
        ("store", _sigterm),
        ("query", _sigterm),
    ],
    ids=[
        "store-Cancel",
        "relation-Cancel",
        "query-Cancel",
        "app-Cancel",
        "store-SIGTERM",
        "query-SIGTERM",
    ],
)
def test_cancel_ends_the_wait_and_the_object_is_recorded(
    kind: str,
    stop: Callable[[ProviderProcess], None],
    provider: ProviderProcess,
    local_server: LocalServer,
    engine_log: EngineLogServer,
    provider_config: ProviderConfig,
    tmp_path: Path,
) -> None:
    group = Group(unique_name("cancel"))
    needs, target = group.up_to(kind)
    stack = Stack(provider)
    stack.up(needs)
    local_server.set_options(
        store_ready_delay=HOLD, relation_ready_delay=HOLD, query_start_delay=HOLD
    )
    errors: list[BaseException] = []

    def up() -> None:
        try:
            stack.up([*needs, target])
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=up)
    try:
        worker.start()
        deadline = time.monotonic() + 60
        while count(local_server, group.prefix, kind) == 0:  # the create is now waiting
            assert time.monotonic() < deadline, "the create never started"
            time.sleep(0.05)
        stop(provider)
        worker.join(HOLD / 2)
        assert not worker.is_alive(), "the wait did not end on cancellation"
    finally:
        local_server.set_options(
            store_ready_delay=0.0, relation_ready_delay=0.0, query_start_delay=0.0
        )
        worker.join(HOLD * 2)

    assert len(errors) == 1 and isinstance(errors[0], ProviderRPCError), errors
    detail = errors[0].detail(provider_pb2.ErrorResourceInitFailed)
    assert detail is not None and detail.id, errors[0]
    assert "cancelled" in errors[0].details
    recorded = stack.state[stack.urn_of(target)]
    assert recorded.id == detail.id and recorded.init_errors
    assert count(local_server, group.prefix, kind) == 1

    with ProviderProcess(engine_log, config=provider_config, project_dir=tmp_path / "next") as p:
        p.configure()
        following = Stack(p)
        following.state = dict(stack.state)
        result = following.up([*needs, target])
        assert result.step(target.name).op == "update"
        assert not following.state[following.urn_of(target)].init_errors
        assert count(local_server, group.prefix, kind) == 1
        following.destroy()
    assert count(local_server, group.prefix, kind) == 0
