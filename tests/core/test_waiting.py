"""wait_until: adaptive backoff, paced from each probe's start, bounded by the timeout."""

import asyncio

import pytest

from deltastream_core.errors import OperationCancelledError, TimeoutError_, TransientError
from deltastream_core.waiting import Backoff, CancellableClock, wait_until


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


def test_transient_errors_do_not_end_a_wait_before_its_deadline() -> None:
    clock = SteppedClock()
    answers = iter([TransientError("503"), TransientError("429"), None, "ready"])

    async def probe() -> str | None:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    result = asyncio.run(
        wait_until(probe, lambda r: r == "ready", clock=clock, timeout=60.0, what="x")
    )
    assert result == "ready"


def test_a_wait_that_only_sees_transient_errors_times_out_naming_the_last_one() -> None:
    clock = SteppedClock()

    async def probe() -> None:
        raise TransientError("service temporarily unavailable")

    with pytest.raises(TimeoutError_, match="transient error \\(service temporarily unavailable"):
        asyncio.run(wait_until(probe, lambda r: False, clock=clock, timeout=5.0, what="x"))
    assert clock.now >= 5.0


def test_a_cancelled_clock_ends_a_wait_in_progress() -> None:
    async def scenario() -> None:
        clock = CancellableClock()
        polls: list[int] = []

        async def probe() -> int:
            polls.append(1)
            return len(polls)

        waiting = asyncio.create_task(
            wait_until(
                probe,
                lambda n: False,
                clock=clock,
                timeout=3600.0,
                what="x",
                backoff=Backoff(first=3600.0),
            )
        )
        await asyncio.sleep(0)  # the wait is now asleep for an hour
        clock.cancel()
        with pytest.raises(OperationCancelledError):
            await waiting
        assert polls == [1]
        with pytest.raises(OperationCancelledError):  # and stays cancelled
            await clock.sleep(0)

    asyncio.run(scenario())
