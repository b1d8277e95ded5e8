"""Queries and applications: ``INSERT INTO … SELECT``, ``BEGIN APPLICATION … END APPLICATION``,
``TERMINATE/RESTART QUERY``, ``DESCRIBE QUERY [HISTORY]``, ``ALTER QUERY … OWNER TO``,
``LIST QUERIES``, ``deltastream.sys."queries"`` and the INSERT_INTO / APPLICATION plans.

No data flows: a query is a catalog row with a lifecycle computed from its timestamps:
``starting`` for ``query_start_delay`` seconds, then ``running`` (or ``errored`` when its SQL
contains ``fail_queries_matching``); TERMINATE makes it ``terminate_requested`` for the same
delay, then ``terminated``. A relation a live query reads or writes cannot be dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from deltastream_local.engine import ast
from deltastream_local.engine.access import require_role
from deltastream_local.engine.catalog import relation_plans
from deltastream_local.engine.catalog.base import (
    CatalogKind,
    Execution,
    ObjectKey,
    Reference,
    SystemTable,
)
from deltastream_local.engine.catalog.tables import databases, relations, schemas, stores
from deltastream_local.engine.catalog.tables.queries import (
    ERRORED,
    RUNNING,
    SCHEMA,
    TERMINATED,
    active_users,
    all_rows,
    artifact,
    fail_running_queries,
    failure,
    require,
    start,
)
from deltastream_local.engine.errors import INVALID_RELATION, SqlError, fqn
from deltastream_local.engine.results import (
    Result,
    artifacts,
    bigint,
    properties,
    timestamp,
    varchar,
)
from deltastream_local.engine.timestamps import format_timestamp

# ---- INSERT INTO -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InsertPlan:
    sink: relations.RelationInfo
    sources: tuple[relations.RelationInfo, ...]


def _plan_insert(scope: relations.Scope, stmt: ast.InsertInto) -> InsertPlan:
    sink = relations.lookup(scope, stmt.sink)
    sources: list[relations.RelationInfo] = []
    for source in stmt.query.sources:
        info = relations.lookup(scope, source.name)
        if info not in sources:
            sources.append(info)
    return InsertPlan(sink, tuple(sources))


def _insert(stmt: ast.InsertInto, exe: Execution) -> Result:
    plan = _plan_insert(relations.Scope(exe, exe.context), stmt)
    query_id = start(
        exe,
        kind="query",
        name=None,
        sql=stmt.text,
        sinks=[plan.sink],
        sources=list(plan.sources),
        properties=ast.Properties(
            tuple(item for source in stmt.query.sources for item in source.properties.items)
        ),
    )
    return artifacts(artifact(query_id, "INSERT INTO"))


def _describe_insert(stmt: ast.InsertInto, exe: Execution) -> tuple[str, dict[str, Any]]:
    plan = _plan_insert(relations.Scope(exe, exe.context), stmt)
    return "INSERT_INTO", {
        "sink": plan.sink.plan_json(),
        "sources": [source.plan_json() for source in plan.sources],
    }


# ---- applications ----------------------------------------------------------------------------


@dataclass
class ApplicationPlan:
    creates: list[relation_plans.CreatePlan] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    sources: list[relations.RelationInfo] = field(default_factory=list)
    sinks: list[relations.RelationInfo] = field(default_factory=list)

    def add_source(self, info: relations.RelationInfo, created: set[relations.RelationId]) -> None:
        if not info.is_virtual and info.id not in created and info not in self.sources:
            self.sources.append(info)

    def add_sink(self, info: relations.RelationInfo) -> None:
        if not info.is_virtual and info not in self.sinks:
            self.sinks.append(info)


def _plan_application(exe: Execution, stmt: ast.Application) -> ApplicationPlan:
    scope = relations.Scope(exe, exe.context)
    plan = ApplicationPlan()
    created: set[relations.RelationId] = set()
    for inner in stmt.statements:
        plan.statements.append(inner.text)
        if isinstance(inner, ast.Use):
            scope.context = _use_inside(scope, inner)
        elif isinstance(inner, ast.CreateRelation | ast.CreateRelationAs):
            create = relation_plans.plan_create(scope, inner)
            plan.creates.append(create)
            scope.pending[create.relation.id] = create.relation
            created.add(create.relation.id)
            if isinstance(inner, ast.CreateRelationAs):
                for source in create.sources:
                    plan.add_source(source, created)
                plan.add_sink(create.relation)
        elif isinstance(inner, ast.InsertInto):
            insert = _plan_insert(scope, inner)
            for source in insert.sources:
                plan.add_source(source, created)
            plan.add_sink(insert.sink)
    return plan


def _use_inside(scope: relations.Scope, stmt: ast.Use) -> Any:
    """``USE`` inside an application changes the context of the statements after it."""
    exe = relations.with_context(scope)
    if stmt.kind == "database":
        name = databases.require(exe, stmt.name.parts[-1])
        return replace(scope.context, database=name, schema=databases.DEFAULT_SCHEMA)
    if stmt.kind == "schema":
        database, name = schemas.require(exe, *schemas.resolve(exe, stmt.name))
        return replace(scope.context, database=database, schema=name)
    return replace(scope.context, store=stores.require(exe, stmt.name.parts[-1]).name)


def _application(stmt: ast.Application, exe: Execution) -> Result:
    plan = _plan_application(exe, stmt)
    rows = []
    for create in plan.creates:
        if not create.relation.is_virtual:
            relation_plans.apply_create(exe, create)
        rows.append(relation_plans.creation_row(create.relation))
    query_id = start(
        exe,
        kind="application",
        name=stmt.name,
        sql=stmt.text,
        sinks=plan.sinks,
        sources=plan.sources,
        properties=stmt.properties,
    )
    summary = f"started application {fqn(stmt.name)} as query {query_id}"
    # The query row comes first: TF reads only the first row for the id.
    return artifacts(artifact(query_id, "APPLICATION", summary), *rows)


def _describe_application(stmt: ast.Application, exe: Execution) -> tuple[str, dict[str, Any]]:
    plan = _plan_application(exe, stmt)
    return "APPLICATION", {
        "ddls": [create.relation.plan_json(with_virtual=True) for create in plan.creates],
        "statements": plan.statements,
        "sources": [source.plan_json(with_virtual=True) for source in plan.sources],
        "sinks": [sink.plan_json(with_virtual=True) for sink in plan.sinks],
    }


# ---- lifecycle statements --------------------------------------------------------------------


def _terminate(stmt: ast.TerminateQuery, exe: Execution) -> Result:
    query = require(exe, stmt.query_id)
    if query.terminate_requested_at is None:
        exe.db.execute(
            "UPDATE queries SET intended_state = ?, terminate_requested_at = ?, updated_at = ?"
            " WHERE id = ?",
            (TERMINATED, exe.now, exe.now, query.id),
        )
    return artifacts(artifact(query.id, "TERMINATE QUERY", f"terminating query {query.id}"))


def _restart(stmt: ast.RestartQuery, exe: Execution) -> Result:
    query = require(exe, stmt.query_id)
    links = exe.db.execute(
        "SELECT database_name, schema_name, name FROM query_relations WHERE query_id = ?",
        (query.id,),
    ).fetchall()
    for link in links:
        if relations.find(exe, tuple(link)) is None:
            raise SqlError(
                INVALID_RELATION,
                f"cannot restart query {query.id}: relation {fqn(*link)} does not exist",
            )
    exe.db.execute(
        "UPDATE queries SET version = version + 1, intended_state = ?, updated_at = ?,"
        " running_at = ?, terminate_requested_at = NULL, error_message = ? WHERE id = ?",
        (
            RUNNING,
            exe.now,
            exe.now + exe.options.query_start_delay,
            failure(exe, query.sql),
            query.id,
        ),
    )
    return artifacts(artifact(query.id, "RESTART QUERY", f"restarted query {query.id}"))


def _alter_owner(stmt: ast.AlterQueryOwner, exe: Execution) -> Result:
    query = require(exe, stmt.query_id)
    role = require_role(stmt.role)
    exe.db.execute(
        "UPDATE queries SET owner = ?, updated_at = ? WHERE id = ?", (role, exe.now, query.id)
    )
    return artifacts(
        artifact(query.id, "ALTER QUERY", f"changed owner of query {query.id} to {role}")
    )


def _relations_of(exe: Execution, query_id: str, role: str) -> list[str]:
    rows = exe.db.execute(
        "SELECT database_name, schema_name, name FROM query_relations"
        " WHERE query_id = ? AND role = ?",
        (query_id, role),
    ).fetchall()
    return [fqn(*row) for row in rows]


def _describe(stmt: ast.DescribeQuery, exe: Execution) -> Result:
    query = require(exe, stmt.query_id)
    state = query.state(exe.now, exe.options.query_start_delay)
    error = query.error_message if state == ERRORED else None
    if stmt.history:
        columns = (
            bigint("version"),
            varchar("state"),
            varchar("messages", nullable=True),
            timestamp("created_at"),
            timestamp("updated_at"),
        )
        return Result(
            columns,
            [
                [
                    str(query.version),
                    state,
                    error,
                    format_timestamp(query.created_at),
                    format_timestamp(query.updated_at),
                ]
            ],
        )
    return properties(
        [
            ("id", query.id),
            ("name", query.name),
            ("type", query.kind),
            ("version", str(query.version)),
            ("intended_state", query.intended_state),
            ("state", state),
            ("error", error),
            ("owner", query.owner),
            ("sql", query.sql),
            ("sinks", json.dumps(_relations_of(exe, query.id, "sink"), ensure_ascii=False)),
            ("sources", json.dumps(_relations_of(exe, query.id, "source"), ensure_ascii=False)),
            ("created_at", format_timestamp(query.created_at)),
            ("updated_at", format_timestamp(query.updated_at)),
        ]
    )


def _list(stmt: ast.ListObjects, exe: Execution) -> Result:
    columns = (
        varchar("ID"),
        varchar("Name", nullable=True),
        bigint("Version"),
        varchar("IntendedState"),
        varchar("ActualState"),
        varchar("Query"),
        varchar("Owner"),
        timestamp("CreatedAt"),
        timestamp("UpdatedAt"),
    )
    delay = exe.options.query_start_delay
    return Result(
        columns,
        [
            [
                query.id,
                query.name,
                str(query.version),
                query.intended_state,
                query.state(exe.now, delay),
                query.sql,
                query.owner,
                format_timestamp(query.created_at),
                format_timestamp(query.updated_at),
            ]
            for query in all_rows(exe)
        ],
    )


def _system_rows(exe: Execution) -> list[dict[str, str | None]]:
    delay = exe.options.query_start_delay
    rows = []
    for query in all_rows(exe):
        state = query.state(exe.now, delay)
        rows.append(
            {
                "id": query.id,
                "name": query.name,
                "version": str(query.version),
                "intended_state": query.intended_state,
                "current_state": state,
                "error_message": query.error_message if state == ERRORED else None,
                "owner": query.owner,
                "created_at": format_timestamp(query.created_at),
                "updated_at": format_timestamp(query.updated_at),
            }
        )
    return rows


def _users_of(exe: Execution, relation: ObjectKey) -> list[str]:
    return active_users(exe, (relation[0], relation[1], relation[2]))


KIND = CatalogKind(
    name="query",
    schema=SCHEMA,
    requires=("database", "schema", "store", "relation"),
    # a relation a live query reads or writes cannot be dropped
    references=(Reference("relation", _users_of, "queries still use it", shown=None),),
    before_statement=fail_running_queries,
    statements={
        (ast.InsertInto, None): _insert,
        (ast.Application, None): _application,
        (ast.TerminateQuery, None): _terminate,
        (ast.RestartQuery, None): _restart,
        (ast.DescribeQuery, None): _describe,
        (ast.AlterQueryOwner, None): _alter_owner,
    },
    planners={
        (ast.InsertInto, None): _describe_insert,
        (ast.Application, None): _describe_application,
    },
    lists={"queries": _list},
    system_tables=(
        SystemTable(
            "queries",
            (
                varchar("id"),
                varchar("name", nullable=True),
                bigint("version", nullable=True),
                varchar("intended_state"),
                varchar("current_state"),
                varchar("error_message", nullable=True),
                varchar("owner"),
                timestamp("created_at"),
                timestamp("updated_at"),
            ),
            _system_rows,
        ),
    ),
)
