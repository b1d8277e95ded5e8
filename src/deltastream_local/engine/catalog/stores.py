"""Stores: ``CREATE/UPDATE/DROP STORE``, ``ALTER STORE … OWNER TO``, ``USE STORE``,
``DESCRIBE STORE``, ``LIST STORES`` and ``deltastream.sys."stores"``.

Lifecycle: a new or updated store is ``pending`` for ``store_ready_delay`` seconds, then
``ready``; with ``verify_store_connectivity`` it is ``ready`` only once a TCP connection to every
URI succeeded, else ``errored`` with a ``status_message``. The status is computed when read,
from stored timestamps and the probe's recorded result.

Secrets: every property (passwords and keys included) and every attachment's bytes are kept
so UPDATE can merge, but only whitelisted, non-secret keys are ever shown.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

from deltastream_local.engine import ast
from deltastream_local.engine.access import require_can_create, require_role
from deltastream_local.engine.catalog.base import (
    CatalogKind,
    Execution,
    Reference,
    Services,
    SystemTable,
)
from deltastream_local.engine.catalog.references import drop_dependents
from deltastream_local.engine.catalog.tables.stores import (
    COLUMNS,
    SCHEMA,
    Props,
    StoreRow,
    all_rows,
    encode,
    find,
    require,
)
from deltastream_local.engine.connectivity import UriError, parse_uris
from deltastream_local.engine.errors import (
    DUPLICATE_STORE,
    INVALID_PARAMETER,
    INVALID_STORE,
    SqlError,
    already_exists,
    fqn,
    not_found,
)
from deltastream_local.engine.results import (
    Result,
    artifact_row,
    artifacts,
    bool_text,
    boolean,
    timestamp,
    varchar,
)
from deltastream_local.engine.store_types import (
    SCHEMA_REGISTRY_KEY,
    StoreType,
    flag,
    is_attachment_key,
    store_type,
    validate,
)
from deltastream_local.engine.timestamps import format_timestamp

# ---- attachments and connectivity ---------------------------------------------------------------


def _attachments_for(
    props: Mapping[str, ast.PropertyValue], exe: Execution
) -> list[tuple[str, str, bytes]]:
    """(property, filename, bytes) for every attachment-valued key in ``props``."""
    found = []
    for key, value in props.items():
        if not is_attachment_key(key) or value.value is None:
            continue
        filename = value.value
        if filename not in exe.attachments:
            raise SqlError(
                INVALID_PARAMETER,
                f"attachment {filename!r} named by property '{key}' was not uploaded"
                " with the statement",
            )
        found.append((key, filename, exe.attachments[filename]))
    return found


def _save_attachments(exe: Execution, store: str, items: list[tuple[str, str, bytes]]) -> None:
    exe.db.executemany(
        "INSERT OR REPLACE INTO store_attachments (store_name, property, filename, content)"
        " VALUES (?, ?, ?, ?)",
        [(store, key, filename, content) for key, filename, content in items],
    )


def _initial_probe(exe: Execution, kind: StoreType, uris: str) -> tuple[str | None, str | None]:
    """(probe_state, status_message) for a store just created or updated."""
    if not exe.options.verify_store_connectivity:
        return None, None
    try:
        parse_uris(uris, kind.default_port)
    except UriError as error:
        return "failed", f"invalid 'uris': {error}"
    return "running", None


def _schedule_probe(exe: Execution, name: str, generation: int, kind: StoreType, uris: str) -> None:
    services = exe.services
    if services is None:
        return
    endpoints = parse_uris(uris, kind.default_port)
    timeout = exe.options.store_connect_timeout

    def record(failure: str | None) -> None:
        _record_probe(services, name, generation, failure)

    exe.after_commit.append(lambda: services.prober.start(endpoints, timeout, record))


def _record_probe(services: Services, name: str, generation: int, failure: str | None) -> None:
    if services.storage.closed:
        return
    with services.storage.transaction() as db:
        # Only if the store is still the one probed (not updated or recreated meanwhile).
        db.execute(
            "UPDATE stores SET probe_state = ?, status_message = ?"
            " WHERE name = ? AND generation = ? AND probe_state = 'running'",
            ("failed" if failure else "ok", failure, name, generation),
        )


# ---- statements -------------------------------------------------------------------------------


def _create(stmt: ast.CreateStore, exe: Execution) -> Result:
    require_can_create(exe.context.role, "store")
    if find(exe, stmt.name) is not None:
        raise already_exists(DUPLICATE_STORE, "store", stmt.name)
    props: Props = {}
    for item in stmt.properties.items:
        if item.value.kind == "null":
            raise SqlError(INVALID_PARAMETER, f"property '{item.key}' cannot be NULL")
        props[item.key] = item.value
    kind = store_type(props)
    validate(kind, props)
    files = _attachments_for(props, exe)
    uris = props["uris"].value or ""
    probe_state, message = _initial_probe(exe, kind, uris)
    generation = 1
    exe.db.execute(
        f"INSERT INTO stores ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            stmt.name,
            kind.keyword,
            exe.context.role,
            encode(props),
            exe.now,
            exe.now,
            exe.now + exe.options.store_ready_delay,
            generation,
            probe_state,
            message,
        ),
    )
    _save_attachments(exe, stmt.name, files)
    if probe_state == "running":
        _schedule_probe(exe, stmt.name, generation, kind, uris)
    return artifacts(
        artifact_row(
            "store", stmt.name, "CREATE STORE", f"created store {fqn(stmt.name)}", [stmt.name]
        )
    )


def _update(stmt: ast.UpdateStore, exe: Execution) -> Result:
    store = require(exe, stmt.name)
    props = dict(store.properties)
    changed: Props = {}
    for item in stmt.properties.items:
        if item.key == "type":
            if (item.value.value or "").upper() != store.type.keyword:
                raise SqlError(INVALID_PARAMETER, "property 'type' of a store cannot be changed")
            continue
        if item.value.kind == "null":
            props.pop(item.key, None)
        else:
            props[item.key] = item.value
            changed[item.key] = item.value
    validate(store.type, props)
    files = _attachments_for(changed, exe)
    removed = [key for key in store.properties if key not in props and is_attachment_key(key)]
    exe.db.executemany(
        "DELETE FROM store_attachments WHERE store_name = ? AND property = ?",
        [(stmt.name, key) for key in removed],
    )
    _save_attachments(exe, stmt.name, files)
    uris = props["uris"].value or ""
    probe_state, message = _initial_probe(exe, store.type, uris)
    generation = store.generation + 1
    exe.db.execute(
        "UPDATE stores SET properties = ?, updated_at = ?, ready_at = ?, generation = ?,"
        " probe_state = ?, status_message = ? WHERE name = ?",
        (
            encode(props),
            exe.now,
            exe.now + exe.options.store_ready_delay,
            generation,
            probe_state,
            message,
            stmt.name,
        ),
    )
    if probe_state == "running":
        _schedule_probe(exe, stmt.name, generation, store.type, uris)
    return artifacts(
        artifact_row(
            "store", stmt.name, "UPDATE STORE", f"updated store {fqn(stmt.name)}", [stmt.name]
        )
    )


def _drop(stmt: ast.DropStore, exe: Execution) -> Result:
    require(exe, stmt.name)
    drop_dependents(exe, "store", (stmt.name,), f"store {fqn(stmt.name)}")
    exe.db.execute("DELETE FROM store_attachments WHERE store_name = ?", (stmt.name,))
    exe.db.execute("DELETE FROM stores WHERE name = ?", (stmt.name,))
    return artifacts(
        artifact_row(
            "store", stmt.name, "DROP STORE", f"dropped store {fqn(stmt.name)}", [stmt.name]
        )
    )


def _single(name: ast.QualifiedName) -> str:
    if len(name.parts) != 1:
        raise not_found(INVALID_STORE, "store", *name.parts)
    return name.parts[0]


def _alter_owner(stmt: ast.AlterOwner, exe: Execution) -> Result:
    name = require(exe, _single(stmt.name)).name
    role = require_role(stmt.role)
    exe.db.execute(
        "UPDATE stores SET owner = ?, updated_at = ? WHERE name = ?", (role, exe.now, name)
    )
    return artifacts(
        artifact_row(
            "store", name, "ALTER STORE", f"changed owner of store {fqn(name)} to {role}", [name]
        )
    )


def _use(stmt: ast.Use, exe: Execution) -> Result:
    name = require(exe, _single(stmt.name)).name
    return artifacts(
        artifact_row("store", name, "USE STORE", f"using store {fqn(name)}", [name]),
        context=dataclasses.replace(exe.context, store=name),
    )


# ---- reading ----------------------------------------------------------------------------------


def _masked_uris(uris: str) -> str:
    """The uris with any ``user:password@`` userinfo removed (it may carry a secret)."""
    entries = []
    for entry in uris.split(","):
        # Entries without userinfo are returned byte for byte.
        if "://" in entry:
            try:
                parts = urlsplit(entry.strip())
            except ValueError:
                parts = None
            if parts is not None and "@" in parts.netloc:
                host = parts.netloc.rsplit("@", 1)[-1]
                entry = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
        entries.append(entry)
    return ",".join(entries)


def _details(store: StoreRow) -> str:
    shown = {}
    for key in store.type.details:
        value = store.properties.get(key)
        if value is not None and value.value is not None:
            short = key.split(".", 1)[1] if "." in key else key
            shown[short.replace(".", "_")] = value.value
    return json.dumps(shown, ensure_ascii=False, separators=(",", ":"))


def _describe(stmt: ast.DescribeStore, exe: Execution) -> Result:
    store = require(exe, stmt.name)
    status, message = store.status(exe.now)
    metadata = {
        "name": store.name,
        "type": store.type.display,
        "status": status,
        "status_message": message,
        "owner": store.owner,
        "created_at": format_timestamp(store.created_at),
        "updated_at": format_timestamp(store.updated_at),
    }
    registry = store.properties.get(SCHEMA_REGISTRY_KEY)
    columns = (
        varchar("metadata"),
        varchar("uris"),
        varchar("details"),
        boolean("tls_enabled"),
        boolean("verify_server_hostname"),
        varchar("schema_registry_name", nullable=True),
        varchar("path"),
    )
    row: list[str | None] = [
        json.dumps(metadata, ensure_ascii=False, separators=(",", ":")),
        _masked_uris(store.uris),
        _details(store),
        bool_text(not flag(store.properties, "tls.disabled", False)),
        bool_text(flag(store.properties, "tls.verify_server_hostname", True)),
        registry.value if registry is not None else None,
        json.dumps([store.name], ensure_ascii=False, separators=(",", ":")),
    ]
    return Result(columns, [row])


def _list(stmt: ast.ListObjects, exe: Execution) -> Result:
    columns = (
        varchar("Name"),
        varchar("Type"),
        varchar("State"),
        varchar("Message", nullable=True),
        boolean("IsDefault"),
        varchar("Owner"),
        timestamp("CreatedAt"),
        timestamp("UpdatedAt"),
        varchar("Path"),
    )
    rows: list[list[str | None]] = []
    for store in all_rows(exe):
        status, message = store.status(exe.now)
        rows.append(
            [
                store.name,
                store.type.display,
                status,
                message,
                bool_text(store.name == exe.context.store),
                store.owner,
                format_timestamp(store.created_at),
                format_timestamp(store.updated_at),
                json.dumps([store.name], ensure_ascii=False, separators=(",", ":")),
            ]
        )
    return Result(columns, rows)


def _system_rows(exe: Execution) -> list[dict[str, str | None]]:
    rows = []
    for store in all_rows(exe):
        status, message = store.status(exe.now)
        rows.append(
            {
                "name": store.name,
                "type": store.type.display,
                "status": status,
                "status_message": message,
                "owner": store.owner,
                "created_at": format_timestamp(store.created_at),
                "updated_at": format_timestamp(store.updated_at),
            }
        )
    return rows


def _naming_registry(exe: Execution, key: tuple[str, ...]) -> list[str]:
    """The stores whose ``schema_registry.name`` is the registry ``key`` (a drop refuses)."""
    return [
        fqn(store.name)
        for store in all_rows(exe)
        if (registry := store.properties.get(SCHEMA_REGISTRY_KEY)) is not None
        and registry.value == key[0]
    ]


KIND = CatalogKind(
    name="store",
    schema=SCHEMA,
    # a registry a store names cannot be dropped (its existence is not checked at create)
    references=(Reference("schema_registry", _naming_registry, "stores still use it"),),
    statements={
        (ast.CreateStore, None): _create,
        (ast.UpdateStore, None): _update,
        (ast.DropStore, None): _drop,
        (ast.DescribeStore, None): _describe,
        (ast.AlterOwner, "store"): _alter_owner,
        (ast.Use, "store"): _use,
    },
    lists={"stores": _list},
    system_tables=(
        SystemTable(
            "stores",
            (
                varchar("name"),
                varchar("type"),
                varchar("status"),
                varchar("status_message", nullable=True),
                varchar("owner"),
                timestamp("created_at"),
                timestamp("updated_at"),
            ),
            _system_rows,
        ),
    ),
)
