"""Provider benchmark: HTTP requests per operation, and the provider's overhead over bare HTTP.

    .venv/bin/python benchmarks/provider_bench.py [--pairs 50] [--repeat 5]

1. HTTP requests per create / read (refresh) / delete of one database through the real
   provider process, counted by the local server's ``/_local/stats`` (targets: 2 / 1 / 2).
2. Wall time of creating then destroying N database+namespace pairs through the provider,
   driven by the engine-faithful harness (with the engine's default parallelism, and
   sequential, ``--parallel 1``), vs the same statements sent by a bare ``httpx`` keep-alive
   loop (sequential). Rounds are interleaved; target: median per-round ratio <= 1.3.

Prints figures only; it asserts nothing. Everything runs on loopback against a local server.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
import uuid
from collections.abc import Callable

import httpx

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import (
    EngineLogServer,
    ProviderConfig,
    ProviderProcess,
    Resource,
    Secret,
    Stack,
)
from deltastream_pulumi.testing.local import RequestCounter

DATABASE = "deltastream:index:Database"
NAMESPACE = "deltastream:index:Namespace"


def requests_per_operation(server: LocalServer, stack: Stack) -> dict[str, int]:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    program = [Resource(DATABASE, "db", {"name": name})]
    counts: dict[str, int] = {}
    with RequestCounter(server) as c:
        stack.up(program)
    counts["create"] = c.total
    with RequestCounter(server) as c:
        stack.refresh()
    counts["read"] = c.total
    with RequestCounter(server) as c:
        stack.destroy()
    counts["delete"] = c.total
    return counts


def pairs_program(n: int, tag: str) -> list[Resource]:
    out: list[Resource] = []
    for i in range(n):
        db = Resource(DATABASE, f"db{i}", {"name": f"{tag}_db{i:03d}"})
        out += [db, Resource(NAMESPACE, f"ns{i}", {"database": db.id, "name": "events"})]
    return out


def provider_pairs(stack: Stack, n: int, parallel: int | None) -> float:
    stack.parallel = parallel
    program = pairs_program(n, f"p{uuid.uuid4().hex[:6]}")
    started = time.perf_counter()
    stack.up(program)
    stack.destroy()
    return time.perf_counter() - started


def bare_pairs(server: LocalServer, n: int, *, with_lookups: bool = False) -> float:
    """The provider's DDL from one keep-alive client, polling 202s. ``with_lookups`` adds the
    catalog SELECT the provider runs after each DDL (readiness / gone check), so both sides
    send exactly the same statements."""
    tag = f"h{uuid.uuid4().hex[:6]}"
    db_lookup = 'SELECT name, "owner", created_at FROM deltastream.sys."databases" WHERE name = '
    ns_lookup = (
        'SELECT name, database_name, "owner", created_at FROM deltastream.sys."schemas" '
        "WHERE database_name = "
    )
    with httpx.Client(base_url=server.url, headers=server.headers, timeout=60) as client:

        def run(sql: str, lookup: str) -> None:
            for text in (sql, lookup) if with_lookups else (sql,):
                response = client.post("/statements", json={"statement": text})
                while response.status_code == 202:
                    time.sleep(0.01)
                    statement_id = response.json()["statementID"]
                    response = client.get(f"/statements/{statement_id}")
                body = response.json()
                if response.status_code != 200 or body.get("sqlState") != "00000":
                    raise RuntimeError(f"{text}: {response.status_code} {body}")

        started = time.perf_counter()
        for i in range(n):
            db = f"{tag}_db{i:03d}"
            run(f'CREATE DATABASE "{db}";', f"{db_lookup}'{db}';")
            run(
                f'CREATE SCHEMA "events" IN DATABASE "{db}";',
                f"{ns_lookup}'{db}' AND name = 'events';",
            )
        for i in range(n):
            db = f"{tag}_db{i:03d}"
            run(f'DROP SCHEMA "{db}"."events";', f"{ns_lookup}'{db}' AND name = 'events';")
            run(f'DROP DATABASE "{db}";', f"{db_lookup}'{db}';")
        return time.perf_counter() - started


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU of a process (``None``: this one); 0 where /proc is missing."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(
    run: Callable[[], float], pids: dict[str, int | None], cpu: dict[str, list[float]]
) -> float:
    """``run()``'s result, adding each process's CPU seconds during it to ``cpu``."""
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    result = run()
    for name, pid in pids.items():
        cpu.setdefault(name, []).append(cpu_seconds(pid) - before[name])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with (
        LocalServer(token=f"bench-{uuid.uuid4().hex}", self_check=False) as server,
        EngineLogServer() as engine,
        # no log flags: what the engine passes without --logflow (debug logging costs time)
        ProviderProcess(
            engine,
            log_flags=(),
            config=ProviderConfig({"server": server.url, "apiKey": Secret(server.token)}),
        ) as provider,
    ):
        provider.configure()
        stack = Stack(provider)
        counts = requests_per_operation(server, stack)
        print("HTTP requests per database operation (target create 2 / read 1 / delete 2):")
        for op, target in (("create", 2), ("read", 1), ("delete", 2)):
            verdict = "ok" if counts[op] <= target else "OVER TARGET"
            print(f"  {op:<7} {counts[op]:>3}  (target <= {target}: {verdict})")

        n = args.pairs
        with RequestCounter(server) as c:
            provider_pairs(stack, n, 1)  # warm-up, also counts requests
        print(f"\n{n} database+namespace pairs, create then destroy, {args.repeat} rounds")
        print(f"  HTTP requests through the provider: {c.total} ({dict(c.by_route)})")
        # Rounds interleave the variants so load drift on a shared machine hits all of them
        # alike; the verdicts use the median of the per-round ratios.
        rows: dict[str, list[float]] = {
            "bare": [], "ddl": [], "parallel": [], "sequential": [],
        }  # fmt: skip
        rpc_seconds = 0.0  # time inside provider RPCs during the sequential runs
        pids = {"provider": provider.pid, "server": server.pid, "harness": None}
        cpu: dict[str, dict[str, list[float]]] = {key: {} for key in rows}
        for _ in range(args.repeat):
            rows["bare"].append(
                measured(lambda: bare_pairs(server, n, with_lookups=True), pids, cpu["bare"])
            )
            rows["parallel"].append(
                measured(lambda: provider_pairs(stack, n, None), pids, cpu["parallel"])
            )
            mark = len(provider.grpc_log)
            rows["sequential"].append(
                measured(lambda: provider_pairs(stack, n, 1), pids, cpu["sequential"])
            )
            rpc_seconds += sum(e["duration"] for e in provider.grpc_log[mark:]) / 1e9
            rows["ddl"].append(bare_pairs(server, n))
        labels = {
            "parallel": "provider, engine-default parallelism",
            "sequential": "provider, sequential (--parallel 1)",
            "bare": f"bare httpx loop, same statements ({8 * n})",
            "ddl": f"bare httpx loop, DDL only ({4 * n} statements)",
        }
        for key, label in labels.items():
            runs = rows[key]
            print(f"  {label:<46} best {min(runs):7.3f}s  median {statistics.median(runs):7.3f}s")
        print("  CPU seconds per run (median): provider / server / harness or bare client")
        for key in ("parallel", "sequential", "bare"):
            shares = " / ".join(
                f"{statistics.median(cpu[key][name]):.2f}"
                for name in ("provider", "server", "harness")
            )
            print(f"    {key:<10} {shares}")
        harness = max(0.0, 1 - rpc_seconds / sum(rows["sequential"]))
        print(f"  harness share of the sequential wall time: {harness:.0%} (rest: provider RPCs)")
        for key in ("parallel", "sequential"):
            ratio = statistics.median(p / b for p, b in zip(rows[key], rows["bare"], strict=True))
            verdict = "ok" if ratio <= 1.3 else "OVER TARGET"
            print(f"  {key} provider / same statements: {ratio:.2f}  (target <= 1.3: {verdict})")


if __name__ == "__main__":
    main()
