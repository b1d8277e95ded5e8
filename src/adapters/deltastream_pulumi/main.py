"""``pulumi-resource-deltastream``: the provider plugin the Pulumi engine launches.

    pulumi-resource-deltastream [--logtostderr] [-v=N] [--tracing URL] <engine-address>
    pulumi-resource-deltastream --plugins      # list the loaded plugins and what each registered

The first and only stdout line is the gRPC port; everything else goes to stderr as structlog
lines (key=value, or JSON with ``DELTASTREAM_LOG_FORMAT=json``) at ``DELTASTREAM_LOG_LEVEL``
(default ``info``; any ``-v`` means ``debug``), with secrets redacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

import structlog

from deltastream_pulumi import redaction

LEVEL_ENV = "DELTASTREAM_LOG_LEVEL"
FORMAT_ENV = "DELTASTREAM_LOG_FORMAT"


_VERBOSE = re.compile(r"^--?v(=?\d+)?$")


def _level(args: Sequence[str]) -> int:
    if any(_VERBOSE.match(a) for a in args):  # the engine passes -v=N with --logflow
        return logging.DEBUG
    name = os.environ.get(LEVEL_ENV, "info").strip().upper() or "INFO"
    return logging.getLevelNamesMapping().get(name, logging.INFO)


def configure_logging(args: Sequence[str] = ()) -> None:
    """structlog to stderr, secrets redacted; called once, here."""
    level = _level(args)
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if os.environ.get(FORMAT_ENV, "").lower() == "json"
        else structlog.processors.KeyValueRenderer(
            key_order=["timestamp", "level", "module", "event"], drop_missing=True
        )
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.CallsiteParameterAdder(
                {structlog.processors.CallsiteParameter.MODULE}
            ),
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redaction.structlog_processor,
            structlog.processors.format_exc_info,
            renderer,
            redaction.scrub_rendered,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    # Libraries log through the standard library (grpc, httpx): stderr, warnings and up.
    logging.basicConfig(stream=sys.stderr, level=max(level, logging.WARNING))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from deltastream_core.registry import PluginError, describe_plugins, load_registry

    if "--plugins" in args:
        try:
            print(describe_plugins(load_registry()))
        except PluginError as exc:
            print(f"pulumi-resource-deltastream: {exc}", file=sys.stderr)
            return 1
        return 0
    port_out = sys.stdout.buffer
    # Nothing but the port line may reach stdout: stray prints go to stderr.
    sys.stdout = sys.stderr
    configure_logging(args)

    from deltastream_pulumi.server import serve  # after logging is configured

    try:
        with contextlib.suppress(KeyboardInterrupt):  # the engine's SIGINT: a clean exit
            asyncio.run(serve(args, port_out))
    except PluginError as exc:
        # A broken third-party plugin: one line the engine shows, not a traceback.
        print(f"pulumi-resource-deltastream: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
