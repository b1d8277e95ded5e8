"""Functions: ``CREATE FUNCTION name (arg TYPE, ...) RETURNS TYPE LANGUAGE JAVA WITH
('source.name' = '<function source>', 'class.name' = '<java class>')``, ``DROP FUNCTION
name (arg TYPE, ...)``, ``LIST FUNCTIONS`` and ``deltastream.sys."functions"``
(docs/reference/other-kinds.md#functions).

Functions overload: one is identified by its name and argument types (the argument names are
part of its signature as shown, not of its identity). Creating one on a function source that
does not exist or is not ``ready`` answers 3D018, as the service does while a jar is still
being processed; a source a function names cannot be dropped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from deltastream_local.engine import ast
from deltastream_local.engine.catalog.base import (
    CatalogKind,
    Execution,
    ObjectKey,
    Reference,
    SystemTable,
)
from deltastream_local.engine.catalog.named import listing
from deltastream_local.engine.catalog.tables import function_sources
from deltastream_local.engine.errors import (
    INVALID_PARAMETER,
    MISSING_PARAMETER,
    SqlError,
    already_exists,
    fqn,
)
from deltastream_local.engine.results import Result, artifact_row, artifacts, timestamp, varchar
from deltastream_local.engine.timestamps import format_timestamp

NOT_FOUND = "3D017"
DUPLICATE = "42P015"
SOURCE_NOT_READY = "3D018"
LANGUAGES = ("JAVA",)
#: the WITH keys (all required)
KEYS = ("source.name", "class.name")

COLUMNS = (
    "name, arg_types, signature, returns, language, source_name, class_name, owner,"
    " created_at, updated_at"
)
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS functions (
        name TEXT NOT NULL, arg_types TEXT NOT NULL, signature TEXT NOT NULL,
        returns TEXT NOT NULL, language TEXT NOT NULL, source_name TEXT NOT NULL,
        class_name TEXT NOT NULL, owner TEXT NOT NULL,
        created_at REAL NOT NULL, updated_at REAL NOT NULL, PRIMARY KEY (name, arg_types))""",
)


def _types(arguments: Sequence[ast.FunctionArgument]) -> str:
    """The identity of an overload: its argument types (upper case, as the parser renders)."""
    return json.dumps([a.type for a in arguments])


def signature(name: str, arguments: Sequence[ast.FunctionArgument]) -> str:
    """``name(arg TYPE, ...)``: how LIST FUNCTIONS and the system table show a function."""
    shown = ", ".join(f"{a.name} {a.type}" for a in arguments)
    return f"{name}({shown})"


def _shown(found: tuple[Any, ...]) -> dict[str, str | None]:
    name, _types, sig, returns, language, source, cls, owner, created, updated = found
    return {
        "signature": sig,
        "name": name,
        "returns": returns,
        "language": language,
        "source_name": source,
        "class_name": cls,
        "owner": owner,
        "created_at": format_timestamp(created),
        "updated_at": format_timestamp(updated),
    }


def _options(stmt: ast.CreateFunction) -> dict[str, str]:
    given: dict[str, str] = {}
    for item in stmt.properties.items:
        if item.key not in KEYS:
            raise SqlError(INVALID_PARAMETER, f"property '{item.key}' is not valid for function")
        if item.value.kind not in ("string", "identifier", "keyword") or not item.value.value:
            raise SqlError(INVALID_PARAMETER, f"property '{item.key}' must be a name")
        given[item.key] = item.value.value
    for key in KEYS:
        if key not in given:
            raise SqlError(MISSING_PARAMETER, f"property '{key}' is required")
    return given


def _done(stmt: ast.Statement, verb: str, name: str, sig: str, summary: str) -> Result:
    return artifacts(artifact_row("function", sig, f"{verb} FUNCTION", summary, [name]))


def _create(stmt: ast.CreateFunction, exe: Execution) -> Result:
    if stmt.language not in LANGUAGES:
        raise SqlError(INVALID_PARAMETER, "LANGUAGE must be one of " + ", ".join(LANGUAGES))
    options = _options(stmt)
    sig = signature(stmt.name, stmt.arguments)
    found = exe.db.execute(
        "SELECT 1 FROM functions WHERE name = ? AND arg_types = ?",
        (stmt.name, _types(stmt.arguments)),
    ).fetchone()
    if found is not None:
        raise already_exists(DUPLICATE, "function", sig)
    source = options["source.name"]
    state = function_sources.status(exe, source)
    if state is None:
        raise SqlError(SOURCE_NOT_READY, f"function_source {fqn(source)} does not exist")
    if state != function_sources.READY:
        raise SqlError(SOURCE_NOT_READY, f"function_source {fqn(source)} is not ready: {state}")
    exe.db.execute(
        f"INSERT INTO functions ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            stmt.name,
            _types(stmt.arguments),
            sig,
            stmt.returns,
            stmt.language,
            source,
            options["class.name"],
            exe.context.role,
            exe.now,
            exe.now,
        ),
    )
    return _done(stmt, "CREATE", stmt.name, sig, f"created function {sig}")


def _drop(stmt: ast.DropFunction, exe: Execution) -> Result:
    key = (stmt.name, _types(stmt.arguments))
    found = exe.db.execute(
        "SELECT signature FROM functions WHERE name = ? AND arg_types = ?", key
    ).fetchone()
    sig = signature(stmt.name, stmt.arguments)
    if found is None:
        raise SqlError(NOT_FOUND, f"function {sig} does not exist")
    exe.db.execute("DELETE FROM functions WHERE name = ? AND arg_types = ?", key)
    return _done(stmt, "DROP", stmt.name, found[0], f"dropped function {found[0]}")


def _all(exe: Execution) -> list[dict[str, str | None]]:
    rows = exe.db.execute(f"SELECT {COLUMNS} FROM functions ORDER BY signature")
    return [_shown(found) for found in rows.fetchall()]


_LISTED = {
    "Signature": "signature",
    "Type": "language",
    "SourceName": "source_name",
    "ClassName": "class_name",
    "EgressAllowURIs": None,
    "Properties": None,
    "Owner": "owner",
    "CreatedAt": "created_at",
    "UpdatedAt": "updated_at",
}


def _using(exe: Execution, key: ObjectKey) -> list[str]:
    rows = exe.db.execute(
        "SELECT signature FROM functions WHERE source_name = ? ORDER BY signature", key
    )
    return [sig for (sig,) in rows.fetchall()]


KIND = CatalogKind(
    name="function",
    schema=SCHEMA,
    requires=("function_source",),
    references=(Reference("function_source", _using, "functions still use it"),),
    statements={
        (ast.CreateFunction, None): _create,
        (ast.DropFunction, None): _drop,
    },
    lists={"functions": listing(_LISTED, _all, nullable=True)},
    system_tables=(
        SystemTable(
            "functions",
            (
                varchar("signature"),
                varchar("name"),
                varchar("returns"),
                varchar("language"),
                varchar("source_name"),
                varchar("class_name"),
                varchar("owner"),
                timestamp("created_at"),
                timestamp("updated_at"),
            ),
            _all,
        ),
    ),
)
