"""Parsing and checking what a request carries: the StatementRequest (JSON, multipart or
form body), its session context, the ``partitionID`` query parameter. Pure functions; a bad
request raises :class:`~deltastream_local.http.app.HttpError`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from deltastream_local.engine.api import (
    DEFAULT_ROLE,
    ORGANIZATION_ID,
    ORGANIZATION_NAME,
    ROLES,
    Outcome,
    SessionContext,
)
from deltastream_local.http.app import HttpError
from deltastream_local.http.multipart import MultipartError, boundary_of, parse_multipart

_PARTITION_RE = re.compile(r"[0-9]{1,10}")
_INT32_MAX = 2**31 - 1
_CONTEXT_FIELDS = ("organization", "role", "database", "schema", "store", "computePool")


def _is_local_organization(value: str) -> bool:
    if value == ORGANIZATION_NAME:
        return True
    try:
        return uuid.UUID(value) == uuid.UUID(ORGANIZATION_ID)
    except ValueError:
        return False


def resolve_context(request: Mapping[str, Any]) -> SessionContext | Outcome:
    """The SessionContext a StatementRequest asks for, or the SQL error it earns."""
    organization = request.get("organization") or None
    role = request.get("role") or DEFAULT_ROLE
    fallback = SessionContext(role=role if role in ROLES else DEFAULT_ROLE)
    if organization is not None and not _is_local_organization(organization):
        return Outcome(
            sql_state="3D004",
            context=fallback,
            message=f'organization "{organization}" does not exist',
        )
    if role not in ROLES:
        return Outcome(
            sql_state="3D001",
            context=fallback,
            message=f'role "{role}" does not exist',
        )
    return SessionContext(
        organization_id=ORGANIZATION_ID,
        role=role,
        database=request.get("database") or None,
        schema=request.get("schema") or None,
        store=request.get("store") or None,
        compute_pool=request.get("computePool") or None,
    )


def json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeError included
        raise HttpError(400, f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise HttpError(400, f"{what} must be a JSON object")
    return value


def check_statement_request(request: Mapping[str, Any]) -> None:
    """Field types of a StatementRequest (unknown fields are ignored, like the service)."""
    statement = request.get("statement")
    if statement is None:
        raise HttpError(400, "missing required field 'statement'")
    if not isinstance(statement, str):
        raise HttpError(400, "field 'statement' must be a string")
    for name in _CONTEXT_FIELDS:
        value = request.get(name)
        if value is not None and not isinstance(value, str):
            raise HttpError(400, f"field {name!r} must be a string")
    parameters = request.get("parameters")
    if parameters is None:
        return
    if not isinstance(parameters, dict):
        raise HttpError(400, "field 'parameters' must be an object")
    for name in ("timezone", "sessionID"):
        value = parameters.get(name)
        if value is not None and not isinstance(value, str):
            raise HttpError(400, f"field 'parameters.{name}' must be a string")


def parse_statement_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The StatementRequest and attachments of a POST body (JSON or multipart)."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    attachments: dict[str, bytes] = {}
    if media_type == "multipart/form-data":
        try:
            parts = parse_multipart(body, boundary_of(content_type))
        except MultipartError as exc:
            raise HttpError(400, str(exc)) from None
        request: dict[str, Any] | None = None
        for part in parts:
            if part.name == "request":
                if request is not None:
                    raise HttpError(400, "multipart body has more than one 'request' part")
                request = json_object(part.data, "the 'request' part")
            elif part.name == "attachments":
                name = part.filename or "attachment"
                if name in attachments:
                    raise HttpError(400, f"duplicate attachment name {name!r}")
                attachments[name] = part.data
        if request is None:
            raise HttpError(400, "multipart body without the required 'request' part")
    elif media_type == "application/x-www-form-urlencoded":
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=64)
        except (UnicodeDecodeError, ValueError):
            raise HttpError(400, "malformed form body") from None
        if len(fields.get("request", [])) != 1:
            raise HttpError(400, "form body needs exactly one 'request' field")
        request = json_object(fields["request"][0].encode("utf-8"), "the 'request' field")
    elif media_type in ("", "application/json", "text/plain") or media_type.endswith("+json"):
        request = json_object(body, "request body")
    else:
        raise HttpError(400, f"unsupported Content-Type {media_type!r}")
    check_statement_request(request)
    return request, attachments


def parse_partition(query: str) -> int:
    try:
        params = parse_qs(query, keep_blank_values=True, errors="replace", max_num_fields=64)
    except ValueError:
        raise HttpError(400, "malformed query string") from None
    values = params.get("partitionID")
    if not values:
        return 0
    if len(values) > 1:
        raise HttpError(400, "partitionID given more than once")
    raw = values[0].strip()
    if not _PARTITION_RE.fullmatch(raw) or int(raw) > _INT32_MAX:
        raise HttpError(400, f"invalid partitionID {values[0]!r}: expected an integer >= 0")
    return int(raw)
