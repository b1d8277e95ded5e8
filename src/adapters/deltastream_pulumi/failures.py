"""Exceptions → gRPC statuses the engine understands (works around SDK bug #10).

The SDK turns every exception into ``UNKNOWN`` with a Python traceback in the message, which
the CLI prints under the resource and which marks the resource state "unknown". Here each
error of :mod:`deltastream_core.errors` gets its own code and a clean, scrubbed message; a
resource that exists but is unhealthy becomes a *partial failure* carrying its id
(``ErrorResourceInitFailed`` in ``grpc-status-details-bin``,
docs/reference/pulumi-protocol.md#partial-failure-errorresourceinitfailed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import grpc
from google.protobuf import struct_pb2
from pulumi.runtime.proto import errors_pb2, provider_pb2, status_pb2

from deltastream_core import errors as core
from deltastream_pulumi.redaction import scrub

DETAILS_KEY = "grpc-status-details-bin"


class ResourceInitFailedError(Exception):
    """The object exists but is not healthy: record its id and outputs, fail the step.

    ``properties`` and ``inputs`` are wire Structs (already marshalled with secrets marked).
    """

    def __init__(
        self,
        resource_id: str,
        reasons: Sequence[str],
        *,
        properties: struct_pb2.Struct | None = None,
        inputs: struct_pb2.Struct | None = None,
    ) -> None:
        self.resource_id = resource_id
        self.reasons = tuple(reasons)
        self.properties = properties
        self.inputs = inputs
        super().__init__("; ".join(self.reasons) or f"{resource_id} failed to initialize")


class MissingConfigError(Exception):
    """Required provider configuration is missing (Configure): ``{key: how to set it}``."""

    def __init__(self, missing: Mapping[str, str]) -> None:
        self.missing = dict(missing)
        super().__init__("; ".join(self.missing.values()))


@attrs.frozen
class Failure:
    """A gRPC status ready for ``context.abort_with_status``."""

    code: grpc.StatusCode
    details: str
    trailing_metadata: tuple[tuple[str, bytes], ...] = ()


class _Status(grpc.Status):  # type: ignore[misc]
    def __init__(
        self, code: grpc.StatusCode, details: str, trailing_metadata: tuple[tuple[str, bytes], ...]
    ) -> None:
        self.code = code
        self.details = details
        self.trailing_metadata = trailing_metadata


def as_status(failure: Failure) -> grpc.Status:
    return _Status(failure.code, failure.details, failure.trailing_metadata)


_CODES: tuple[tuple[type[BaseException], grpc.StatusCode], ...] = (
    (core.ValidationError, grpc.StatusCode.INVALID_ARGUMENT),
    (core.NotFoundError, grpc.StatusCode.NOT_FOUND),
    (core.AlreadyExistsError, grpc.StatusCode.ALREADY_EXISTS),
    (core.DuplicateQueryError, grpc.StatusCode.ALREADY_EXISTS),
    (core.PermissionError_, grpc.StatusCode.PERMISSION_DENIED),
    (core.AuthenticationError, grpc.StatusCode.UNAUTHENTICATED),
    (core.TransientError, grpc.StatusCode.UNAVAILABLE),  # AmbiguousOutcomeError included
    (core.TimeoutError_, grpc.StatusCode.DEADLINE_EXCEEDED),
    (core.OperationCancelledError, grpc.StatusCode.ABORTED),
    # A refused statement or a failed object is understood, not "status unknown".
    (core.StatementError, grpc.StatusCode.FAILED_PRECONDITION),
    (core.ObjectFailedError, grpc.StatusCode.FAILED_PRECONDITION),
    (core.IncompleteError, grpc.StatusCode.FAILED_PRECONDITION),
    (MissingConfigError, grpc.StatusCode.INVALID_ARGUMENT),
    (NotImplementedError, grpc.StatusCode.UNIMPLEMENTED),
)


def code_for(exc: BaseException) -> grpc.StatusCode:
    for kind, code in _CODES:
        if isinstance(exc, kind):
            return code
    return grpc.StatusCode.UNKNOWN


def message_for(exc: BaseException) -> str:
    """The user-facing text: the message only (never a traceback), secrets scrubbed."""
    text = str(exc).strip()
    if not isinstance(exc, core.DeltaStreamError | ResourceInitFailedError | MissingConfigError):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return scrub(text)


def _details(code: grpc.StatusCode, message: str, *details: Any) -> tuple[tuple[str, bytes], ...]:
    status = status_pb2.Status(code=code.value[0], message=message)
    for detail in details:
        status.details.add().Pack(detail)
    return ((DETAILS_KEY, status.SerializeToString()),)


def failure_for(exc: BaseException) -> Failure:
    """The status for any exception raised by a provider method."""
    code = code_for(exc)
    message = message_for(exc)
    if isinstance(exc, ResourceInitFailedError):
        detail = provider_pb2.ErrorResourceInitFailed(
            id=exc.resource_id,
            properties=exc.properties,
            inputs=exc.inputs,
            reasons=[scrub(r) for r in exc.reasons] or [message],
        )
        return Failure(code, message, _details(code, message, detail))
    if isinstance(exc, core.ValidationError) and exc.problems:
        detail = errors_pb2.InputPropertiesError(
            errors=[
                errors_pb2.InputPropertiesError.PropertyError(
                    property_path=p.property, reason=scrub(p.reason)
                )
                for p in exc.problems
            ]
        )
        return Failure(code, message, _details(code, message, detail))
    if isinstance(exc, MissingConfigError):
        detail = provider_pb2.ConfigureErrorMissingKeys(
            missingKeys=[
                provider_pb2.ConfigureErrorMissingKeys.MissingKey(name=name, description=why)
                for name, why in exc.missing.items()
            ]
        )
        return Failure(code, message, _details(code, message, detail))
    return Failure(code, message)
