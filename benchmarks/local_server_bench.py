"""Benchmark of deltastream-local over loopback HTTP.

Reports server start time (process spawn to the base URL on stdout, and to the first
successful ``GET /v2/version``), then statements per second and p50/p99 latency for catalog
reads (``SELECT … FROM deltastream.sys."databases" WHERE name = '…'``) and DDL (``CREATE`` /
``DROP DATABASE``) sent one after another on a keep-alive httpx client.

    .venv/bin/python benchmarks/local_server_bench.py [--reads 2000] [--ddl 300] [--memory]

Targets (issue #2): start < 1 s, p50 catalog read < 5 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from deltastream_local.testing import LocalServer

START_TARGET_S = 1.0
READ_P50_TARGET_MS = 5.0


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed_statements(client: httpx.Client, statements: list[str]) -> dict[str, float]:
    latencies: list[float] = []
    started = time.perf_counter()
    for statement in statements:
        t0 = time.perf_counter()
        response = client.post("/statements", json={"statement": statement})
        latencies.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200 or response.json()["sqlState"] != "00000":
            raise RuntimeError(f"{statement!r}: {response.status_code} {response.text[:200]}")
    elapsed = time.perf_counter() - started
    return {
        "statements": len(statements),
        "per_second": len(statements) / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies),
    }


def timed_versions(client: httpx.Client, count: int) -> dict[str, float]:
    """The HTTP floor: ``GET /version`` does no engine work."""
    latencies: list[float] = []
    started = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter()
        client.get("/version").raise_for_status()
        latencies.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    return {
        "statements": count,
        "per_second": count / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies),
    }


def measure_start(data: str, runs: int) -> dict[str, float]:
    to_url: list[float] = []
    to_ready: list[float] = []
    for _ in range(runs):
        server = LocalServer(data=data, self_check=False)
        started = time.perf_counter()
        server.start()
        to_url.append(time.perf_counter() - started)
        with httpx.Client(headers=server.headers) as client:
            client.get(f"{server.url}/version").raise_for_status()
        to_ready.append(time.perf_counter() - started)
        server.stop()
    return {"url_s": statistics.median(to_url), "ready_s": statistics.median(to_ready)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reads", type=int, default=2000, help="catalog reads to time")
    parser.add_argument("--ddl", type=int, default=300, help="CREATE+DROP pairs to time")
    parser.add_argument("--starts", type=int, default=3, help="server starts to time")
    parser.add_argument("--memory", action="store_true", help="use --data :memory:")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data = ":memory:" if args.memory else str(Path(tmp) / "catalog.sqlite")
        start = measure_start(data if args.memory else str(Path(tmp) / "start.sqlite"), args.starts)
        with (
            LocalServer(data=data, self_check=False) as server,
            server.client(validate=False) as client,
        ):
            names = [f"bench_db_{i}" for i in range(100)]
            timed_statements(client, [f'CREATE DATABASE "{n}";' for n in names])
            reads = [
                f'SELECT name, "owner", created_at FROM deltastream.sys."databases" '
                f"WHERE name = '{names[i % len(names)]}';"
                for i in range(args.reads)
            ]
            timed_statements(client, reads[:100])  # warm-up
            read = timed_statements(client, reads)
            ddl_statements: list[str] = []
            for i in range(args.ddl):
                ddl_statements += [f'CREATE DATABASE "ddl_{i}";', f'DROP DATABASE "ddl_{i}";']
            ddl = timed_statements(client, ddl_statements)
            floor = timed_versions(client, args.reads)

    figures: dict[str, Any] = {
        "data": "memory" if args.memory else "sqlite file",
        "start": start,
        "catalog_read": read,
        "ddl": ddl,
        "http_floor": floor,
        "targets": {
            "start_ratio": start["url_s"] / START_TARGET_S,
            "read_p50_ratio": read["p50_ms"] / READ_P50_TARGET_MS,
        },
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"deltastream-local benchmark (loopback, keep-alive httpx, data: {figures['data']})")
    print(
        f"  start: {start['url_s'] * 1000:7.1f} ms to URL, {start['ready_s'] * 1000:7.1f} ms "
        f"to first /version (target < {START_TARGET_S * 1000:.0f} ms, "
        f"ratio {figures['targets']['start_ratio']:.2f})"
    )
    for label, row in (("catalog read", read), ("DDL", ddl), ("GET /version", floor)):
        print(
            f"  {label:12s}: {row['per_second']:8.0f} statements/s  p50 {row['p50_ms']:6.2f} ms"
            f"  p99 {row['p99_ms']:6.2f} ms  max {row['max_ms']:6.2f} ms"
            f"  ({row['statements']:.0f} statements)"
        )
    print(
        f"  read p50 target < {READ_P50_TARGET_MS:.0f} ms: "
        f"ratio {figures['targets']['read_p50_ratio']:.2f}"
    )


if __name__ == "__main__":
    main()
