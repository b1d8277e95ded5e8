"""The client's shared in-flight limit (``deltastream_http.limiter``) against the real server.

The server counts the API requests it is handling at once (``peak_in_flight``) and injects the
429s, so these tests see the limit from the other end of real sockets. They assert what was
sent and when relative to other requests, never how fast.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from deltastream_http import DeltaStreamClient
from deltastream_local.testing import LocalServer

from .conftest import RecordingClock, settled_stats
from .helpers import CONTEXT, list_databases

MakeClient = Callable[..., DeltaStreamClient]
VERSION = "GET /v2/version"


async def _reads(client: DeltaStreamClient, n: int) -> None:
    await asyncio.gather(*(client.run(list_databases(), CONTEXT) for _ in range(n)))


def test_requests_in_flight_never_exceed_the_ceiling(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.set_faults(latency=0.2)  # every request stays in flight long enough to overlap

    async def scenario() -> DeltaStreamClient:
        async with make_client(max_in_flight=3) as client:
            await _reads(client, 12)
            return client

    client = asyncio.run(scenario())
    stats = settled_stats(server)
    assert stats["peak_in_flight"] == 3  # reached, never passed
    assert client.limit.peak_in_flight == 3
    assert stats["responses"] == {"200": 12}


def test_without_a_ceiling_in_the_way_requests_follow_the_callers_concurrency(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.set_faults(latency=0.2)

    async def scenario() -> None:
        async with make_client() as client:  # the default ceiling (64)
            await _reads(client, 20)

    asyncio.run(scenario())
    assert settled_stats(server)["peak_in_flight"] == 20


def test_a_429_burst_halves_the_limit_once_and_it_recovers(
    server: LocalServer, make_client: MakeClient
) -> None:
    async def scenario(client: DeltaStreamClient) -> list[float]:
        limits = [client.limit.limit]
        # all 8 are in flight when the first 429 lands: one overload, one decrease
        server.set_faults(rate_limit_next=8, retry_after=1, latency=0.1)
        await _reads(client, 8)
        limits.append(client.limit.limit)
        server.set_faults(latency=0.1)
        server.reset_stats()
        await _reads(client, 8)  # every request now gets an answer, not a refusal
        limits.append(client.limit.limit)
        peak_after_burst = settled_stats(server)["peak_in_flight"]
        server.set_faults(latency=0.0)
        for _ in range(2000):  # one slot a second at most: about 4 s of answers
            await _reads(client, 8)
            if client.limit.limit == 8:
                break
        limits.append(client.limit.limit)
        limits.append(peak_after_burst)
        return limits

    async def run() -> list[float]:
        async with make_client(max_in_flight=8) as client:
            return await scenario(client)

    start, after_burst, recovering, recovered, peak_after_burst = asyncio.run(run())
    assert start == 8
    # halved once, to 4, then the 8 retried answers raised it by one slot (at most one per
    # second); a halving per 429 would have left 1 (2 after the answers)
    assert after_burst == 5
    assert peak_after_burst <= 6  # the lowered limit held the next wave back
    assert after_burst <= recovering < 8  # answers raise it again ...
    assert recovered == 8  # ... back to the ceiling, and no further


def test_retry_after_pauses_every_request_not_only_the_refused_one(
    server: LocalServer, make_client: MakeClient, clock: RecordingClock
) -> None:
    async def scenario() -> int:
        async with make_client(max_in_flight=4) as client:
            server.set_faults(rate_limit_next=1, retry_after=2, match=VERSION)
            first = asyncio.create_task(client.version())
            while not clock.sleeps:  # the refused request is waiting out its Retry-After
                await asyncio.sleep(0.005)
            others = [asyncio.create_task(client.version()) for _ in range(3)]
            # the 429 came with one request in flight: the limit is 1. The next one holds the
            # slot and waits out the same pause, the other two wait for the slot
            while len(clock.sleeps) < 2 or client.limit.waiting < 2:
                await asyncio.sleep(0.005)
            sent_during_pause = settled_stats(server)["requests"].get(VERSION, 0)
            await asyncio.gather(first, *others)
            return sent_during_pause

    sent_during_pause = asyncio.run(asyncio.wait_for(scenario(), 60))  # a stuck wait fails
    assert sent_during_pause == 1  # only the refused one reached the server
    assert clock.sleeps[0] == 2.0
    assert len(clock.sleeps) == 2  # the others found the pause over when the slot came
    assert all(1.0 < pause <= 2.0 for pause in clock.sleeps[1:])  # the rest of the same pause
    stats = settled_stats(server)
    assert stats["requests"][VERSION] == 5  # the refused one again, then the three
    assert stats["responses"] == {"429": 1, "200": 4}
