"""The response validator that every suite relies on must actually reject bad responses."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from deltastream_local.testing import SpecViolation, default_validator, spec_path

SID = "5a3c9e41-0b7d-4f6e-9c2a-81d4e6f0b3a7"
ORG = "0b1c3a52-6d0e-4f1a-9c7b-2e5d8f4a1c00"


def response(
    status: int,
    body: Any,
    *,
    method: str = "POST",
    path: str = "/v2/statements",
    content_type: str = "application/json",
) -> httpx.Response:
    request = httpx.Request(method, f"http://127.0.0.1:1{path}")
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(
        status, content=raw, headers={"Content-Type": content_type}, request=request
    )


def result_set(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sqlState": "00000",
        "statementID": SID,
        "createdOn": 1718100000,
        "metadata": {
            "encoding": "json",
            "partitionInfo": [{"id": 0, "rowCount": 1}],
            "columns": [{"name": "name", "type": "VARCHAR", "nullable": False}],
            "context": {"organizationID": ORG, "roleName": "sysadmin"},
        },
        "data": [["x"]],
    }
    body.update(overrides)
    return body


def test_spec_file_is_the_official_one() -> None:
    assert spec_path().name == "api-server-v2.yaml"
    assert "DeltaStream REST API" in spec_path().read_text()


def test_valid_responses_pass() -> None:
    validator = default_validator()
    validator.validate(response(200, result_set()))
    validator.validate(response(200, result_set(data=[[None]])))
    validator.validate(response(202, {"sqlState": "03000", "statementID": SID, "createdOn": 1}))
    validator.validate(response(403, {"message": "invalid api token"}))
    validator.validate(response(429, {"message": "slow down"}))
    validator.validate(
        response(200, {"major": 2, "minor": 0, "patch": 0}, method="GET", path="/v2/version")
    )
    validator.validate(response(200, result_set(), method="GET", path=f"/v2/statements/{SID}"))


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (200, result_set(createdOn="1718100000"), "application/json"),
        (200, result_set(statementID="not-a-uuid"), "application/json"),
        (200, {k: v for k, v in result_set().items() if k != "metadata"}, "application/json"),
        (200, result_set(data=[[1]]), "application/json"),
        (
            200,
            result_set(metadata={**result_set()["metadata"], "partitionInfo": [{"id": 0}]}),
            "application/json",
        ),
        (
            200,
            result_set(metadata={**result_set()["metadata"], "context": None}),
            "application/json",
        ),
        (200, result_set(data=[["a", "b"]]), "application/json"),
        (200, result_set(sqlState="3D002"), "application/json"),
        (202, {"sqlState": "00000", "statementID": SID, "createdOn": 1}, "application/json"),
        (403, {"error": "x"}, "application/json"),
        (404, {"message": ""}, "application/json"),
        (200, result_set(), "text/html"),
        (200, b"<html>", "application/json"),
    ],
    ids=[
        "string-createdOn",
        "bad-uuid",
        "no-metadata",
        "non-string-value",
        "no-rowCount",
        "no-context",
        "row-width",
        "error-without-message",
        "202-not-03000",
        "error-shape",
        "empty-message",
        "content-type",
        "not-json",
    ],
)
def test_invalid_responses_fail(status: int, body: Any, content_type: str) -> None:
    with pytest.raises(SpecViolation):
        default_validator().validate(response(status, body, content_type=content_type))
