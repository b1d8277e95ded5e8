"""SQL errors with the service's sqlState codes (docs/reference/deltastream-api.md#sqlstates) and
message helpers.

Every failure inside the engine is a :class:`SqlError`; the executor turns it into an
``Outcome``. Messages name the object (``database "sales" does not exist``) and never echo the
value of a secret property.
"""

from __future__ import annotations

from deltastream_local.engine.ast import quote_ident

# The codes the engine emits (exact strings, including the six-character 42P0xx quirk).
FEATURE_NOT_SUPPORTED = "0A000"
DEPENDENT_OBJECTS_STILL_EXIST = "2BP01"
INVALID_ROLE = "3D001"
INVALID_DATABASE = "3D002"
INVALID_SCHEMA = "3D003"
INVALID_STORE = "3D006"
INVALID_PARAMETER = "3D008"
INVALID_QUERY = "3D019"
INVALID_RELATION = "3D020"
MISSING_PARAMETER = "3D021"
INSUFFICIENT_PRIVILEGE = "42501"
SYNTAX_ERROR = "42601"
DUPLICATE_DATABASE = "42P04"
DUPLICATE_STORE = "42P05"
DUPLICATE_SCHEMA = "42P06"
DUPLICATE_RELATION = "42P017"
INTERNAL_ERROR = "XX000"


class SqlError(Exception):
    """A statement failed with ``sql_state``; ``message`` is safe to show to the client."""

    def __init__(self, sql_state: str, message: str) -> None:
        super().__init__(message)
        self.sql_state = sql_state
        self.message = message


def fqn(*parts: str) -> str:
    """``"a"."b"."c"``: how messages and ``relations.fqn`` spell a qualified name."""
    return ".".join(quote_ident(part) for part in parts)


def not_found(sql_state: str, kind: str, *parts: str) -> SqlError:
    return SqlError(sql_state, f"{kind} {fqn(*parts)} does not exist")


def already_exists(sql_state: str, kind: str, *parts: str) -> SqlError:
    return SqlError(sql_state, f"{kind} {fqn(*parts)} already exists")


def syntax(message: str) -> SqlError:
    return SqlError(SYNTAX_ERROR, message)


def bad_parameter(message: str) -> SqlError:
    return SqlError(INVALID_PARAMETER, message)
