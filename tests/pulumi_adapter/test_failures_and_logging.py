"""Error mapping, secret redaction in logs, and a loop that never blocks."""

from __future__ import annotations

import asyncio
import io
import json
import time

import grpc
import pytest
import structlog
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2

from deltastream_core import errors as core
from deltastream_core.secrets import Secret
from deltastream_pulumi import main, redaction
from deltastream_pulumi.failures import ResourceInitFailedError, failure_for
from deltastream_pulumi.server import engine_address
from pulumi_adapter.widgets import WIDGET_URN, Served, struct


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (core.ValidationError([core.PropertyProblem("name", "is required")]),
         grpc.StatusCode.INVALID_ARGUMENT),
        (core.NotFoundError("3D000", "no such db"), grpc.StatusCode.NOT_FOUND),
        (core.AlreadyExistsError("42P04", "exists"), grpc.StatusCode.ALREADY_EXISTS),
        (core.PermissionError_("42501", "denied"), grpc.StatusCode.PERMISSION_DENIED),
        (core.AuthenticationError("token refused"), grpc.StatusCode.UNAUTHENTICATED),
        (core.TransientError("503"), grpc.StatusCode.UNAVAILABLE),
        (core.AmbiguousOutcomeError("lost"), grpc.StatusCode.UNAVAILABLE),
        (core.TimeoutError_("too slow"), grpc.StatusCode.DEADLINE_EXCEEDED),
        (core.StatementError("42000", "syntax"), grpc.StatusCode.FAILED_PRECONDITION),
        (core.DependentObjectsError("2BP01", "in use"), grpc.StatusCode.FAILED_PRECONDITION),
        (ValueError("bug"), grpc.StatusCode.UNKNOWN),
        (ResourceInitFailedError("id", ["bad"]), grpc.StatusCode.UNKNOWN),
    ],
)  # fmt: skip
def test_each_error_gets_its_code_and_a_message_without_traceback(
    exc: Exception, code: grpc.StatusCode
) -> None:
    failure = failure_for(exc)
    assert failure.code == code
    assert "Traceback" not in failure.details
    assert failure.details


def test_unexpected_errors_name_their_type_and_scrub_known_secrets() -> None:
    redaction.register_secret("hunter2-key")
    failure = failure_for(KeyError("hunter2-key missing"))
    assert failure.details == "KeyError: '<redacted> missing'"


def test_engine_address_is_the_last_non_flag_argument() -> None:
    # bug #11: the SDK's argparse takes the --tracing value for the engine address
    assert engine_address(["--tracing", "http://t", "127.0.0.1:1234"]) == "127.0.0.1:1234"
    assert engine_address(["--logtostderr", "-v=9", "127.0.0.1:1"]) == "127.0.0.1:1"
    assert engine_address([]) is None


def _capture(fmt: str, monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    out = io.StringIO()
    monkeypatch.setenv(main.FORMAT_ENV, fmt)
    monkeypatch.setattr("sys.stderr", out)
    monkeypatch.setattr("logging.basicConfig", lambda **_: None)  # leave the root logger alone
    main.configure_logging([])
    return out


@pytest.mark.parametrize("fmt", ["json", "kv"])
def test_logs_redact_secret_keys_secret_objects_and_known_values(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _capture(fmt, monkeypatch)
    try:
        redaction.register_secret("k3y-registered")
        log = structlog.get_logger("t")
        log.info(
            "hello",
            apiKey="k3y-a",
            api_key="k3y-b",
            sasl_password="pw-c",
            Authorization="Bearer k3y-d",
            private_key="pk-e",
            token="tok-f",
            nested={"password": "pw-g", "ok": "visible"},
            wrapped=Secret("k3y-h"),
            text="uses k3y-registered inside",
        )
        # the store types' credentials, by the WITH key and the property name
        log.info(
            "store",
            **{
                "databricks.app_token": "dbx-tok-i",
                "appToken": "dbx-tok-j",
                "aws.access_key_id": "akia-k",
                "accessKeyId": "akia-l",
                "aws.secret_access_key": "aws-sec-m",
                "clickhouse.password": "ch-pw-n",
                "iceberg.rest.client_secret": "ice-sec-o",
                "clientSecret": "ice-sec-p",
                "warehouseId": "wh-visible",
            },
        )
        log.error("failed", exc_info=ValueError("k3y-registered in traceback"))
    finally:
        structlog.reset_defaults()
    text = out.getvalue()
    for leaked in ("k3y-a", "k3y-b", "pw-c", "k3y-d", "pk-e", "tok-f", "pw-g", "k3y-h",
                   "k3y-registered", "dbx-tok-i", "dbx-tok-j", "akia-k", "akia-l", "aws-sec-m",
                   "ch-pw-n", "ice-sec-o", "ice-sec-p"):  # fmt: skip
        assert leaked not in text
    assert "visible" in text and "wh-visible" in text and "<redacted>" in text
    if fmt == "json":
        json.loads(text.splitlines()[0])


def test_log_level_from_env_and_verbose_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    monkeypatch.setenv(main.LEVEL_ENV, "warning")
    assert main._level([]) == logging.WARNING
    assert main._level(["-v=9", "127.0.0.1:1"]) == logging.DEBUG
    assert main._level(["-v"]) == logging.DEBUG
    assert main._level(["--logtostderr"]) == logging.WARNING


@pytest.mark.anyio
async def test_cancel_answers_while_a_slow_create_is_in_flight(served: Served) -> None:
    create = asyncio.ensure_future(
        served.stub.Create(
            provider_pb2.CreateRequest(urn=WIDGET_URN, properties=struct({"name": "slow"}))
        )
    )
    await asyncio.sleep(0.2)
    started = time.monotonic()
    await served.stub.Cancel(empty_pb2.Empty(), timeout=2)
    schema = await served.stub.GetSchema(provider_pb2.GetSchemaRequest(), timeout=2)
    assert time.monotonic() - started < 1.0
    assert schema.schema
    assert not create.done()
    await create
