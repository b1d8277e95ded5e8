"""Provider benchmark: HTTP requests per operation, and the provider's overhead over bare HTTP.

    .venv/bin/python benchmarks/provider_bench.py [--pairs 50] [--repeat 3]

1. HTTP requests per create / read (refresh) / delete of one database through the real
   provider process, counted by the local server's ``/_local/stats`` (targets: 2 / 1 / 2).
2. Wall time of creating then destroying N database+namespace pairs through the provider,
   driven by the engine-faithful harness (sequential, ``--parallel 1``, and with the CLI's
   default unbounded parallelism), vs the same DDL statements sent by a bare ``httpx``
   keep-alive loop (sequential). Target: sequential provider / bare loop <= 1.3.

Prints figures only; it asserts nothing. Everything runs on loopback against a local server.
"""

from __future__ import annotations

import argparse
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


def bare_pairs(server: LocalServer, n: int) -> float:
    """The same DDL as the provider's statements, one keep-alive client, polling 202s."""
    tag = f"h{uuid.uuid4().hex[:6]}"
    with httpx.Client(base_url=server.url, headers=server.headers, timeout=60) as client:

        def run(sql: str) -> None:
            response = client.post("/statements", json={"statement": sql})
            while response.status_code == 202:
                time.sleep(0.01)
                statement_id = response.json()["statementID"]
                response = client.get(f"/statements/{statement_id}")
            body = response.json()
            if response.status_code != 200 or body.get("sqlState") != "00000":
                raise RuntimeError(f"{sql}: {response.status_code} {body}")

        started = time.perf_counter()
        for i in range(n):
            run(f'CREATE DATABASE "{tag}_db{i:03d}";')
            run(f'CREATE SCHEMA "events" IN DATABASE "{tag}_db{i:03d}";')
        for i in range(n):
            run(f'DROP SCHEMA "{tag}_db{i:03d}"."events";')
            run(f'DROP DATABASE "{tag}_db{i:03d}";')
        return time.perf_counter() - started


def best(fn: Callable[[], float], repeat: int) -> tuple[float, float]:
    runs = [fn() for _ in range(repeat)]
    return min(runs), statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with (
        LocalServer(token=f"bench-{uuid.uuid4().hex}") as server,
        EngineLogServer() as engine,
        ProviderProcess(
            engine, config=ProviderConfig({"server": server.url, "apiKey": Secret(server.token)})
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
        print(f"\n{n} database+namespace pairs, create then destroy ({args.repeat} runs each):")
        print(f"  HTTP requests through the provider: {c.total} ({dict(c.by_route)})")
        seq, seq_med = best(lambda: provider_pairs(stack, n, 1), args.repeat)
        par, par_med = best(lambda: provider_pairs(stack, n, None), args.repeat)
        bare, bare_med = best(lambda: bare_pairs(server, n), args.repeat)
        print(f"  provider, sequential (--parallel 1): best {seq:.3f}s  median {seq_med:.3f}s")
        print(
            f"  provider, unbounded parallel (CLI default): best {par:.3f}s  median {par_med:.3f}s"
        )
        print(
            f"  bare httpx keep-alive loop (4N statements): best {bare:.3f}s median {bare_med:.3f}s"
        )
        ratio = seq / bare
        print(
            f"  ratio sequential provider / bare loop: {ratio:.2f} (target <= 1.3: "
            f"{'ok' if ratio <= 1.3 else 'OVER TARGET'})"
        )
        print(f"  ratio parallel provider / bare loop:   {par / bare:.2f}")


if __name__ == "__main__":
    main()
