"""What the Store kind reads besides its ``deltastream.sys."stores"`` row (which
:class:`~deltastream_core.catalog.CatalogKind` reads): ``DESCRIBE STORE``, and how its waits
poll and describe a row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from deltastream_core.errors import NotFoundError
from deltastream_core.kinds import OperationContext
from deltastream_core.ports import Statement
from deltastream_core.sql import quote_identifier
from deltastream_core.waiting import Backoff

#: the official provider waits 10 minutes for a store; customTimeouts override it
READY_TIMEOUT = 600.0
#: gentle geometric growth: polls at 0.11, 0.24, 0.40, 0.59, 0.82, 1.09, 1.42 s…, each at most
#: 1.2x the previous + 0.11 s, so a store is seen ready at most ~20% + 0.11 s after it is (not
#: on a fixed 5 s tick). With a first pause of 0.1 s a poll fell at 0.99 s and raced a 1 s
#: readiness: the store benchmark swung between 1.17x and 1.45x the delay by scheduling luck.
POLL = Backoff(first=0.11, factor=1.2, cap=2.0)
READY = "ready"
ERRORED = "errored"

#: DESCRIBE STORE's seven columns, by position (the Terraform data source reads them so; the
#: names are deltastream-local's): metadata JSON, uris, details JSON, TLS enabled, verify
#: hostname, schema-registry name, path
DESCRIBE_COLUMNS = (
    "metadata",
    "uris",
    "details",
    "tls_enabled",
    "verify_server_hostname",
    "schema_registry_name",
    "path",
)


def describe_row(row: Mapping[str, Any] | None) -> str:
    if row is None:
        return "not in the catalog yet"
    message = row.get("status_message")
    return f"status {row.get('status')!r}" + (f" ({message})" if message else "")


async def describe(ctx: OperationContext, name: str) -> dict[str, Any] | None:
    """The one row of ``DESCRIBE STORE "name"`` keyed by :data:`DESCRIBE_COLUMNS` (read by
    position, as the Terraform data source does); None when there is no such store."""
    runner = ctx.require_runner()
    try:
        result = await runner.run(
            Statement.read(f"DESCRIBE STORE {quote_identifier(name)};"), ctx.base
        )
    except NotFoundError:
        return None
    record = result.first()
    if not record:
        return None
    values = list(record.values())
    return dict(zip(DESCRIBE_COLUMNS, values, strict=False))


def json_object(value: Any) -> dict[str, Any]:
    """A JSON object column (``details``, ``metadata``); empty when absent or not an object."""
    if isinstance(value, Mapping):
        return dict(value)
    try:
        parsed = json.loads(value) if isinstance(value, str) and value else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


async def describe_properties(ctx: OperationContext, name: str) -> dict[str, Any]:
    """The store's settings as DESCRIBE STORE reports them, keyed by WITH key.

    ``uris``, a ``details`` JSON object of the type's non-secret settings (keys without the
    type prefix, dots as underscores), the TLS flags and the schema-registry name, each mapped
    back to the WITH key it came from; ``details`` entries are kept as
    ``details:<short key>`` (see ``common.details_key``). Secrets are never part of the
    answer.
    """
    record = await describe(ctx, name)
    return {} if record is None else describe_properties_of(record)


def describe_properties_of(record: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`describe_properties` of a row :func:`describe` returned."""
    props: dict[str, Any] = {}
    if record.get("uris") is not None:
        props["uris"] = record["uris"]
    details = json_object(record.get("details"))
    props.update({f"details:{k}": v for k, v in details.items() if v is not None})
    if record.get("tls_enabled") is not None:
        props["tls.disabled"] = not flag(record["tls_enabled"])
    if record.get("verify_server_hostname") is not None:
        props["tls.verify_server_hostname"] = flag(record["verify_server_hostname"])
    if record.get("schema_registry_name") is not None:
        props["schema_registry.name"] = record["schema_registry_name"]
    return props


def flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() == "true"
