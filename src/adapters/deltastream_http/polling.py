"""How often to ask about a statement the server answered with 202 (still running).

The official clients wait a fixed 1 s between polls; most DDL finishes in milliseconds, so
that second is pure latency. We poll early and back off geometrically, so short statements
are seen done almost at once and long ones cost about one request per second.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from deltastream_http import _constants as C


@attrs.frozen
class PollBackoff:
    """Delays between polls: ``first``, then ``factor`` times longer, at most ``max_delay``."""

    first: float = C.POLL_FIRST_DELAY
    factor: float = C.POLL_FACTOR
    max_delay: float = C.POLL_MAX_DELAY

    def __attrs_post_init__(self) -> None:
        if self.first <= 0 or self.factor < 1 or self.max_delay < self.first:
            raise ValueError(
                "PollBackoff needs first > 0, factor >= 1 and max_delay >= first; "
                f"got first={self.first}, factor={self.factor}, max_delay={self.max_delay}"
            )

    def delays(self) -> Iterator[float]:
        """An endless sequence of waits, one before each poll."""
        delay = self.first
        while True:
            yield delay
            delay = min(delay * self.factor, self.max_delay)


__all__ = ["PollBackoff"]
