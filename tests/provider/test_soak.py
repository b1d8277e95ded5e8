"""Soak: many resources of every kind through `up`, `refresh` and `destroy` while the local
server refuses (429, 503) or drops (applied, then no answer) 30% of the API requests, for
several seeds. Every operation is repeated until it succeeds, as a user would; in the end no
object is lost, duplicated or orphaned, and destroy leaves nothing.

Slow: runs with ``-m slow`` or ``DELTASTREAM_SLOW_TESTS=1`` (CI sets it). The figures per kind
and seed are printed (``-s``) and attached to the test report as the ``soak`` property.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import ProviderProcess, Stack
from deltastream_pulumi.testing.local import unique_name

from .pipelines import KINDS, Group, census, expected

SEEDS = (11, 23, 37)
#: groups per seed: one resource of every kind each (three relations)
GROUPS = 100
#: attempts per operation before the soak gives up
ROUNDS = 12
FAULTS = {
    "rate_limit_fraction": 0.10,
    "unavailable_fraction": 0.10,
    "drop_after_apply_fraction": 0.10,
    "retry_after": 0,
}


@pytest.fixture(scope="module")
def local_server() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


def _until_done(operation: Callable[[], Any]) -> int:
    """Repeat ``operation`` until it succeeds; returns how many attempts it took."""
    last: BaseException | None = None
    for attempt in range(1, ROUNDS + 1):
        try:
            operation()
        except Exception as exc:  # a step failed: the next attempt picks up where it stopped
            last = exc
            print(f"attempt {attempt} failed: {str(exc)[:300]}")
            continue
        return attempt
    raise AssertionError(f"still failing after {ROUNDS} attempts: {last}")


def _figures(found: dict[str, dict[str, int]], prefixes: list[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for kind in KINDS:
        want = expected(kind)
        counts = [found[kind][p] for p in prefixes]
        out[kind] = {
            "lost": sum(max(want - n, 0) for n in counts),
            "duplicated": sum(max(n - want, 0) for n in counts),
        }
    return out


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_soak_every_kind_under_faults(
    seed: int,
    provider: ProviderProcess,
    local_server: LocalServer,
    record_property: Callable[[str, object], None],
) -> None:
    groups = [Group(unique_name(f"soak{seed}")) for _ in range(GROUPS)]
    prefixes = [g.prefix for g in groups]
    program = [r for g in groups for r in g.resources()]
    stack = Stack(provider)
    local_server.reset_stats()
    local_server.set_faults(seed=seed, **FAULTS)
    started = time.monotonic()

    def counted() -> dict[str, dict[str, int]]:
        """The census without faults (they would hit its statements too), then faults on."""
        local_server.reset_faults()
        found = _figures(census(local_server, prefixes), prefixes)
        local_server.set_faults(seed=seed, **FAULTS)
        return found

    try:
        ups = _until_done(lambda: stack.up(program))
        assert all(not st.init_errors for st in stack.state.values())
        assert len(stack.state) == len(program)
        after_up = counted()
        refreshes = _until_done(stack.refresh)
        assert len(stack.state) == len(program), "refresh lost resources"
        after_refresh = counted()
        destroys = _until_done(stack.destroy)
        assert not stack.state
    finally:
        faults = local_server.stats().get("faults", {})
        local_server.reset_faults()
    left = census(local_server, prefixes)
    figures: dict[str, Any] = {
        "seed": seed,
        "resources": len(program),
        "attempts": {"up": ups, "refresh": refreshes, "destroy": destroys},
        "faults": faults,
        "seconds": round(time.monotonic() - started, 1),
        "kinds": {
            kind: {
                "created": expected(kind) * GROUPS,
                "lost": after_up[kind]["lost"] + after_refresh[kind]["lost"],
                "duplicated": after_up[kind]["duplicated"] + after_refresh[kind]["duplicated"],
                "orphaned": sum(left[kind].values()),
            }
            for kind in KINDS
        },
    }
    print(f"\nsoak {json.dumps(figures)}")
    record_property("soak", json.dumps(figures))
    for kind, numbers in figures["kinds"].items():
        assert numbers["lost"] == 0, (kind, numbers)
        assert numbers["duplicated"] == 0, (kind, numbers)
        assert numbers["orphaned"] == 0, (kind, numbers)
