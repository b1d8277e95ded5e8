"""Writes that applied but could not finish, for every kind, through the real provider and a
real local server: the engine records the object (partial failure with its id), the next `up`
finishes it, and a lost answer never yields a lost or a second object."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pulumi.runtime.proto import provider_pb2

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import EngineLogServer, ProviderRPCError, Stack
from deltastream_pulumi.testing.local import unique_name

from .pipelines import CREATES, KINDS, LOOKUPS, Group, count

#: customTimeouts of the resource under test: its waits give up quickly
WAIT = 3.0
#: attempts the HTTP client makes at a read (its effect probes included) before giving up
PROBES = 5


@pytest.fixture(scope="module")
def local_server() -> Iterator[LocalServer]:
    """Readiness delays on, so creates really wait."""
    with LocalServer(
        "--relation-ready-delay", "0.2", "--query-start-delay", "0.2", "--store-ready-delay", "0.2"
    ) as server:
        yield server


@pytest.fixture(autouse=True)
def _faults_off(local_server: LocalServer) -> Iterator[None]:
    yield
    local_server.reset_faults()


@pytest.mark.parametrize("kind", KINDS)
def test_a_create_whose_wait_cannot_end_is_recorded_and_finished_by_the_next_up(
    kind: str, stack: Stack, local_server: LocalServer
) -> None:
    group = Group(unique_name("part"))
    needs, target = group.up_to(kind)
    stack.up(needs)
    target.timeout = WAIT
    # every lookup of this kind's catalog answers 503: the object is created, its wait fails
    local_server.set_faults(
        statement_pattern=LOOKUPS[kind], unavailable_fraction=1.0, retry_after=0
    )
    with pytest.raises(ProviderRPCError) as failed:
        stack.up([*needs, target])
    local_server.reset_faults()

    detail = failed.value.detail(provider_pb2.ErrorResourceInitFailed)
    assert detail is not None and detail.id, failed.value.details
    assert "was created, but the step could not finish" in failed.value.details
    assert "run `pulumi up` again" in failed.value.details
    recorded = stack.state[stack.urn_of(target)]
    assert recorded.id == detail.id and recorded.init_errors
    assert count(local_server, group.prefix, kind) == 1

    finished = stack.up([*needs, target])
    assert (finished.step(target.name).op) == "update"
    recorded = stack.state[stack.urn_of(target)]
    assert not recorded.init_errors
    assert recorded.id == detail.id
    if kind in ("query", "application"):
        assert recorded.outputs["state"] == "running"
    else:
        assert recorded.outputs["createdAt"]
    assert count(local_server, group.prefix, kind) == 1

    stack.destroy()
    assert count(local_server, group.prefix, kind) == 0


@pytest.mark.parametrize("kind", KINDS)
def test_a_lost_answer_to_a_create_yields_exactly_one_object(
    kind: str, stack: Stack, local_server: LocalServer, engine_log: EngineLogServer
) -> None:
    group = Group(unique_name("lost"))
    needs, target = group.up_to(kind)
    stack.up(needs)
    # the create statement runs, then the connection closes without an answer
    local_server.reset_stats()
    local_server.set_faults(statement_pattern=CREATES[kind], drop_after_apply_next=1)
    stack.up([*needs, target])
    assert local_server.stats()["faults"].get("dropped") == 1
    assert count(local_server, group.prefix, kind) == 1
    recorded = stack.state[stack.urn_of(target)]
    assert recorded.id and not recorded.init_errors
    if kind in ("query", "application"):
        assert recorded.outputs["state"] == "running"
        assert "starts the query was lost, but it started query" in engine_log.text()
    stack.destroy()
    assert count(local_server, group.prefix, kind) == 0


@pytest.mark.parametrize("kind", ["database", "namespace", "store", "relation"])
def test_a_lost_answer_to_a_delete_is_settled(
    kind: str, stack: Stack, local_server: LocalServer
) -> None:
    group = Group(unique_name("gone"))
    needs, target = group.up_to(kind)
    stack.up([*needs, target])
    local_server.reset_stats()
    local_server.set_faults(statement_pattern="^DROP ", drop_after_apply_next=1)
    stack.destroy()
    assert local_server.stats()["faults"].get("dropped") == 1
    assert not stack.state
    assert count(local_server, group.prefix, kind) == 0


@pytest.mark.parametrize("kind", ["store", "relation", "query", "application"])
def test_a_lost_answer_to_an_owner_change_is_settled(
    kind: str, stack: Stack, local_server: LocalServer
) -> None:
    group = Group(unique_name("own"))
    needs, target = group.up_to(kind)
    stack.up([*needs, target])
    target.inputs = {**target.inputs, "owner": "public"}
    local_server.reset_stats()
    local_server.set_faults(statement_pattern="^ALTER ", drop_after_apply_next=1)
    result = stack.up([*needs, target])
    assert local_server.stats()["faults"].get("dropped") == 1
    assert result.step(target.name).op == "update"
    assert stack.state[stack.urn_of(target)].outputs["owner"] == "public"
    stack.destroy()
    assert count(local_server, group.prefix, kind) == 0


def test_a_lost_answer_to_a_store_update_is_settled(
    stack: Stack, local_server: LocalServer
) -> None:
    group = Group(unique_name("upd"))
    store = group.store
    stack.up([store])
    store.inputs = {**store.inputs, "kafka": {**store.inputs["kafka"], "uris": "other:9092"}}
    local_server.reset_stats()
    local_server.set_faults(statement_pattern="^UPDATE STORE", drop_after_apply_next=1)
    result = stack.up([store])
    assert local_server.stats()["faults"].get("dropped") == 1
    assert result.step(store.name).op == "update"
    assert stack.state[stack.urn_of(store)].outputs["kafka"]["uris"] == "other:9092"
    stack.destroy()


@pytest.mark.parametrize("kind", ["database", "namespace", "store", "relation"])
def test_a_lost_answer_whose_effect_probe_fails_too_is_settled_by_looking_again(
    kind: str, stack: Stack, local_server: LocalServer, engine_log: EngineLogServer
) -> None:
    group = Group(unique_name("probe"))
    needs, target = group.up_to(kind)
    stack.up(needs)
    # the create and then every attempt of its effect probe lose their answers
    local_server.reset_stats()
    local_server.set_faults(
        statement_pattern=f"{CREATES[kind]}|{LOOKUPS[kind]}", drop_after_apply_next=1 + PROBES
    )
    stack.up([*needs, target])
    assert local_server.stats()["faults"].get("dropped") == 1 + PROBES
    assert engine_log.records(contains="the answer was lost, but DeltaStream shows it applied")
    assert count(local_server, group.prefix, kind) == 1
    assert not stack.state[stack.urn_of(target)].init_errors
    stack.destroy()
    assert count(local_server, group.prefix, kind) == 0
