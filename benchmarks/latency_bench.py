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
5. Opt-in, ``--engine PULUMI_ROOT`` (a directory with ``bin/pulumi``): ``--engine-pairs``
   pairs (default 500, 1,000 resources) through the real Pulumi engine, an inline program of
   the Automation API on a throwaway file backend, vs the harness and the bare client. The
   engine's own share is the wall time with no provider RPC in flight (from the engine's
   ``PULUMI_DEBUG_GRPC`` log), and its CPU is the CLI's less the provider's (a rough figure:
   the provider's is sampled). ``PULUMI_*`` variables pass through to the CLI: with the file
   backend's per-step checkpoints the CLI's CPU dominates at 1,000 resources on two cores;
   ``PULUMI_SKIP_CHECKPOINTS=true`` measures the engine without them.

Prints figures only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

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


def loopback_sequential(n: int, repeat: int) -> dict[str, float]:
    """Sequential create + destroy on a fresh server without latency, interleaved with the bare
    loop. Sequentially every step waits on the one before, so the wall time splits into the
    CPU of each process (provider; harness with its gRPC client; server) and the rest: the
    hand-offs between processes, and the machine's other load."""
    with (
        LocalServer(token=f"bench-{uuid.uuid4().hex}", self_check=False) as server,
        EngineLogServer() as engine,
        provider_for(server, engine) as provider,
    ):
        stack = Stack(provider, parallel=1)
        pid = provider.pid
        assert pid is not None  # running
        walls, rpcs, bares, cpus, servers, harness = [], [], [], [], [], []
        provider_run(stack, n)  # warm-up
        for _ in range(repeat):
            bares.append(bare_pairs(server, n, with_lookups=True))
            mark = len(provider.grpc_log)
            before, server_before = cpu_seconds(pid), cpu_seconds(server.pid)
            harness_before = cpu_seconds(None)
            walls.append(provider_run(stack, n))
            cpus.append(cpu_seconds(pid) - before)
            servers.append(cpu_seconds(server.pid) - server_before)
            harness.append(cpu_seconds(None) - harness_before)
            rpcs.append(sum(e["duration"] for e in provider.grpc_log[mark:]) / 1e9)
    wall, cpu = median(walls), median(cpus)
    server_cpu, harness_cpu = median(servers), median(harness)
    return {
        "wall": wall,
        "bare": median(bares),
        "ratio": median([w / b for w, b in zip(walls, bares, strict=True)]),
        "outside_rpcs": max(0.0, wall - median(rpcs)),
        "provider_cpu": cpu,
        "harness_cpu": harness_cpu,
        "server_cpu": server_cpu,
        "rest": max(0.0, wall - cpu - harness_cpu - server_cpu),
        "cpu_per_request_ms": cpu / (8 * n) * 1000,
    }


def _descendants_named(name: str) -> list[int]:
    """Pids of this process's descendants whose command line mentions ``name``."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError):
                continue
    found = []
    for pid in parents:
        ancestor = parents.get(pid)
        while ancestor and ancestor != os.getpid():
            ancestor = parents.get(ancestor)
        if ancestor == os.getpid():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if name.encode() in cmdline:
                found.append(pid)
    return found


class ProviderCpu:
    """Samples the CPU of the provider processes the engine starts (they are gone by the time
    the engine exits, so their last sample counts)."""

    def __init__(self) -> None:
        self.last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            for pid in _descendants_named("pulumi-resource-deltastream"):
                seconds = cpu_seconds(pid)
                if seconds:
                    self.last[pid] = max(self.last.get(pid, 0.0), seconds)

    def __enter__(self) -> ProviderCpu:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def total(self) -> float:
        return sum(self.last.values())


def covered_seconds(intervals: list[tuple[float, float]]) -> float:
    """Length of the union of ``(start, end)`` intervals."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def engine_round(server: LocalServer, pulumi_root: str, n: int, parallel: int) -> dict[str, float]:
    """Up then destroy ``n`` pairs through the real engine (an Automation API inline program)."""
    import pulumi
    from pulumi import automation as auto

    tag = f"e{uuid.uuid4().hex[:6]}"

    def program() -> None:
        for i in range(n):
            db = pulumi.CustomResource(
                "deltastream:index:Database", f"db{i}", {"name": f"{tag}_db{i:04d}"}
            )
            pulumi.CustomResource(
                "deltastream:index:Namespace", f"ns{i}", {"database": db.id, "name": "events"}
            )

    tmp = Path(tempfile.mkdtemp(prefix="ds-engine-bench-"))
    try:
        (tmp / "state").mkdir()
        grpc_log = tmp / "grpc.jsonl"
        env = {
            # PULUMI_* of this environment pass through (e.g. PULUMI_SKIP_CHECKPOINTS=true)
            **{k: v for k, v in os.environ.items() if k.startswith("PULUMI_")},
            "PULUMI_BACKEND_URL": f"file://{tmp / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": "",
            "PULUMI_SKIP_UPDATE_CHECK": "1",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_HOME": str(tmp / "home"),
            "PULUMI_DEBUG_GRPC": str(grpc_log),
            # the provider binary of this virtualenv, found on PATH as an ambient plugin
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        opts = auto.LocalWorkspaceOptions(
            work_dir=str(tmp),
            pulumi_home=str(tmp / "home"),
            env_vars=env,
            pulumi_command=auto.PulumiCommand(root=pulumi_root, skip_version_check=True),
            project_settings=auto.ProjectSettings(name="latency-bench", runtime="python"),
        )
        stack = auto.create_or_select_stack(
            stack_name="bench", project_name="latency-bench", program=program, opts=opts
        )
        stack.set_config("deltastream:server", auto.ConfigValue(server.url))
        stack.set_config("deltastream:apiKey", auto.ConfigValue(server.token, secret=True))
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        with ProviderCpu() as provider_cpu:
            started = time.perf_counter()
            stack.up(parallel=parallel)
            stack.destroy(parallel=parallel)
            wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
        intervals = []
        for line in grpc_log.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if entry.get("progress") != "response_completed":
                continue
            if not entry.get("method", "").startswith("/pulumirpc.ResourceProvider/"):
                continue
            end = _timestamp(entry["timestamp"])
            intervals.append((end - entry.get("duration", 0) / 1e9, end))
        provider_time = covered_seconds(intervals)
        return {
            "wall": wall,
            "provider_time": provider_time,
            "engine_share": max(0.0, wall - provider_time),
            "engine_cpu": max(0.0, cli_cpu - provider_cpu.total),
            "provider_cpu": provider_cpu.total,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _timestamp(text: str) -> float:
    """Seconds since the epoch of an RFC 3339 timestamp with nanoseconds (Go's format)."""
    from datetime import datetime

    head, _, rest = text.partition(".")
    fraction, zone = "0", rest
    for i, ch in enumerate(rest):
        if not ch.isdigit():
            fraction, zone = rest[:i] or "0", rest[i:]
            break
    zone = "+00:00" if zone in ("Z", "") else zone
    return datetime.fromisoformat(head + zone).timestamp() + float("0." + fraction)


def engine_comparison(args: argparse.Namespace, parallel: int, repeat: int) -> None:
    n, latency = args.engine_pairs, args.engine_latency
    print(
        f"\n5. {n} pairs ({2 * n} resources) at {latency * 1000:.0f} ms through the real engine "
        f"(--parallel {parallel}) vs the harness and the bare client"
    )
    with (
        LocalServer(token=f"bench-{uuid.uuid4().hex}", self_check=False) as server,
        EngineLogServer() as log_server,
        provider_for(server, log_server) as provider,
    ):
        server.set_faults(latency=latency)
        stack = Stack(provider, parallel=parallel)
        rows: dict[str, list[float]] = {}
        for round_no in range(repeat):
            engine = engine_round(server, args.engine, n, parallel)
            for key, value in engine.items():
                rows.setdefault(key, []).append(value)
            rows.setdefault("harness", []).append(provider_run(stack, n))
            rows.setdefault("bare", []).append(bare_concurrent(server, n, parallel))
            print(
                f"  round {round_no + 1}: engine {engine['wall']:.1f}s (its own share "
                f"{engine['engine_share']:.1f}s), harness {rows['harness'][-1]:.1f}s, "
                f"bare {rows['bare'][-1]:.1f}s",
                flush=True,
            )
        ratio = median([e / b for e, b in zip(rows["wall"], rows["bare"], strict=True)])
        print(
            f"  engine {median(rows['wall']):.1f}s, of which no provider RPC in flight "
            f"{median(rows['engine_share']):.1f}s; harness {median(rows['harness']):.1f}s; "
            f"bare {median(rows['bare']):.1f}s; engine / bare {ratio:.2f}"
        )
        print(
            f"  CPU: the CLI {median(rows['engine_cpu']):.1f}s, the provider "
            f"{median(rows['provider_cpu']):.1f}s "
            f"({median(rows['provider_cpu']) / (2 * n) * 1000:.2f} ms per resource)"
        )


def latency_sections(args: argparse.Namespace, parallel: int, repeat: int) -> None:
    """Sections 1 and 3: one provider process through every round, as a long-lived one."""
    with (
        LocalServer(token=f"bench-{uuid.uuid4().hex}", self_check=False) as server,
        EngineLogServer() as engine,
        provider_for(server, engine) as provider,
    ):
        stack = Stack(provider, parallel=parallel)
        pid = provider.pid
        assert pid is not None  # running
        provider_run(stack, 20)  # warm-up
        print("\n1. create + destroy N pairs at latency: provider vs bare client, same concurrency")
        rows = latency_rounds(server, stack, pid, args.pairs, args.latency, parallel, repeat)
        for (n, latency), row in sorted(rows.items()):
            ratio = median([p / b for p, b in zip(row["provider"], row["bare"], strict=True)])
            print(
                f"  N={n:<5} {latency * 1000:>4.0f} ms: provider {median(row['provider']):7.2f}s  "
                f"bare {median(row['bare']):7.2f}s  ratio {ratio:.2f} "
                f"(target <= 1.3: {verdict(ratio <= 1.3)})"
            )

        largest = max(args.pairs)
        cpu = median([c for (n, _), row in rows.items() if n == largest for c in row["cpu"]])
        rss = peak_rss_mb(pid)
        print(f"\n3. provider at N={largest} pairs ({2 * largest} resources, create + destroy):")
        print(f"  CPU {cpu:.2f}s per run, {cpu / (2 * largest) * 1000:.2f} ms per resource")
        print(f"  peak RSS {rss:.0f} MB (target <= 200 MB: {verdict(rss <= 200)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.05, 0.1])
    parser.add_argument("--parallel", type=int, default=0, help="0: the CLI's default")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rate-limit", type=float, default=50.0)
    parser.add_argument("--rate-pairs", type=int, nargs="*", default=[200])
    parser.add_argument("--loopback-pairs", type=int, default=50)
    parser.add_argument("--engine", metavar="PULUMI_ROOT", help="run 5. with <root>/bin/pulumi")
    parser.add_argument("--engine-pairs", type=int, default=500)
    parser.add_argument("--engine-latency", type=float, default=0.1)
    parser.add_argument("--engine-only", action="store_true", help="skip 1.-4.")
    parser.add_argument("--sections", default="1,2,4", help="which of 1 (with 3), 2, 4 to run")
    args = parser.parse_args()
    parallel = args.parallel or engine_default_parallel()
    repeat = max(1, args.repeat)

    if args.engine:
        engine_comparison(args, parallel, repeat)
    if args.engine_only:
        return
    sections = set(args.sections.split(","))
    print(f"parallel {parallel} (engine default {engine_default_parallel()}); {repeat} rounds")
    if "1" in sections:
        latency_sections(args, parallel, repeat)

    if "4" in sections:
        print(f"\n4. loopback, sequential (--parallel 1), no latency, fresh server, x{repeat}")
        seq = loopback_sequential(args.loopback_pairs, repeat)
        print(
            f"  {args.loopback_pairs} pairs ({8 * args.loopback_pairs} requests): provider "
            f"{seq['wall']:.2f}s vs bare {seq['bare']:.2f}s (ratio {seq['ratio']:.2f})"
        )
        print(
            f"  where the provider's wall time goes: provider CPU {seq['provider_cpu']:.2f}s "
            f"({seq['cpu_per_request_ms']:.2f} ms per request), harness + its gRPC client CPU "
            f"{seq['harness_cpu']:.2f}s, server CPU {seq['server_cpu']:.2f}s, the rest "
            f"(hand-offs, other load) {seq['rest']:.2f}s; outside provider RPCs "
            f"{seq['outside_rpcs']:.2f}s"
        )

    if args.rate_pairs and "2" in sections:
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
