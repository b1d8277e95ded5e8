"""Planning a relation's CREATE (every check, no write) and applying the plan: shared by
``CREATE STREAM|CHANGELOG|TABLE|MATERIALIZED VIEW`` and the applications that create relations.

DESCRIBE shows the plan, so a bad statement fails under DESCRIBE exactly as it would when run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from deltastream_local.engine import ast
from deltastream_local.engine.catalog.base import Execution
from deltastream_local.engine.catalog.tables import schemas, stores
from deltastream_local.engine.catalog.tables.relations import (
    COLUMNS,
    KIND_WORDS,
    VIRTUAL_DATABASE,
    VIRTUAL_SCHEMA,
    RelationId,
    RelationInfo,
    Scope,
    find,
    lookup,
    resolve_id,
    with_context,
)
from deltastream_local.engine.errors import (
    DUPLICATE_RELATION,
    INVALID_PARAMETER,
    INVALID_RELATION,
    INVALID_STORE,
    MISSING_PARAMETER,
    SqlError,
    already_exists,
    fqn,
)
from deltastream_local.engine.results import artifact_row


@dataclass(frozen=True)
class CreatePlan:
    relation: RelationInfo
    properties: ast.Properties
    columns: tuple[ast.ColumnDef, ...] = ()
    primary_key: tuple[str, ...] = ()
    sql: str = ""
    #: for CREATE … AS SELECT: the relations the query reads
    sources: tuple[RelationInfo, ...] = ()
    query_sql: str | None = None


def _property_text(props: ast.Properties, key: str) -> str | None:
    value = props.get(key)
    if value is None or value.value is None:
        return None
    return value.value


def _store_for(scope: Scope, props: ast.Properties, fallback: str | None) -> str:
    store = _property_text(props, "store") or scope.context.store or fallback
    if not store:
        raise SqlError(
            INVALID_STORE,
            "no store is set: give 'store' in WITH (...) or set a store in the context",
        )
    stores.require(scope.exe, store)
    return store


def plan_create(scope: Scope, stmt: ast.CreateRelation | ast.CreateRelationAs) -> CreatePlan:
    """Every check CREATE makes, without writing anything."""
    if isinstance(stmt, ast.CreateRelationAs) and stmt.virtual:
        return _plan_virtual(scope, stmt)
    relation = resolve_id(scope, stmt.name)
    schemas.require(with_context(scope), relation[0], relation[1])
    if relation in scope.pending or find(scope.exe, relation) is not None:
        raise already_exists(DUPLICATE_RELATION, "relation", *relation)
    if isinstance(stmt, ast.CreateRelation):
        if stmt.kind == "changelog" and not stmt.primary_key:
            raise SqlError(MISSING_PARAMETER, "a CHANGELOG needs a PRIMARY KEY")
        _check_relation_properties(stmt.properties)
        store = _store_for(scope, stmt.properties, None)
        info = RelationInfo(*relation, stmt.kind, store)
        return CreatePlan(info, stmt.properties, stmt.columns, stmt.primary_key, stmt.text)
    sources = _plan_sources(scope, stmt.query)
    _check_relation_properties(stmt.properties)
    physical = [source for source in sources if not source.is_virtual]
    store = _store_for(scope, stmt.properties, physical[0].store if physical else None)
    info = RelationInfo(*relation, stmt.kind, store)
    return CreatePlan(info, stmt.properties, sql=stmt.text, sources=sources, query_sql=stmt.text)


def _plan_virtual(scope: Scope, stmt: ast.CreateRelationAs) -> CreatePlan:
    parts = stmt.name.parts
    if len(parts) == 1:
        relation: RelationId = (VIRTUAL_DATABASE, VIRTUAL_SCHEMA, parts[0])
    elif len(parts) == 3 and parts[0] == VIRTUAL_DATABASE:
        relation = (parts[0], parts[1], parts[2])
    else:
        raise SqlError(
            INVALID_RELATION,
            f"virtual relation {fqn(*parts)} must be named virtual.<schema>.<name>",
        )
    if relation in scope.pending:
        raise already_exists(DUPLICATE_RELATION, "relation", *relation)
    sources = _plan_sources(scope, stmt.query)
    store = _property_text(stmt.properties, "store") or scope.context.store
    if store is not None:
        stores.require(scope.exe, store)
    info = RelationInfo(*relation, stmt.kind, store, is_virtual=True)
    return CreatePlan(info, stmt.properties, sql=stmt.text, sources=sources, query_sql=stmt.text)


def _plan_sources(scope: Scope, query: ast.StreamSelect) -> tuple[RelationInfo, ...]:
    found: list[RelationInfo] = []
    for source in query.sources:
        info = lookup(scope, source.name)
        if info not in found:
            found.append(info)
    return tuple(found)


def _check_relation_properties(props: ast.Properties) -> None:
    for key in ("store", "topic"):
        value = props.get(key)
        if value is not None and value.kind in ("null", "boolean", "number"):
            raise SqlError(INVALID_PARAMETER, f"property '{key}' must be a name")


def apply_create(exe: Execution, plan: CreatePlan) -> None:
    info = plan.relation
    stored_props = {item.key: [item.value.kind, item.value.value] for item in plan.properties.items}
    if info.store is not None and "topic" not in stored_props and info.type != "table":
        stored_props["topic"] = ["string", info.name]  # the service defaults the topic name
    columns = [
        {"name": column.name, "type": column.type, "nullable": not column.not_null}
        for column in plan.columns
    ]
    exe.db.execute(
        f"INSERT INTO relations ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            *info.id,
            info.type,
            exe.context.role,
            info.store,
            json.dumps(stored_props, ensure_ascii=False),
            json.dumps(columns, ensure_ascii=False),
            json.dumps(list(plan.primary_key)) if plan.primary_key else None,
            plan.sql,
            exe.now,
            exe.now,
            exe.now + exe.options.relation_ready_delay,
        ),
    )


def creation_row(info: RelationInfo) -> list[str | None]:
    word = KIND_WORDS.get(info.type, info.type.upper())
    if info.is_virtual:
        return artifact_row(
            info.type,
            info.name,
            f"CREATE VIRTUAL {word}",
            f"planned virtual {word.lower()} {fqn(*info.id)}",
            list(info.id),
        )
    return artifact_row(
        info.type,
        info.name,
        f"CREATE {word}",
        f"created {word.lower()} {fqn(*info.id)}",
        list(info.id),
    )
