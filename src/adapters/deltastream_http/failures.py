"""What a failed request means: the typed error, whether to retry, whether it may have applied.

Two questions decide a retry, and only this module answers them:

* *retryable*: is the failure one that may go away (rate limit, outage, lost connection)?
* *maybe_applied*: could the server have executed the statement anyway? A request that never
  connected, or that the server refused with 429/503, did not run; a request whose answer
  was lost (connection dropped or read timed out after sending, or a gateway 502/504 that
  may have forwarded it) might have. Only the latter needs an effect probe before a WRITE is
  repeated.
"""

from __future__ import annotations

import ssl

import attrs
import httpx

from deltastream_core.errors import (
    AuthenticationError,
    DeltaStreamError,
    TimeoutError_,
    TransientError,
)

#: Refused by the service before execution: safe to repeat any statement.
REFUSED_STATUSES = frozenset({429, 503})
#: Gateway failures: the request may have been forwarded and executed.
GATEWAY_STATUSES = frozenset({502, 504})

AUTH_HINT = (
    "Check the provider's API token: `pulumi config set --secret deltastream:apiKey <token>` "
    "or the DELTASTREAM_API_KEY environment variable."
)


@attrs.frozen
class Failure:
    """One failed attempt, classified."""

    error: DeltaStreamError
    reason: str
    retryable: bool = False
    maybe_applied: bool = False
    retry_after: float | None = None


def for_status(status: int, message: str, retry_after: float | None) -> Failure:
    """Classify an HTTP error status (anything but 200/202) with the server's message."""
    if status in (401, 403):
        return Failure(
            AuthenticationError(
                f"DeltaStream refused the API token (HTTP {status}): {message}. {AUTH_HINT}"
            ),
            reason=f"http {status}",
        )
    if status == 408:
        return Failure(
            TimeoutError_(
                f"DeltaStream reports the request exceeded its deadline (HTTP 408): {message}"
            ),
            reason="http 408",
        )
    if status in REFUSED_STATUSES:
        what = "rate-limited the request" if status == 429 else "is temporarily unavailable"
        return Failure(
            TransientError(
                f"DeltaStream {what} (HTTP {status}): {message}", retry_after=retry_after
            ),
            reason=f"http {status}",
            retryable=True,
            retry_after=retry_after,
        )
    if status in GATEWAY_STATUSES:
        return Failure(
            TransientError(
                f"DeltaStream gateway error (HTTP {status}): {message}", retry_after=retry_after
            ),
            reason=f"http {status}",
            retryable=True,
            maybe_applied=True,
            retry_after=retry_after,
        )
    if status >= 500:
        # An internal error is not repeated: it is rarely transient and a WRITE may have run.
        return Failure(
            TransientError(
                f"DeltaStream internal error (HTTP {status}): {message}", retry_after=retry_after
            ),
            reason=f"http {status}",
        )
    if status == 404:
        return Failure(
            DeltaStreamError(f"DeltaStream API path not found (HTTP 404): {message}"),
            reason="http 404",
        )
    return Failure(
        DeltaStreamError(f"DeltaStream rejected the request (HTTP {status}): {message}"),
        reason=f"http {status}",
    )


def _tls_verification_failed(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def for_transport_error(exc: httpx.TransportError, server: str) -> Failure:
    """Classify an httpx transport error (no HTTP answer was read)."""
    kind = type(exc).__name__
    if _tls_verification_failed(exc):
        return Failure(
            DeltaStreamError(
                f"TLS verification of {server} failed ({exc}); fix the certificate or, for a test "
                "server only, set deltastream:insecureSkipVerify=true"
            ),
            reason="tls verification",
        )
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        # Nothing was sent: no connection (or no pooled slot) was ever obtained.
        return Failure(
            TransientError(f"Could not connect to DeltaStream at {server} ({kind}: {exc})"),
            reason=kind,
            retryable=True,
        )
    if isinstance(exc, httpx.NetworkError | httpx.TimeoutException | httpx.RemoteProtocolError):
        # Read/Write errors and timeouts, a dropped connection: part or all of the request
        # left, so the server may have run it. Write errors count too, since the kernel may have
        # delivered the whole request before the failure was reported.
        return Failure(
            TransientError(f"Lost the connection to DeltaStream at {server} ({kind}: {exc})"),
            reason=kind,
            retryable=True,
            maybe_applied=True,
        )
    return Failure(
        DeltaStreamError(f"Request to DeltaStream at {server} failed ({kind}: {exc})"), reason=kind
    )


__all__ = ["AUTH_HINT", "Failure", "for_status", "for_transport_error"]
