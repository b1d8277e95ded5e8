"""``deltastream-local``: run a local DeltaStream-compatible server.

    deltastream-local serve [--host 127.0.0.1] [--port 0] [--data PATH | :memory:] [--token T]

The first line on stdout is the API base URL (``http://127.0.0.1:43121/v2``), flushed once the
socket accepts connections; logs go to stderr. SIGTERM and SIGINT shut down cleanly.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import signal
import ssl
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from deltastream_local.http.server import SelfCheck

DEFAULT_DATA = os.path.join(".deltastream-local", "catalog.sqlite")
ENV_TOKEN = "DELTASTREAM_LOCAL_TOKEN"
ENV_DATA = "DELTASTREAM_LOCAL_DATA"
ENV_FAULTS = "DELTASTREAM_LOCAL_FAULTS"
ENV_OPTIONS = "DELTASTREAM_LOCAL_OPTIONS"
ENV_SELF_CHECK = "DELTASTREAM_LOCAL_SELF_CHECK"
#: seconds an idle keep-alive connection stays open (ApiServer's default as well)
DEFAULT_IDLE_TIMEOUT = 120.0

#: fault flags: (flag, FaultSettings field, type, help)
_FAULT_FLAGS: tuple[tuple[str, str, type, str], ...] = (
    ("--fault-rate-limit-next", "rate_limit_next", int, "answer the next N API requests 429"),
    (
        "--fault-rate-limit-fraction",
        "rate_limit_fraction",
        float,
        "answer this share (0..1) of API requests 429",
    ),
    ("--fault-unavailable-next", "unavailable_next", int, "answer the next N API requests 503"),
    (
        "--fault-unavailable-fraction",
        "unavailable_fraction",
        float,
        "answer this share (0..1) of API requests 503",
    ),
    ("--fault-retry-after", "retry_after", int, "Retry-After seconds on 429/503 (default 1)"),
    ("--fault-latency", "latency", float, "seconds of latency added to every API request"),
    (
        "--rate-limit",
        "rate_limit",
        float,
        "admit N API requests per second (token bucket), answer 429 + Retry-After beyond "
        "(default 0: no limit)",
    ),
    (
        "--rate-limit-burst",
        "rate_limit_burst",
        int,
        "tokens of the --rate-limit bucket (default: one second's worth)",
    ),
    (
        "--fault-drop-after-apply-next",
        "drop_after_apply_next",
        int,
        "apply the next N POST /statements, then close the connection without a response",
    ),
    (
        "--fault-drop-after-apply-fraction",
        "drop_after_apply_fraction",
        float,
        "apply this share (0..1) of POST /statements, then drop the connection",
    ),
    (
        "--fault-match",
        "match",
        str,
        "faults only hit requests whose 'METHOD /path' starts with this "
        "(e.g. 'POST /v2/statements')",
    ),
    ("--fault-seed", "seed", int, "seed for the random fault fractions"),
)


def _non_negative(kind: type) -> Any:
    def parse(text: str) -> Any:
        value = kind(text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"must be >= 0: {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _metavar(field: str, kind: type) -> str:
    if kind is str:
        return "PREFIX"
    if "fraction" in field:
        return "FRACTION"
    if field.startswith("rate_limit"):
        return "N"
    if kind is int:
        return "SECONDS" if field == "retry_after" else "N"
    return "SECONDS"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deltastream-local",
        description="A local DeltaStream-compatible server (REST API v2 + SQL catalog).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser(
        "serve",
        help="run the server",
        description="Run the server. The first stdout line is the API base URL.",
    )
    sub.add_parser(
        "kinds",
        help="list the catalog kinds that load (built-in and plugins')",
        description="List the catalog kinds, their distributions and what each claims.",
    )
    net = serve.add_argument_group("server")
    net.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    net.add_argument(
        "--port", metavar="PORT", type=int, default=0, help="port (default 0: a free port)"
    )
    net.add_argument(
        "--data",
        metavar="PATH",
        default=None,
        help=f"SQLite catalog path, or :memory: (default ./{DEFAULT_DATA}; env {ENV_DATA})",
    )
    net.add_argument(
        "--token",
        metavar="TOKEN",
        default=None,
        help=f"the accepted bearer token (env {ENV_TOKEN}; default: random, printed on stderr)",
    )
    net.add_argument(
        "--tls-cert",
        metavar="PEM",
        default=None,
        help="serve HTTPS with this certificate chain (PEM; needs --tls-key)",
    )
    net.add_argument("--tls-key", metavar="PEM", default=None, help="the certificate's key (PEM)")
    net.add_argument(
        "--idle-timeout",
        metavar="SECONDS",
        type=_non_negative(float),
        default=DEFAULT_IDLE_TIMEOUT,
        help="close keep-alive connections idle this long, as a load balancer does "
        f"(default {DEFAULT_IDLE_TIMEOUT:g}; 0: never)",
    )
    net.add_argument(
        "--max-body-bytes",
        metavar="BYTES",
        type=_non_negative(int),
        default=16 * 1024 * 1024,
        help="largest accepted request body (default 16 MiB)",
    )
    net.add_argument(
        "--max-results",
        metavar="N",
        type=_non_negative(int),
        default=10_000,
        help="finished statements kept for polling (LRU, default 10000)",
    )
    net.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="stderr log level",
    )
    net.add_argument(
        "--log-format", default="console", choices=["console", "json"], help="stderr log format"
    )

    stm = serve.add_argument_group("statements")
    stm.add_argument(
        "--partition-size",
        metavar="ROWS",
        type=int,
        default=1000,
        help="rows per result partition (default 1000)",
    )
    stm.add_argument(
        "--async-threshold",
        metavar="SECONDS",
        type=_non_negative(float),
        default=0.5,
        help="seconds a POST waits before answering 202 (default 0.5)",
    )
    stm.add_argument(
        "--statement-delay",
        metavar="SECONDS",
        type=_non_negative(float),
        default=0.0,
        help="artificial execution time per statement, in seconds (default 0)",
    )
    stm.add_argument(
        "--statement-delay-matching",
        default=None,
        metavar="TEXT",
        help="apply --statement-delay only to statements containing TEXT",
    )

    eng = serve.add_argument_group("lifecycles (engine options)")
    eng.add_argument(
        "--store-ready-delay",
        metavar="SECONDS",
        type=_non_negative(float),
        default=0.0,
        help="seconds a store stays in its transitional status before ready",
    )
    eng.add_argument(
        "--query-start-delay",
        metavar="SECONDS",
        type=_non_negative(float),
        default=0.0,
        help="seconds a query stays starting (and terminating)",
    )
    eng.add_argument(
        "--relation-ready-delay",
        metavar="SECONDS",
        type=_non_negative(float),
        default=0.0,
        help="seconds a relation takes to reach its ready state",
    )
    eng.add_argument(
        "--function-source-ready-delay",
        metavar="SECONDS",
        type=_non_negative(float),
        default=0.0,
        help="seconds a function source stays processing before ready",
    )
    eng.add_argument(
        "--verify-store-connectivity",
        action="store_true",
        help="a store becomes ready only if a TCP connect to each URI succeeds",
    )
    eng.add_argument(
        "--fail-queries-matching",
        default=None,
        metavar="TEXT",
        help="queries whose SQL contains TEXT end errored instead of running",
    )
    eng.add_argument(
        "--fail-running-queries-matching",
        default=None,
        metavar="TEXT",
        help="running queries whose SQL contains TEXT become errored (a failure after start)",
    )

    flt = serve.add_argument_group(
        "fault injection",
        f"Off by default. Env {ENV_FAULTS} takes a JSON object with the same fields as "
        "POST /_local/faults; flags override it.",
    )
    for flag, field, kind, help_text in _FAULT_FLAGS:
        flt.add_argument(
            flag,
            dest=f"fault_{field}",
            type=kind if kind is str else _non_negative(kind),
            default=None,
            metavar=_metavar(field, kind),
            help=help_text,
        )
    return parser


def configure_logging(level: str, fmt: str) -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )


def _json_env(name: str) -> dict[str, Any]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise SystemExit(f"deltastream-local: {name} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise SystemExit(f"deltastream-local: {name} must be a JSON object")
    return value


def _tls_context(args: argparse.Namespace) -> ssl.SSLContext | None:
    if not args.tls_cert and not args.tls_key:
        return None
    if not (args.tls_cert and args.tls_key):
        raise SystemExit("deltastream-local: --tls-cert and --tls-key go together")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(args.tls_cert, args.tls_key)
    except (OSError, ssl.SSLError) as exc:
        raise SystemExit(f"deltastream-local: cannot load the TLS certificate: {exc}") from None
    return context


def serve(args: argparse.Namespace) -> int:
    configure_logging(args.log_level, args.log_format)
    log = structlog.get_logger("deltastream_local")

    from deltastream_local.engine import EngineOptions, create_engine
    from deltastream_local.http import (
        ApiServer,
        Application,
        FaultInjector,
        FaultSettings,
        OptionError,
        ServerOptions,
    )
    from deltastream_local.http.options import apply_update

    token = args.token or os.environ.get(ENV_TOKEN) or ""
    if not token:
        token = secrets.token_urlsafe(24)
        print(f"deltastream-local: generated API token: {token}", file=sys.stderr, flush=True)

    if args.partition_size < 1:
        raise SystemExit("deltastream-local: --partition-size must be >= 1")
    server_options = ServerOptions(
        partition_size=args.partition_size,
        async_threshold=args.async_threshold,
        statement_delay=args.statement_delay,
        statement_delay_matching=args.statement_delay_matching,
    )
    engine_options = EngineOptions(
        store_ready_delay=args.store_ready_delay,
        query_start_delay=args.query_start_delay,
        relation_ready_delay=args.relation_ready_delay,
        function_source_ready_delay=args.function_source_ready_delay,
        verify_store_connectivity=args.verify_store_connectivity,
        fail_queries_matching=args.fail_queries_matching,
        fail_running_queries_matching=args.fail_running_queries_matching,
    )
    fault_settings = FaultSettings()
    fault_update = _json_env(ENV_FAULTS)
    for _flag, field, _kind, _help in _FAULT_FLAGS:
        value = getattr(args, f"fault_{field}")
        if value is not None:
            fault_update[field] = value
    try:
        apply_update(fault_settings, fault_update)
    except OptionError as exc:
        raise SystemExit(f"deltastream-local: bad fault settings: {exc}") from None

    data = args.data or os.environ.get(ENV_DATA) or DEFAULT_DATA
    if data != ":memory:":
        Path(data).expanduser().parent.mkdir(parents=True, exist_ok=True)
        data = str(Path(data).expanduser())
    from deltastream_local.engine.catalog import CatalogKindError

    try:
        engine = create_engine(data, engine_options)
    except CatalogKindError as exc:  # a broken emulator kind: one line naming it, no traceback
        raise SystemExit(f"deltastream-local: {exc}") from None
    except Exception as exc:
        log.error("cannot open the catalog", data=data, error=str(exc))
        return 2

    app = Application(
        engine,
        token,
        server_options,
        FaultInjector(fault_settings),
        max_body=args.max_body_bytes,
        max_results=args.max_results,
        self_check=_self_check(),
    )
    extra_options = _json_env(ENV_OPTIONS)
    if extra_options:
        try:
            app.update_options(extra_options)
        except OptionError as exc:
            engine.close()
            raise SystemExit(f"deltastream-local: bad {ENV_OPTIONS}: {exc}") from None
    try:
        server = ApiServer(
            args.host, args.port, app, _tls_context(args), idle_timeout=args.idle_timeout
        )
    except OSError as exc:
        engine.close()
        log.error("cannot listen", host=args.host, port=args.port, error=str(exc))
        return 2

    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="http", daemon=True
    )
    thread.start()
    # the socket is listening since ApiServer() returned: announce the base URL
    sys.stdout.write(server.base_url + "\n")
    sys.stdout.flush()
    log.info(
        "listening",
        url=server.base_url,
        data=data,
        faults={k: v for k, v in fault_update.items()} or None,
    )
    while not stop.wait(1.0):
        if not thread.is_alive():  # pragma: no cover - serve_forever never returns on its own
            break
    started = time.monotonic()
    server.shutdown()
    server.server_close()
    finished = app.runner.stop(timeout=1.0)
    try:
        engine.close()
    except Exception as exc:  # never let a close error turn a clean stop into a traceback
        log.warning("error closing the catalog", error=str(exc))
    log.info(
        "stopped",
        seconds=round(time.monotonic() - started, 3),
        statements_interrupted=not finished,
    )
    return 0


def _self_check() -> SelfCheck | None:
    """``DELTASTREAM_LOCAL_SELF_CHECK=openapi``: validate every API response against the
    official spec before sending it (needs the ``test`` extra; the test helpers turn it on)."""
    mode = os.environ.get(ENV_SELF_CHECK, "").strip().lower()
    if not mode:
        return None
    if mode != "openapi":
        raise SystemExit(f"deltastream-local: {ENV_SELF_CHECK} must be 'openapi', not {mode!r}")
    from deltastream_local.testing import SpecValidator  # test dependencies, loaded on demand

    return SpecValidator().validate_raw


def list_kinds() -> int:
    """``deltastream-local kinds``: the catalog kinds that load, their distributions and what
    each claims (object keyword, LIST words, system tables)."""
    from deltastream_local.engine.catalog import DISABLED_ENV, CatalogKindError, default_registry
    from deltastream_local.engine.catalog.registry import disabled_from_env

    try:
        registry = default_registry()
    except CatalogKindError as exc:
        raise SystemExit(f"deltastream-local: {exc}") from None
    for item in registry.loaded:
        kind = item.kind
        claims = [f"{kind.objects.keyword.upper()} statements"] if kind.objects else []
        claims += [f"LIST {word.upper()}" for word in kind.lists]
        claims += [f'deltastream.sys."{table.name}"' for table in kind.system_tables]
        print(f"{item.name}  [{item.distribution} {item.version}]".rstrip())
        for claim in claims:
            print(f"    {claim}")
    disabled = disabled_from_env()
    if disabled:
        print(f"disabled by {DISABLED_ENV}: {', '.join(disabled)}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "kinds":
        return list_kinds()
    parser.print_help(sys.stderr)
    return 2
