"""Polling until DeltaStream says an object is ready (or failed), with adaptive backoff."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import attrs

from deltastream_core.errors import TimeoutError_
from deltastream_core.ports import Clock, EngineLog

T = TypeVar("T")


@attrs.frozen
class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@attrs.frozen
class Backoff:
    """First poll soon, then grow geometrically to a cap: fast when DeltaStream is fast."""

    first: float = 0.05
    factor: float = 1.6
    cap: float = 2.0

    def delays(self) -> Callable[[], float]:
        state = {"next": self.first}

        def step() -> float:
            current = state["next"]
            state["next"] = min(current * self.factor, self.cap)
            return current

        return step


async def wait_until(
    probe: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    *,
    clock: Clock,
    timeout: float,
    what: str,
    describe: Callable[[T], str] = repr,
    log: EngineLog | None = None,
    backoff: Backoff = Backoff(),
    progress_after: float = 2.0,
) -> T:
    """Call ``probe`` until ``done(result)``; raise ``TimeoutError_`` after ``timeout`` seconds.

    ``probe`` may raise to abort (e.g. a failed state). A progress message naming ``what`` and
    the last observed state goes to the engine log once the wait exceeds ``progress_after``.
    Polls are paced from the start of the previous one: the time a probe took (a round trip,
    slower on a loaded host) comes off the next pause, so polls follow the backoff schedule
    instead of drifting later by every request's latency.
    """
    start = clock.monotonic()
    next_delay = backoff.delays()
    announced = False
    while True:
        probed_at = clock.monotonic()
        result = await probe()
        if done(result):
            return result
        elapsed = clock.monotonic() - start
        if elapsed >= timeout:
            raise TimeoutError_(
                f"timed out after {elapsed:.0f}s waiting for {what}; "
                f"last seen: {describe(result)}. "
                "Run the update again to keep waiting, or raise the timeout with the "
                "customTimeouts resource option."
            )
        if log is not None and not announced and elapsed >= progress_after:
            log.info(f"waiting for {what} (now {describe(result)})")
            announced = True
        pause = min(next_delay(), max(timeout - elapsed, 0.0))
        await clock.sleep(max(pause - (clock.monotonic() - probed_at), 0.0))
