"""``AdaptiveLimit``: how many requests one client has in flight, adapted to rate limits.

Every HTTP exchange of a :class:`~deltastream_http.client.DeltaStreamClient` holds a slot of
this one shared limit, so the rules hold for the whole provider process, not per request:

* **ceiling**: never more than ``ceiling`` requests in flight. Below it the engine decides:
  each provider operation sends one request at a time, so the requests in flight follow the
  engine's parallelism (``--parallel``) up to the ceiling.
* **multiplicative decrease**: a 429 halves the limit, or the requests in flight if fewer
  (a limit above what is in flight restrains nothing), never below 1. Answers to requests sent
  before the last decrease belong to the same overload and do not halve it again, so a burst
  of 429s from one moment counts once.
* **shared pause**: a 429's ``Retry-After`` (capped) holds back *every* request, not only the
  refused one, until it has passed; without it, the other requests in flight would keep
  hitting the limit the server just announced.
* **additive increase**: answers that are not refusals raise the limit by one slot per round
  of answers (``1 / limit`` each), but by at most one slot per ``growth_interval`` seconds,
  back up to the ceiling. A token bucket gives no warning before it runs dry: growing by a
  round trip's worth at tens of milliseconds would refill the limit within a second and
  refuse a whole window of requests again; a slot a second keeps the overshoot to a request
  or two per episode (benchmarks/latency_bench.py measures the share of 429s).

Waiters get slots in arrival order. Everything runs on the client's event loop (one thread),
so there is no lock; the pause sleeps on the client's :class:`~deltastream_core.ports.Clock`.
See docs/reference/rate-limits.md.
"""

from __future__ import annotations

import asyncio
import collections

import attrs
import structlog

from deltastream_core.ports import Clock

log = structlog.get_logger(__name__)


class NoSlotInTime(Exception):
    """No slot became free (or a pause did not end) within the caller's time budget."""


@attrs.frozen
class Ticket:
    """A held slot, and when its request was sent (to tell old overload from new)."""

    sent_at: float


class AdaptiveLimit:
    """An AIMD limit on requests in flight; see the module docstring.

    :param ceiling: the most requests in flight at once (>= 1); also the starting limit.
    :param clock: time source and sleeper for the shared pause.
    :param max_pause: the longest pause one ``Retry-After`` may impose, in seconds.
    :param growth_interval: the least time between two increases of the limit, in seconds.
    """

    def __init__(
        self,
        ceiling: int,
        clock: Clock,
        *,
        max_pause: float = 30.0,
        growth_interval: float = 1.0,
    ) -> None:
        if ceiling < 1:
            raise ValueError(f"the in-flight ceiling must be >= 1, got {ceiling!r}")
        self.ceiling = ceiling
        self.limit = float(ceiling)
        self.in_flight = 0
        #: the most requests that were ever in flight at once (for tests and benchmarks)
        self.peak_in_flight = 0
        self.paused_until = float("-inf")
        self._clock = clock
        self._max_pause = max_pause
        self._last_decrease = float("-inf")
        self._growth_interval = growth_interval
        self._last_growth = float("-inf")
        self._credit = 0.0  # answers since the last increase, in rounds (1 / limit each)
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def waiting(self) -> int:
        """Requests waiting for a slot."""
        return sum(not w.done() for w in self._waiters)

    def _has_room(self) -> bool:
        return self.in_flight < max(1, int(self.limit))

    async def acquire(self, budget: float) -> Ticket:
        """Wait for a slot and for any pause to end, at most ``budget`` seconds."""
        end = self._clock.monotonic() + budget
        if self._has_room() and not self._waiters:
            self._take()
        else:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(asyncio.shield(waiter), max(0.0, budget))
            except BaseException as exc:
                if waiter.done() and not waiter.cancelled():
                    self._give_back()  # the slot was handed over as we gave up
                else:
                    waiter.cancel()
                    self._waiters.remove(waiter)
                if isinstance(exc, TimeoutError):
                    raise NoSlotInTime from None
                raise  # cancelled (the engine's Cancel): not ours to swallow
        # a slot is held; no request goes out while a pause lasts (it may be extended meanwhile)
        try:
            # (a millisecond's grace: a timer may fire a hair early, and a refused request
            # that slept its own Retry-After must not sleep again)
            while (pause := self.paused_until - self._clock.monotonic()) > 1e-3:
                if pause >= end - self._clock.monotonic():
                    raise NoSlotInTime
                await self._clock.sleep(pause)
        except BaseException:
            self._give_back()
            raise
        return Ticket(self._clock.monotonic())

    def release(self, ticket: Ticket, *, refused: bool, retry_after: float | None = None) -> None:
        """Free ``ticket``'s slot. ``refused``: the server answered 429 (with ``retry_after``
        seconds, if it said). A transport error is neither: it says nothing about load."""
        now = self._clock.monotonic()
        if refused:
            if ticket.sent_at >= self._last_decrease:
                before = self.limit
                self.limit = max(1.0, min(self.limit, self.in_flight) / 2)
                self._last_decrease = self._last_growth = now
                self._credit = 0.0
                log.debug(
                    "deltastream.limit", decision="decrease", limit=int(self.limit), was=int(before)
                )
            if retry_after is not None and retry_after > 0:
                until = now + min(retry_after, self._max_pause)
                if until > self.paused_until:
                    self.paused_until = until
                    log.debug("deltastream.limit", decision="pause", seconds=round(until - now, 3))
        elif self.limit < self.ceiling:
            self._credit += 1 / self.limit
            if self._credit >= 1 and now - self._last_growth >= self._growth_interval:
                self.limit = min(float(self.ceiling), self.limit + 1)
                self._credit = 0.0
                self._last_growth = now
        self._give_back()

    def neutral(self) -> None:
        """Free a slot without adapting the limit (no answer came back)."""
        self._give_back()

    # -- slots ---------------------------------------------------------------------------------
    def _take(self) -> None:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def _give_back(self) -> None:
        self.in_flight -= 1
        # hand free slots to the waiters in arrival order
        while self._waiters and self._has_room():
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._take()
                waiter.set_result(None)


__all__ = ["AdaptiveLimit", "NoSlotInTime", "Ticket"]
