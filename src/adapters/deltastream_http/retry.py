"""When and how long to wait before repeating a request.

What may be repeated is decided by the client (it knows whether a statement is a READ or a
WRITE and whether the request reached the server); this module only answers "how long to
wait before attempt n", honouring the server's ``Retry-After``.
"""

from __future__ import annotations

import email.utils
import math
from datetime import UTC, datetime

import attrs

from deltastream_http import _constants as C


def _positive(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (value >= 0 and math.isfinite(value)):
        raise ValueError(
            f"RetryPolicy.{attribute.name} must be a finite number >= 0, got {value!r}"
        )


@attrs.frozen
class RetryPolicy:
    """Jittered exponential backoff, bounded per attempt and by the statement deadline.

    ``max_attempts`` counts the first try: ``1`` disables retries. The delay before retry
    ``n`` (1-based) is ``base_delay * 2**(n-1)`` capped at ``max_delay``, shortened by up to
    ``jitter`` (a fraction) so that many provider operations refused together do not come
    back together. A server ``Retry-After`` replaces the computed delay, up to
    ``max_retry_after``.
    """

    max_attempts: int = attrs.field(default=C.RETRY_MAX_ATTEMPTS)
    base_delay: float = attrs.field(default=C.RETRY_BASE_DELAY, validator=_positive)
    max_delay: float = attrs.field(default=C.RETRY_MAX_DELAY, validator=_positive)
    jitter: float = attrs.field(default=C.RETRY_JITTER, validator=_positive)
    max_retry_after: float = attrs.field(default=C.RETRY_AFTER_CAP, validator=_positive)

    @max_attempts.validator
    def _check_attempts(self, _: attrs.Attribute[int], value: int) -> None:
        if value < 1:
            raise ValueError(
                f"RetryPolicy.max_attempts counts the first try and must be >= 1 "
                f"(1 disables retries), got {value!r}"
            )

    @classmethod
    def never(cls) -> RetryPolicy:
        """A policy that never repeats a request."""
        return cls(max_attempts=1)

    def delay(self, retry_number: int, retry_after: float | None, unit_random: float) -> float:
        """Seconds to wait before retry ``retry_number`` (1 = the first repeat).

        ``unit_random`` is a sample from [0, 1), passed in so tests can pin the jitter.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        backoff = min(self.base_delay * 2.0 ** (retry_number - 1), self.max_delay)
        return backoff * (1.0 - self.jitter * unit_random)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), else ``None``."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


__all__ = ["RetryPolicy", "parse_retry_after"]
