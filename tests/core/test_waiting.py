"""wait_until: adaptive backoff, paced from each probe's start, bounded by the timeout."""

import asyncio

import pytest

from deltastream_core.errors import TimeoutError_
from deltastream_core.waiting import Backoff, wait_until


class SteppedClock:
    """Time moves only when slept or when a probe says it took a while."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def run_wait(clock: SteppedClock, probe_seconds: float, ready_after: int, timeout: float = 60.0):  # type: ignore[no-untyped-def]
    polls: list[float] = []

    async def probe() -> int:
        polls.append(round(clock.now, 6))
        clock.now += probe_seconds  # the round trip
        return len(polls)

    result = asyncio.run(
        wait_until(
            probe,
            lambda n: n >= ready_after,
            clock=clock,
            timeout=timeout,
            what="x",
            backoff=Backoff(first=0.1, factor=2.0, cap=0.4),
        )
    )
    return result, polls


def test_polls_follow_the_schedule_whatever_each_probe_costs() -> None:
    clock = SteppedClock()
    result, polls = run_wait(clock, probe_seconds=0.03, ready_after=5)
    assert result == 5
    # pauses 0.1, 0.2, 0.4, 0.4 counted from each probe's start, not from its end
    assert polls == [0.0, 0.1, 0.3, 0.7, 1.1]
    assert clock.sleeps == [0.07, 0.17, 0.37, 0.37]


def test_a_probe_slower_than_the_pause_is_followed_at_once() -> None:
    clock = SteppedClock()
    _, polls = run_wait(clock, probe_seconds=0.25, ready_after=3)
    assert clock.sleeps[:2] == [0.0, 0.0]
    assert polls == [0.0, 0.25, 0.5]


def test_timeout_names_what_was_awaited() -> None:
    clock = SteppedClock()
    with pytest.raises(TimeoutError_, match="waiting for x"):
        run_wait(clock, probe_seconds=0.0, ready_after=10**6, timeout=1.0)
