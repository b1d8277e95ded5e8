"""Latency benchmark: stacks of hundreds of resources at real-network latency and rate limits.

    .venv/bin/python benchmarks/latency_bench.py [--pairs 200 1000] [--latency 0.05 0.1]
        [--parallel P] [--repeat 3] [--rate-limit 50] [--rate-pairs 200] [--loopback-pairs 50]

Everything runs on 127.0.0.1 against ``deltastream-local``, which adds ``--fault-latency`` to
every API request and, for the rate-limited rounds, limits the request rate (``--rate-limit``).
Each figure is the median of ``--repeat`` interleaved rounds:

1. N database+namespace pairs created then destroyed through the real provider process
   (engine-faithful harness at ``--parallel`` P, default the CLI's, 4 x the CPU count) vs a
   bare httpx client sending the same 8 N statements at the same concurrency, per N and
   latency. Target: provider / bare <= 1.3.
2. The same through the provider under a server rate limit (``--rate-limit`` requests/s, a
   bucket of one second's worth): completion vs the limit's lower bound, (requests answered
   - bucket) / rate (target <= 1.3), and the share of requests answered 429 (target < 5%).
   Each round starts a fresh provider process, as each ``pulumi up`` does.
3. Provider CPU seconds per resource and its peak RSS (VmHWM) after the largest N
   (target <= 200 MB).
4. The loopback sequential overhead (no latency, ``--parallel 1``): provider vs bare, and
   where the provider's wall time goes (harness and its gRPC client / provider RPCs beyond
   HTTP / HTTP and server).

Prints figures only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
from provider_bench import bare_pairs, cpu_seconds, pairs_program

from deltastream_local.testing import LocalServer
from deltastream_pulumi.config import engine_default_parallel
from deltastream_pulumi.testing import (
    EngineLogServer,
    ProviderConfig,
    ProviderProcess,
    Secret,
    Stack,
)

DB_LOOKUP = 'SELECT name, "owner", created_at FROM deltastream.sys."databases" WHERE name = '
NS_LOOKUP = (
    'SELECT name, database_name, "owner", created_at FROM deltastream.sys."schemas" '
    "WHERE database_name = "
)


def peak_rss_mb(pid: int) -> float:
    """A process's peak resident set (VmHWM) in MB; 0 where /proc is missing."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def bare_concurrent(server: LocalServer, n: int, parallel: int) -> float:
    """The provider's 8 n statements (DDL + catalog lookup per step) from ``parallel`` threads
    sharing one keep-alive client: a pair's namespace after its database, all creates before
    any delete, as the engine orders them."""
    tag = f"b{uuid.uuid4().hex[:6]}"
    limits = httpx.Limits(max_connections=parallel, max_keepalive_connections=parallel)
    with httpx.Client(
        base_url=server.url, headers=server.headers, timeout=60, limits=limits
    ) as client:

        def run(*texts: str) -> None:
            for text in texts:
                response = client.post("/statements", json={"statement": text})
                while response.status_code == 202:
                    time.sleep(0.01)
                    response = client.get(f"/statements/{response.json()['statementID']}")
                body = response.json()
                if response.status_code != 200 or body.get("sqlState") != "00000":
                    raise RuntimeError(f"{text}: {response.status_code} {body}")

        def create(i: int) -> None:
            db = f"{tag}_db{i:04d}"
            run(f'CREATE DATABASE "{db}";', f"{DB_LOOKUP}'{db}';")
            run(
                f'CREATE SCHEMA "events" IN DATABASE "{db}";',
                f"{NS_LOOKUP}'{db}' AND name = 'events';",
            )

        def delete(i: int) -> None:
            db = f"{tag}_db{i:04d}"
            run(f'DROP SCHEMA "{db}"."events";', f"{NS_LOOKUP}'{db}' AND name = 'events';")
            run(f'DROP DATABASE "{db}";', f"{DB_LOOKUP}'{db}';")

        started = time.perf_counter()
        with ThreadPoolExecutor(parallel) as pool:
            list(pool.map(create, range(n)))
            list(pool.map(delete, range(n)))
        return time.perf_counter() - started


