"""Named defaults of the HTTP adapter (one place, so a reviewer sees every number)."""

from __future__ import annotations

import httpx

#: Distribution whose version goes into the User-Agent.
DISTRIBUTION = "pulumi-deltastream-py"
#: Product token of the User-Agent (the official provider sends ``pulumi-provider-deltastream``).
PRODUCT = "pulumi-deltastream-py"

#: Per-request timeouts. The service answers slow statements with 202 well inside a minute
#: (docs/reference/deltastream-api.md#headers-and-timeouts), so a read that takes longer than this
#: is a lost answer, not a slow one.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
#: Upper bound for one ``run``: submission, every retry, every poll and every partition.
DEFAULT_STATEMENT_TIMEOUT = 600.0

#: The most requests one client has in flight (the ceiling of its adaptive limit; the provider's
#: ``maxConcurrentRequests``). Each provider operation sends one request at a time, so below
#: the ceiling the engine's parallelism decides (the CLI's default is 4 x the CPU count). At
#: tens of milliseconds per request a stack is bound by requests in flight, not by CPU: the
#: 10 connections chosen for loopback made 200 pairs at 100 ms 4.8x slower than a bare client
#: at 64 (benchmarks/latency_bench.py). See docs/reference/rate-limits.md.
DEFAULT_MAX_IN_FLIGHT = 64
#: After a 429 the in-flight limit grows back by one slot per round of answers, at most one per
#: this many seconds (see deltastream_http.limiter).
LIMIT_GROWTH_INTERVAL = 1.0
#: Idle keep-alive connections (one per slot at most) are reused for this long.
KEEPALIVE_EXPIRY = 30.0

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
