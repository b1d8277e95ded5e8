"""Timestamps as the system tables show them: ``TIMESTAMP_LTZ`` text ``YYYY-MM-DD HH:MM:SS.fffZ``.

The catalog stores POSIX seconds (REAL) and formats on the way out, so lifecycle states can
be computed lazily by comparing stored times with "now".
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

TIMESTAMP_TYPE = "TIMESTAMP_LTZ"


# System-table reads format every row before filtering; stored times repeat across reads.
@functools.lru_cache(maxsize=16384)
def format_timestamp(epoch_seconds: float) -> str:
    """``1718097302.125`` → ``2024-06-11 09:15:02.125Z`` (UTC, millisecond precision)."""
    moment = datetime.fromtimestamp(epoch_seconds, tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