def provider_run(stack: Stack, n: int) -> float:
    program = pairs_program(n, f"p{uuid.uuid4().hex[:6]}")
    started = time.perf_counter()
    stack.up(program)
    stack.destroy()
    return time.perf_counter() - started


@contextmanager
def provider_for(server: LocalServer, engine: EngineLogServer) -> Iterator[ProviderProcess]:
    # no log flags: what the engine passes without --logflow (debug logging costs time)
    config = ProviderConfig({"server": server.url, "apiKey": Secret(server.token)})
    with ProviderProcess(engine, log_flags=(), config=config) as provider:
        provider.configure()
        yield provider


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER TARGET"


def latency_rounds(
    server: LocalServer,
    stack: Stack,
    pid: int,
    sizes: list[int],
    latencies: list[float],
    parallel: int,
    repeat: int,
) -> dict[tuple[int, float], dict[str, list[float]]]:
    rows: dict[tuple[int, float], dict[str, list[float]]] = {}
    for round_no in range(repeat):
        for n in sizes:
            for latency in latencies:
                server.set_faults(reset=True, latency=latency)
                row = rows.setdefault((n, latency), {"provider": [], "bare": [], "cpu": []})
                # alternate which goes first, so drift on a shared machine hits both alike

                def provider_side(row: dict[str, list[float]] = row, n: int = n) -> None:
                    before = cpu_seconds(pid)
                    row["provider"].append(provider_run(stack, n))
                    row["cpu"].append(cpu_seconds(pid) - before)

                def bare_side(row: dict[str, list[float]] = row, n: int = n) -> None:
                    row["bare"].append(bare_concurrent(server, n, parallel))

                sides: list[Callable[[], None]] = [provider_side, bare_side]
                for side in sides if round_no % 2 == 0 else sides[::-1]:
                    side()
                print(
                    f"  round {round_no + 1}: N={n} latency={latency * 1000:.0f} ms: provider "
                    f"{row['provider'][-1]:.2f}s bare {row['bare'][-1]:.2f}s",
                    flush=True,
                )
    server.reset_faults()
    return rows


