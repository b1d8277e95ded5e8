"""The REST API v2 wire format: request bodies out, decoded replies in
(docs/reference/deltastream-api.md#submitting-a-statement to #partitions).

Pure functions and values, no I/O, so the shapes can be read (and checked) in one place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import metadata
from typing import Any

import attrs

from deltastream_core.errors import DeltaStreamError
from deltastream_core.ports import ResultColumn, StatementContext
from deltastream_http import _constants as C

SUCCESS = "00000"
#: "statement not yet complete": a 202 body, or (per the Python connector) a 200 that means the same
NOT_YET_COMPLETE = "03000"

#: StatementContext attribute → StatementRequest JSON field
_CONTEXT_FIELDS = (
    ("organization", "organization"),
    ("role", "role"),
    ("database", "database"),
    ("schema", "schema"),
    ("store", "store"),
    ("compute_pool", "computePool"),
)


def user_agent(session_id: str | None = None, product: str | None = None) -> str:
    """``pulumi-deltastream-py/<version>[ session/<id>]``, like the official provider's form."""
    if product is None:
        try:
            version = metadata.version(C.DISTRIBUTION)
        except metadata.PackageNotFoundError:  # running from a bare source tree
            version = "0+unknown"
        product = f"{C.PRODUCT}/{version}"
    return f"{product} session/{session_id}" if session_id else product


def statement_request(
    sql: str, context: StatementContext, session_id: str | None = None
) -> dict[str, Any]:
    """The StatementRequest object: the SQL, the non-empty context fields, the session."""
    body: dict[str, Any] = {"statement": sql}
    for attribute, field in _CONTEXT_FIELDS:
        value = getattr(context, attribute)
        if value:  # the service reads "" as a name; omit like the Go driver's omitempty
            body[field] = value
    if session_id:
        body["parameters"] = {"sessionID": session_id}
    return body


def submission(request: Mapping[str, Any], attachments: Mapping[str, bytes]) -> dict[str, Any]:
    """Keyword arguments for ``httpx.Client.request``: plain JSON, or multipart with files.

    Without attachments the spec's ``application/json`` form is smaller and cheaper to parse;
    with them the ``request`` part carries the JSON and each file is an ``attachments`` part
    whose filename is the name the WITH clause uses (e.g. ``@keyfile``).
    """
    if not attachments:
        return {"json": request}
    encoded = json.dumps(request, separators=(",", ":")).encode()
    files: list[tuple[str, tuple[str | None, bytes, str]]] = [
        ("request", (None, encoded, "application/json"))
    ]
    files.extend(
        ("attachments", (name, data, "application/octet-stream"))
        for name, data in attachments.items()
    )
    return {"files": files}


def poll_params(partition: int, session_id: str | None) -> dict[str, str | int]:
    """Query of ``GET /statements/{id}``; no ``timezone``: values are decoded as UTC anyway."""
    params: dict[str, str | int] = {"partitionID": partition}
    if session_id:
        params["sessionID"] = session_id
    return params


@attrs.frozen
class Reply:
    """A decoded 200 ResultSet or 202 StatementStatus body."""

    sql_state: str
    statement_id: str | None
    message: str | None = None
    columns: tuple[ResultColumn, ...] = ()
    #: rowCount of every partition, in order; partition 0's rows are in ``rows``
    partitions: tuple[int, ...] = ()
    rows: tuple[tuple[str | None, ...], ...] = ()

    @property
    def pending(self) -> bool:
        return self.sql_state == NOT_YET_COMPLETE

    @property
    def failed(self) -> bool:
        return self.sql_state not in (SUCCESS, NOT_YET_COMPLETE)


class MalformedReplyError(DeltaStreamError):
    """The server's answer is not the contract's JSON; the message says what was wrong."""


def decode_reply(status_code: int, payload: bytes) -> Reply:
    """Decode a 200/202 body; a 202 is pending whatever its sqlState says (Go ignores it too)."""
    try:
        body = json.loads(payload)
    except ValueError as exc:
        raise MalformedReplyError(
            f"DeltaStream answered HTTP {status_code} with a body that is not JSON"
        ) from exc
    if not isinstance(body, dict):
        raise MalformedReplyError(f"DeltaStream answered HTTP {status_code} with a non-object")
    sql_state = str(body.get("sqlState") or "")
    if status_code == 202:
        sql_state = NOT_YET_COMPLETE
    elif not sql_state:
        raise MalformedReplyError("DeltaStream answered HTTP 200 without a sqlState")
    statement_id = body.get("statementID")
    meta = body.get("metadata") or {}
    columns = tuple(
        ResultColumn(
            name=str(col.get("name", "")),
            type=str(col.get("type", "VARCHAR")),
            nullable=bool(col.get("nullable", True)),
        )
        for col in meta.get("columns") or ()
    )
    partitions = tuple(int(part.get("rowCount", 0)) for part in meta.get("partitionInfo") or ())
    rows = tuple(tuple(row) for row in body.get("data") or ())
    return Reply(
        sql_state=sql_state,
        statement_id=str(statement_id) if statement_id else None,
        message=body.get("message"),
        columns=columns,
        partitions=partitions,
        rows=rows,
    )


def error_message(payload: bytes, fallback: str) -> str:
    """The ``message`` of an ErrorResponse body, or ``fallback`` when there is none."""
    try:
        body = json.loads(payload)
    except ValueError:
        return fallback
    if isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"]:
        return str(body["message"])
    return fallback


__all__ = [
    "NOT_YET_COMPLETE",
    "SUCCESS",
    "MalformedReplyError",
    "Reply",
    "decode_reply",
    "error_message",
    "poll_params",
    "statement_request",
    "submission",
    "user_agent",
]
