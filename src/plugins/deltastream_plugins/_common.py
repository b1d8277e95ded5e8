"""The built-in plugins' shared helpers: the public authoring API's catalog helpers, under the
names the plugins have always imported (see :mod:`deltastream_core.rows`)."""

from __future__ import annotations

from deltastream_core.rows import (
    CAPPED_LIMIT,
    CATALOG_POLL,
    CATALOG_TIMEOUT,
    ROW_CAP,
    UNFINISHED,
    Row,
    capped,
    check_name,
    describe_state,
    exactly_one,
    first_or_none,
    import_command,
    left_in_place,
    rfc3339,
    run_idempotent,
    run_settled,
    select,
    wait_for_no_row,
    wait_for_row,
)

__all__ = [
    "CAPPED_LIMIT",
    "CATALOG_POLL",
    "CATALOG_TIMEOUT",
    "ROW_CAP",
    "UNFINISHED",
    "Row",
    "capped",
    "check_name",
    "describe_state",
    "exactly_one",
    "first_or_none",
    "import_command",
    "left_in_place",
    "rfc3339",
    "run_idempotent",
    "run_settled",
    "select",
    "wait_for_no_row",
    "wait_for_row",
]
