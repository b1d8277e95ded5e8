"""Polling until DeltaStream says an object is ready (or failed), with adaptive backoff.

A wait outlives transient errors (429, 503, a lost answer to a read): only its own deadline
ends it. A :class:`CancellableClock` ends every wait that sleeps on it once the engine
cancels the operation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import attrs

from deltastream_core.errors import OperationCancelledError, TimeoutError_, TransientError
from deltastream_core.ports import Clock, EngineLog

T = TypeVar("T")


@attrs.frozen
class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class CancellableClock:
    """The real clock whose ``sleep`` raises :class:`OperationCancelledError` once
    :meth:`cancel` was called (at once for sleeps in progress), so waits end promptly."""

    def __init__(self) -> None:
        self._cancelled = asyncio.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        if not self._cancelled.is_set():
            try:
                await asyncio.wait_for(self._cancelled.wait(), timeout=max(seconds, 0.0))
            except TimeoutError:
                return
        raise OperationCancelledError(
            "the operation was cancelled (Ctrl-C, or the engine is shutting down)"
        )


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

    ``probe`` may raise to abort (e.g. a failed state); a ``TransientError`` it raises does
    not abort but counts as one more poll (the deadline still applies, and the timeout
    message names the last error). A progress message naming ``what`` and
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
        try:
            result = await probe()
        except TransientError as exc:
            seen = f"DeltaStream answered a transient error ({exc})"
        else:
            if done(result):
                return result
            seen = describe(result)
        elapsed = clock.monotonic() - start
        if elapsed >= timeout:
            raise TimeoutError_(
                f"timed out after {elapsed:.0f}s waiting for {what}; last seen: {seen}. "
                "Run the update again to keep waiting, or raise the timeout with the "
                "customTimeouts resource option."
            )
        if log is not None and not announced and elapsed >= progress_after:
            log.info(f"waiting for {what} (now {seen})")
            announced = True
        pause = min(next_delay(), max(timeout - elapsed, 0.0))
        await clock.sleep(max(pause - (clock.monotonic() - probed_at), 0.0))
