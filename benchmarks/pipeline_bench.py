"""Pipeline benchmark: create and destroy a 30-resource pipeline through the real provider.

    .venv/bin/python benchmarks/pipeline_bench.py [--pairs 9] [--store-delay 1] \
        [--relation-delay 1] [--query-delay 1] [--parallel 0]

Starts ``deltastream-local`` with the given readiness delays, launches the provider the way
the Pulumi engine does (``deltastream_pulumi.testing``) and runs ``up`` then ``destroy`` of:
a database, a namespace, a Kafka store, ``pairs`` source streams and ``pairs`` sink
changelogs, ``pairs - 1`` queries (source i → sink i) and one application with a virtual
stream (the last source → the last sink): 3 + 3 * pairs resources (30 by default).

Reported: wall time and API requests (statement POSTs and polls) for create and destroy,
against the critical path of the configured delays — create: store ready (the namespace has
no delay) → relations ready → queries running; destroy: queries terminated (relations, store
and database drop at once). Target: wall <= 1.2 x critical path + 1 s for each.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
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

DATABASE = "deltastream:index:Database"
NAMESPACE = "deltastream:index:Namespace"
STORE = "deltastream:index:Store"
OBJECT = "deltastream:index:DeltaStreamObject"
QUERY = "deltastream:index:Query"
APPLICATION = "deltastream:index:Application"


def pipeline(pairs: int) -> list[Resource]:
    """The benchmark program: 3 + 3 * pairs resources."""
    db = Resource(DATABASE, "db", {"name": "bench_db"})
    ns = Resource(NAMESPACE, "ns", {"database": db.out("name"), "name": "bench"})
    store = Resource(
        STORE,
        "kafka",
        {"name": "bench_kafka", "kafka": {"uris": "localhost:9092", "saslHashFunction": "NONE"}},
    )

    def relation(res: str, sql: str) -> Resource:
        return Resource(
            OBJECT,
            res,
            {
                "database": ns.out("database"),
                "namespace": ns.out("name"),
                "store": store.out("name"),
                "sql": sql,
            },
        )

    sources = [
        relation(
            f"src{i}",
            f"CREATE STREAM src{i} (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) "
            f"WITH ('topic'='src{i}', 'value.format'='json');",
        )
        for i in range(pairs)
    ]
    sinks = [
        relation(
            f"sink{i}",
            f"CREATE CHANGELOG sink{i} (userid VARCHAR, views BIGINT, PRIMARY KEY (userid)) "
            f"WITH ('topic'='sink{i}', 'value.format'='json');",
        )
        for i in range(pairs)
    ]
    queries = [
        Resource(
            QUERY,
            f"q{i}",
            {
                "sourceRelationFqns": [src.out("fqn")],
                "sinkRelationFqn": sink.out("fqn"),
                "sql": sink.out("fqn", _copy_sql(i)),
            },
        )
        for i, (src, sink) in enumerate(zip(sources[:-1], sinks[:-1], strict=True))
    ]
    last = pairs - 1
    app = Resource(
        APPLICATION,
        "app",
        {
            "sourceRelationFqns": [sources[last].out("fqn")],
            "sinkRelationFqns": [sinks[last].out("fqn")],
            "sql": sinks[last].out(
                "fqn",
                lambda fqn: (
                    "BEGIN APPLICATION bench_app "
                    "CREATE VIRTUAL STREAM virtual.public.recent AS SELECT * FROM "
                    f'"bench_db"."bench"."src{last}" WHERE viewtime > 0; '
                    f"INSERT INTO {fqn} SELECT userid, COUNT(*) AS views "
                    "FROM virtual.public.recent GROUP BY userid; END APPLICATION;"
                ),
            ),
        },
    )
    return [db, ns, store, *sources, *sinks, *queries, app]


def _copy_sql(i: int) -> Callable[[str], str]:
    """The query i's statement, given its sink's fqn output."""

    def render(sink_fqn: str) -> str:
        return (
            f"INSERT INTO {sink_fqn} SELECT userid, COUNT(*) AS views "
            f'FROM "bench_db"."bench"."src{i}" GROUP BY userid;'
        )

    return render


def run(
    pairs: int, store_delay: float, relation_delay: float, query_delay: float, parallel: int | None
) -> dict[str, Any]:
    token = f"bench-{secrets.token_hex(8)}"
    program = pipeline(pairs)
    delays = (
        "--store-ready-delay",
        str(store_delay),
        "--relation-ready-delay",
        str(relation_delay),
        "--query-start-delay",
        str(query_delay),
    )
    with (
        LocalServer(*delays, token=token, self_check=False) as server,
        EngineLogServer() as engine,
        tempfile.TemporaryDirectory() as tmp,
    ):
        config = ProviderConfig(
            {"server": server.url, "apiKey": Secret(token), "organization": ORGANIZATION_ID}
        )
        provider = ProviderProcess(engine, config=config, project_dir=Path(tmp) / "p")
        provider.start()
        try:
            provider.configure()
            stack = Stack(provider, parallel=parallel)
            server.reset_stats()
            started = time.perf_counter()
            stack.up(program)
            create_wall = time.perf_counter() - started
            create_requests = statement_requests(server)
            server.reset_stats()
            started = time.perf_counter()
            stack.destroy()
            destroy_wall = time.perf_counter() - started
            destroy_requests = statement_requests(server)
        finally:
            provider.stop()
    create_path = store_delay + relation_delay + query_delay
    destroy_path = query_delay
    create_target = 1.2 * create_path + 1.0
    destroy_target = 1.2 * destroy_path + 1.0
    return {
        "resources": len(program),
        "delays_s": {"store": store_delay, "relation": relation_delay, "query": query_delay},
        "parallel": parallel or f"engine default ({engine_default_parallel()})",
        "create": {
            "wall_s": round(create_wall, 3),
            "critical_path_s": create_path,
            "target_s": round(create_target, 3),
            "requests": create_requests,
            "requests_per_resource": round(create_requests / len(program), 2),
            "within_target": create_wall <= create_target,
        },
        "destroy": {
            "wall_s": round(destroy_wall, 3),
            "critical_path_s": destroy_path,
            "target_s": round(destroy_target, 3),
            "requests": destroy_requests,
            "requests_per_resource": round(destroy_requests / len(program), 2),
            "within_target": destroy_wall <= destroy_target,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=9, help="source/sink pairs (30 resources)")
    parser.add_argument("--store-delay", type=float, default=1.0)
    parser.add_argument("--relation-delay", type=float, default=1.0)
    parser.add_argument("--query-delay", type=float, default=1.0)
    parser.add_argument(
        "--parallel",
        type=int,
        default=0,
        help="0 = the engine's default (PULUMI_PARALLEL, else 4 x CPUs)",
    )
    args = parser.parse_args(argv)
    report = run(
        args.pairs, args.store_delay, args.relation_delay, args.query_delay, args.parallel or None
    )
    print(json.dumps(report, indent=2))
    ok = report["create"]["within_target"] and report["destroy"]["within_target"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
