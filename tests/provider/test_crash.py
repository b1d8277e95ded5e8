"""The provider killed (SIGKILL) in the middle of a create, for every kind, then a fresh `up`
by a new provider process: never a second object, and the error prints a `pulumi import`
command that, run as printed, adopts the object (the next `up` has nothing to do)."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import (
    EngineLogServer,
    ProviderConfig,
    ProviderProcess,
    ProviderRPCError,
    Stack,
)
from deltastream_pulumi.testing.local import api_requests, unique_name

from .pipelines import KINDS, Group, count

#: readiness delay (seconds) of stores, relations and queries: the provider is killed while
#: it waits for one; long enough for the kill, short enough for the destroy afterwards
HOLD = 4.0
POLL = "GET /v2/statements/{statementID}"


@pytest.fixture(scope="module")
def local_server() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


def _wait_for(predicate: object, what: str) -> None:
    import time

    deadline = time.monotonic() + 60
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _import_line(message: str) -> list[str]:
    found = re.search(r"pulumi import .*", message)
    assert found, f"no `pulumi import` command in: {message}"
    return shlex.split(found.group(0))


@pytest.mark.parametrize(
    "kind",
    KINDS,
)
def test_a_create_killed_midway_is_adopted_by_the_printed_import_command(
    kind: str,
    provider: ProviderProcess,
    local_server: LocalServer,
    engine_log: EngineLogServer,
    provider_config: ProviderConfig,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    group = Group(unique_name("crash"))
    needs, target = group.up_to(kind)
    first = Stack(provider)
    first.up(needs)

    if kind in ("database", "namespace"):
        # the create statement runs for a while (answered 202): the provider dies polling it
        keyword = "CREATE DATABASE" if kind == "database" else "CREATE SCHEMA"
        local_server.set_options(
            statement_delay=1.5, statement_delay_matching=keyword, async_threshold=0.05
        )
        polled = api_requests(local_server)[POLL]

        def midway() -> bool:
            return api_requests(local_server)[POLL] > polled
    else:
        # the object exists at once but becomes ready only after HOLD seconds
        local_server.set_options(
            store_ready_delay=HOLD, relation_ready_delay=HOLD, query_start_delay=HOLD
        )

        def midway() -> bool:
            return count(local_server, group.prefix, kind) > 0

    errors: list[BaseException] = []

    def up() -> None:
        try:
            first.up([*needs, target])
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=up)
    try:
        worker.start()
        _wait_for(midway, f"the {kind} create to be under way")
        assert provider.pid is not None
        os.killpg(provider.pid, signal.SIGKILL)
        worker.join(30)
        _wait_for(lambda: count(local_server, group.prefix, kind) == 1, "the statement to apply")
    finally:
        local_server.set_options(
            statement_delay=0.0,
            statement_delay_matching=None,
            async_threshold=0.5,
            store_ready_delay=0.0,
            relation_ready_delay=0.0,
            query_start_delay=0.0,
        )
    assert errors and not worker.is_alive()
    assert first.urn_of(target) not in first.state  # the engine never heard of it

    # a fresh `up` with a new provider process and the state the engine kept
    with ProviderProcess(
        engine_log, config=provider_config, project_dir=tmp_path / "again"
    ) as fresh:
        fresh.configure()
        again = Stack(fresh)
        again.state = dict(first.state)
        with pytest.raises(ProviderRPCError) as refused:
            again.up([*needs, target])
        argv = _import_line(refused.value.details)
        assert argv[:2] == ["pulumi", "import"] and argv[2] == target.type
        assert argv[3] == target.name
        after_refusal = count(local_server, group.prefix, kind)
        again.import_(argv[2], argv[3], argv[4])
        result = again.up([*needs, target])
        assert result.step(target.name).op in ("same", "update")
        after_import = count(local_server, group.prefix, kind)
        again.destroy()
        left = count(local_server, group.prefix, kind)
    figures = {
        "kind": kind,
        "objects after the crash": 1,
        "after the fresh up": after_refusal,
        "after the import and up": after_import,
        "after destroy": left,
        "next step": " ".join([*argv[:3], "<name>", "<id>"]),
    }
    print(f"\ncrash {json.dumps(figures)}")
    record_property("crash", json.dumps(figures))
    assert (after_refusal, after_import, left) == (1, 1, 0)