def rate_limited_round(
    server: LocalServer, engine: EngineLogServer, n: int, latency: float, rate: float, parallel: int
) -> dict[str, float]:
    server.set_faults(reset=True, latency=latency, rate_limit=rate)
    burst = max(1, int(-(-rate // 1)))  # the server's default bucket: one second's worth
    with provider_for(server, engine) as provider:
        stack = Stack(provider, parallel=parallel)
        # a fresh full bucket and fresh counters for the run itself
        server.set_faults(rate_limit=rate)
        server.reset_stats()
        elapsed = provider_run(stack, n)
        stats = server.stats()
    server.reset_faults()
    responses = {k: int(v) for k, v in stats["responses"].items()}
    total = sum(responses.values())
    refused = responses.get("429", 0)
    lower_bound = max(0, total - refused - burst) / rate
    return {
        "elapsed": elapsed,
        "lower_bound": lower_bound,
        "ratio": elapsed / lower_bound if lower_bound else float("nan"),
        "refused_share": refused / total if total else 0.0,
        "requests": total,
    }


def loopback_sequential(
    server: LocalServer, provider: ProviderProcess, n: int, repeat: int
) -> dict[str, float]:
    stack = Stack(provider, parallel=1)
    server.reset_faults()
    walls, rpcs, bares, cpus = [], [], [], []
    provider_run(stack, n)  # warm-up
    for _ in range(repeat):
        bares.append(bare_pairs(server, n, with_lookups=True))
        mark = len(provider.grpc_log)
        before = cpu_seconds(provider.pid)
        walls.append(provider_run(stack, n))
        cpus.append(cpu_seconds(provider.pid) - before)
        rpcs.append(sum(e["duration"] for e in provider.grpc_log[mark:]) / 1e9)
    wall, rpc, bare = median(walls), median(rpcs), median(bares)
    return {
        "wall": wall,
        "bare": bare,
        "ratio": median([w / b for w, b in zip(walls, bares, strict=True)]),
        "harness": max(0.0, wall - rpc),
        "provider": max(0.0, rpc - bare),
        "http": bare,
        "cpu_per_request_ms": median(cpus) / (8 * n) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.05, 0.1])
    parser.add_argument("--parallel", type=int, default=0, help="0: the CLI's default")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rate-limit", type=float, default=50.0)
    parser.add_argument("--rate-pairs", type=int, nargs="*", default=[200])
    parser.add_argument("--loopback-pairs", type=int, default=50)
    args = parser.parse_args()
    parallel = args.parallel or engine_default_parallel()
    repeat = max(1, args.repeat)

    with (
        LocalServer(token=f"bench-{uuid.uuid4().hex}", self_check=False) as server,
        EngineLogServer() as engine,
        provider_for(server, engine) as provider,
    ):
        stack = Stack(provider, parallel=parallel)
        provider_run(stack, 20)  # warm-up
        print(f"parallel {parallel} (engine default {engine_default_parallel()}); {repeat} rounds")

        print("\n1. create + destroy N pairs at latency: provider vs bare client, same concurrency")
        rows = latency_rounds(
            server, stack, provider.pid, args.pairs, args.latency, parallel, repeat
        )
        for (n, latency), row in sorted(rows.items()):
            ratio = median([p / b for p, b in zip(row["provider"], row["bare"], strict=True)])
            print(
                f"  N={n:<5} {latency * 1000:>4.0f} ms: provider {median(row['provider']):7.2f}s  "
                f"bare {median(row['bare']):7.2f}s  ratio {ratio:.2f} "
                f"(target <= 1.3: {verdict(ratio <= 1.3)})"
            )

        largest = max(args.pairs)
        cpu = median([c for (n, _), row in rows.items() if n == largest for c in row["cpu"]])
        rss = peak_rss_mb(provider.pid)
        print(f"\n3. provider at N={largest} pairs ({2 * largest} resources, create + destroy):")
        print(f"  CPU {cpu:.2f}s per run, {cpu / (2 * largest) * 1000:.2f} ms per resource")
        print(f"  peak RSS {rss:.0f} MB (target <= 200 MB: {verdict(rss <= 200)})")

        print("\n4. loopback, sequential (--parallel 1), no latency:")
        seq = loopback_sequential(server, provider, args.loopback_pairs, repeat)
        print(
            f"  {args.loopback_pairs} pairs: provider {seq['wall']:.2f}s vs bare "
            f"{seq['bare']:.2f}s (ratio {seq['ratio']:.2f}); provider CPU "
            f"{seq['cpu_per_request_ms']:.2f} ms per HTTP request"
        )
        print(
            f"  where the provider's wall time goes: harness + its gRPC client "
            f"{seq['harness']:.2f}s, provider RPCs beyond HTTP {seq['provider']:.2f}s, "
            f"HTTP + server {seq['http']:.2f}s"
        )

    if args.rate_pairs:
        print(f"\n2. under a server rate limit of {args.rate_limit:g} requests/s (fresh provider)")
        with (
            LocalServer(token=f"bench-{uuid.uuid4().hex}", self_check=False) as server,
            EngineLogServer() as engine,
        ):
            results: dict[tuple[int, float], list[dict[str, float]]] = {}
            for round_no in range(repeat):
                for n in args.rate_pairs:
                    for latency in args.latency:
                        result = rate_limited_round(
                            server, engine, n, latency, args.rate_limit, parallel
                        )
                        results.setdefault((n, latency), []).append(result)
                        print(
                            f"  round {round_no + 1}: N={n} latency={latency * 1000:.0f} ms: "
                            f"{result['elapsed']:.1f}s (bound {result['lower_bound']:.1f}s), "
                            f"429s {result['refused_share']:.1%}",
                            flush=True,
                        )
            for (n, latency), runs in sorted(results.items()):
                ratio = median([r["ratio"] for r in runs])
                share = median([r["refused_share"] for r in runs])
                elapsed = median([r["elapsed"] for r in runs])
                bound = median([r["lower_bound"] for r in runs])
                print(
                    f"  N={n:<5} {latency * 1000:>4.0f} ms: {elapsed:6.1f}s"
                    f" vs bound {bound:6.1f}s: ratio {ratio:.2f}"
                    f" (target <= 1.3: {verdict(ratio <= 1.3)}), 429s {share:.1%}"
                    f" (target < 5%: {verdict(share < 0.05)})"
                )


if __name__ == "__main__":
    main()
