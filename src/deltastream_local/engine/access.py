"""Roles and privileges: which role may do what (the local server's simplified model).

The request's role owns what it creates. Only the fixed roles of ``api.ROLES`` exist. The one
privilege rule enforced is that ``public`` may not create organization-level objects
(databases and stores), which gives clients a real ``42501`` path to test.
"""

from __future__ import annotations

from deltastream_local.engine.api import ROLES
from deltastream_local.engine.ast import quote_ident
from deltastream_local.engine.errors import INSUFFICIENT_PRIVILEGE, INVALID_ROLE, SqlError

_CANNOT_CREATE = {"public": frozenset({"database", "store"})}


def require_role(role: str) -> str:
    if role not in ROLES:
        raise SqlError(INVALID_ROLE, f"role {quote_ident(role)} does not exist")
    return role


def require_can_create(role: str, kind: str) -> None:
    if kind in _CANNOT_CREATE.get(role, frozenset()):
        raise SqlError(
            INSUFFICIENT_PRIVILEGE,
            f"role {quote_ident(role)} does not have the privilege to create a {kind}",
        )
