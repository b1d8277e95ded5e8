"""Store benchmark: create and delete N stores through the real provider process.

    .venv/bin/python benchmarks/store_bench.py [--stores 20] [--delay 1.0] [--parallel 0]

Starts ``deltastream-local --store-ready-delay DELAY``, launches the provider the way the
Pulumi engine does (``deltastream_pulumi.testing``), runs ``up`` with N Postgres stores
(``--parallel 0`` = the CLI default, 4 x the CPU count) and then ``destroy``, and reports:

* statements (``POST /v2/statements`` + ``GET`` polls) per store, for create and for delete;
* the create wall time as a ratio to the configured readiness delay — the target is
  ``wall <= 1.2 * delay + 0.1 s`` per wave of stores (all N at once when unbounded, one at a
  time with ``--parallel 1``, where the per-store figure is reported).
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from deltastream_local.testing import ORGANIZATION_ID, LocalServer
from deltastream_pulumi.config import engine_default_parallel
from deltastream_pulumi.testing import (
    EngineLogServer,
    ProviderConfig,
    ProviderProcess,
    Resource,
    Secret,
    Stack,
)
from deltastream_pulumi.testing.local import statement_requests

TOKEN = "deltastream:index:Store"
#: no -v=9: the engine runs providers without verbose logging unless asked
LOG_FLAGS: tuple[str, ...] = ()


def run(stores: int, delay: float, parallel: int | None) -> dict[str, Any]:
    token = f"bench-{secrets.token_hex(8)}"
    with (
        LocalServer("--store-ready-delay", str(delay), token=token, self_check=False) as server,
        EngineLogServer() as engine,
        tempfile.TemporaryDirectory() as tmp,
    ):
        config = ProviderConfig(
            {"server": server.url, "apiKey": Secret(token), "organization": ORGANIZATION_ID}
        )
        provider = ProviderProcess(
            engine, config=config, project_dir=Path(tmp) / "p", log_flags=LOG_FLAGS
        )
        provider.start()
        try:
            provider.configure()
            stack = Stack(provider, parallel=parallel)
            resources = [
                Resource(
                    TOKEN,
                    f"s{i}",
                    {
                        "name": f"bench_store_{i}",
                        "postgres": {
                            "uris": f"postgresql://db{i}.example.com:5432/app",
                            "username": "bench",
                            "password": Secret(f"pw-{i}"),
                        },
                    },
                )
                for i in range(stores)
            ]
            server.reset_stats()
            started = time.perf_counter()
            stack.up(resources)
            create_wall = time.perf_counter() - started
            create_requests = statement_requests(server)
            rpc = sorted(
                c["duration"] / 1e9
                for c in provider.calls("Create")
                if not c["request"].get("preview") and "duration" in c
            )
            server.reset_stats()
            started = time.perf_counter()
            stack.destroy()
            delete_wall = time.perf_counter() - started
            delete_requests = statement_requests(server)
        finally:
            provider.stop()
    waves = stores if parallel == 1 else -(-stores // (parallel or engine_default_parallel()))
    per_wave = create_wall / waves
    return {
        "stores": stores,
        "ready_delay_s": delay,
        "parallel": parallel or f"engine default ({engine_default_parallel()})",
        "create_wall_s": round(create_wall, 3),
        "delete_wall_s": round(delete_wall, 3),
        "create_requests_per_store": round(create_requests / stores, 2),
        "delete_requests_per_store": round(delete_requests / stores, 2),
        "requests_per_store": round((create_requests + delete_requests) / stores, 2),
        "create_rpc_s_min_median_max": [
            round(rpc[0], 3),
            round(rpc[len(rpc) // 2], 3),
            round(rpc[-1], 3),
        ]
        if rpc
        else None,
        "create_wall_per_wave_s": round(per_wave, 3),
        "ratio_to_delay": round(per_wave / delay, 3) if delay else None,
        "target_s": round(1.2 * delay + 0.1, 3),
        "within_target": per_wave <= 1.2 * delay + 0.1,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", type=int, default=20)
    parser.add_argument("--delay", type=float, default=1.0, help="store readiness delay (s)")
    parser.add_argument(
        "--parallel",
        type=int,
        default=0,
        help="0 = the engine's default (PULUMI_PARALLEL, else 4 x CPUs)",
    )
    args = parser.parse_args(argv)
    report = run(args.stores, args.delay, args.parallel or None)
    print(json.dumps(report, indent=2))
    return 0 if report["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
