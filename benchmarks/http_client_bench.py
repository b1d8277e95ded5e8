"""HTTP adapter benchmark: requests per statement, overhead over bare httpx, 202 latency.

    .venv/bin/python benchmarks/http_client_bench.py [--statements 200] [--repeat 3]

1. Requests the local server sees for CREATE / SELECT (probe-style read) / DROP of one
   database through ``DeltaStreamClient`` (expected 1 / 1 / 1: no ping, no version check).
2. Wall time of N CREATE+DROP DATABASE pairs through ``DeltaStreamClient.run`` vs the same
   statements POSTed by a bare ``httpx.AsyncClient`` keep-alive loop (ratio near 1 means
   the adapter adds little: typed results, logging and retry bookkeeping are cheap).
3. Latency of a statement the server answers 202 (``statement_delay`` 0.2 s): our adaptive
   polling vs a fixed 1 s poll loop like the official clients'.

Prints figures only; it asserts nothing. Everything runs on loopback against a local server.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid

import httpx
import structlog

from deltastream_core.ports import Statement, StatementContext
from deltastream_http import DeltaStreamClient
from deltastream_local.testing import LocalServer

CONTEXT = StatementContext()


def _names(count: int) -> list[str]:
    return [f"bench_{uuid.uuid4().hex[:10]}" for _ in range(count)]


async def requests_per_statement(server: LocalServer) -> dict[str, int]:
    name = _names(1)[0]
    counts: dict[str, int] = {}
    async with DeltaStreamClient(server.url, server.token) as client:
        for label, statement in (
            ("create", Statement(f'CREATE DATABASE "{name}";')),
            (
                "read",
                Statement.read(
                    f"SELECT name FROM deltastream.sys.\"databases\" WHERE name = '{name}';"
                ),
            ),
            ("delete", Statement(f'DROP DATABASE "{name}";')),
        ):
            server.reset_stats()
            await client.run(statement, CONTEXT)
            await asyncio.sleep(0.05)  # the server counts a request after answering it
            counts[label] = sum(server.stats()["requests"].values())
    return counts


async def adapter_loop(server: LocalServer, names: list[str]) -> float:
    async with DeltaStreamClient(server.url, server.token) as client:
        started = time.perf_counter()
        for name in names:
            await client.run(Statement(f'CREATE DATABASE "{name}";'), CONTEXT)
            await client.run(Statement(f'DROP DATABASE "{name}";'), CONTEXT)
        return time.perf_counter() - started


async def bare_loop(server: LocalServer, names: list[str]) -> float:
    async with httpx.AsyncClient(base_url=server.url + "/", headers=server.headers) as http:
        started = time.perf_counter()
        for name in names:
            for sql in (f'CREATE DATABASE "{name}";', f'DROP DATABASE "{name}";'):
                response = await http.post("statements", json={"statement": sql})
                assert response.json()["sqlState"] == "00000"
        return time.perf_counter() - started


async def pending_latency(server: LocalServer, fixed_poll: float | None) -> float:
    name = _names(1)[0]
    sql = f'CREATE DATABASE "{name}";'
    started = time.perf_counter()
    if fixed_poll is None:
        async with DeltaStreamClient(server.url, server.token) as client:
            await client.run(Statement(sql), CONTEXT)
    else:
        async with httpx.AsyncClient(base_url=server.url + "/", headers=server.headers) as http:
            response = await http.post("statements", json={"statement": sql})
            while response.status_code == 202:
                await asyncio.sleep(fixed_poll)
                response = await http.get(
                    f"statements/{response.json()['statementID']}", params={"partitionID": 0}
                )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=200, help="CREATE+DROP pairs")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(20))  # no debug

    with LocalServer(self_check=False) as server:
        print("requests per statement:", asyncio.run(requests_per_statement(server)))
        adapter, bare = [], []
        for _ in range(args.repeat):
            bare.append(asyncio.run(bare_loop(server, _names(args.statements))))
            adapter.append(asyncio.run(adapter_loop(server, _names(args.statements))))
        a, b = statistics.median(adapter), statistics.median(bare)
        print(
            f"{args.statements} CREATE+DROP pairs: adapter {a:.3f}s, bare httpx {b:.3f}s, "
            f"ratio {a / b:.2f} (median of {args.repeat})"
        )
        server.set_options(async_threshold=0.0, statement_delay=0.2)
        ours = statistics.median(asyncio.run(pending_latency(server, None)) for _ in range(3))
        fixed = statistics.median(asyncio.run(pending_latency(server, 1.0)) for _ in range(3))
        print(
            f"0.2 s statement answered 202: adaptive polling {ours:.3f}s, "
            f"fixed 1 s poll {fixed:.3f}s"
        )


if __name__ == "__main__":
    main()
