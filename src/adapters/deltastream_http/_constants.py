"""Named defaults of the HTTP adapter (one place, so a reviewer sees every number)."""

from __future__ import annotations

import httpx

#: Distribution whose version goes into the User-Agent.
DISTRIBUTION = "pulumi-deltastream-py"
#: Product token of the User-Agent (the official provider sends ``pulumi-provider-deltastream``).
PRODUCT = "pulumi-deltastream-py"

#: Per-request timeouts. The service answers slow statements with 202 well inside a minute
#: (contract §1.14), so a read that takes longer than this is a lost answer, not a slow one.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
#: Upper bound for one ``run``: submission, every retry, every poll and every partition.
DEFAULT_STATEMENT_TIMEOUT = 600.0

#: One pool per provider process; idle connections are reused (no connect, no TLS, no ping).
#: Pulumi's ``--parallel`` is unbounded by default, so the pool, not the engine, bounds how many
#: statements run at once: 10, Terraform's default parallelism. Measured on deltastream-local
#: (benchmarks/provider_bench.py, 50 pairs in parallel): 10 connections ran 1.12x the bare
#: sequential loop, 32 connections 1.45x (more server threads contending, no more throughput).
DEFAULT_LIMITS = httpx.Limits(
    max_connections=10, max_keepalive_connections=10, keepalive_expiry=30.0
)

#: Polling a pending (202) statement: first poll after 40 ms, then 1.6 times longer, at most 1 s.
POLL_FIRST_DELAY = 0.04
POLL_FACTOR = 1.6
POLL_MAX_DELAY = 1.0

#: Retries of refused or failed requests.
RETRY_MAX_ATTEMPTS = 5
RETRY_BASE_DELAY = 0.1
RETRY_MAX_DELAY = 5.0
RETRY_JITTER = 0.25
#: A Retry-After longer than this is cut down to it (we still retry, the deadline still applies).
RETRY_AFTER_CAP = 30.0
