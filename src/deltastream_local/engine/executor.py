"""``SqlEngine``: parse a statement (or batch), dispatch each statement to its catalog kind
inside one SQLite transaction, and turn every outcome, error or crash into an ``Outcome``.

``execute`` never raises: SQL errors become their sqlState; anything unexpected becomes
``XX000`` with a generic message (and is logged), so the HTTP layer can never answer 500.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping

from deltastream_local.engine import ast
from deltastream_local.engine.access import require_role
from deltastream_local.engine.api import Column, EngineOptions, Outcome, SessionContext
from deltastream_local.engine.catalog import Registry, default_registry, objects
from deltastream_local.engine.catalog.base import Execution, Services
from deltastream_local.engine.errors import (
    FEATURE_NOT_SUPPORTED,
    INTERNAL_ERROR,
    SYNTAX_ERROR,
    SqlError,
)
from deltastream_local.engine.parser import parse
from deltastream_local.engine.results import Result
from deltastream_local.engine.storage import Storage
from deltastream_local.engine.system_select import run as run_system_select

log = logging.getLogger(__name__)

SUCCESS = "00000"


class SqlEngine:
    """The engine behind ``create_engine``; thread-safe (one lock around the catalog)."""

    def __init__(self, data: str, options: EngineOptions, registry: Registry | None = None) -> None:
        self.options = options
        # the installed kinds; raises CatalogKindError (one line) for a broken one
        self._registry: Registry = default_registry() if registry is None else registry
        self._claimed = self._registry.keywords()
        self._storage = Storage(data)
        self._storage.initialize(self._registry.schema())
        self.services = Services(self._storage)
        # build and warm the parser (for the claimed object keywords) now
        parse('SELECT 1 FROM deltastream.sys."databases"', self._claimed)

    # -- Engine protocol

    @property
    def writes(self) -> int:
        return self._storage.writes

    def execute(
        self,
        statement: str,
        context: SessionContext,
        attachments: Mapping[str, bytes],
    ) -> Outcome:
        try:
            return self._execute_batch(statement, context, attachments)
        except Exception:
            log.exception("internal error while executing a statement")
            return Outcome(INTERNAL_ERROR, context, message="internal error")

    def close(self) -> None:
        self.services.close()
        self._storage.close()

    # -- internals

    def _execute_batch(
        self, text: str, context: SessionContext, attachments: Mapping[str, bytes]
    ) -> Outcome:
        try:
            statements = parse(text, self._claimed)
        except SqlError as error:
            return Outcome(error.sql_state, context, message=error.message)
        outcome = Outcome(SUCCESS, context)
        for statement in statements:
            outcome = self._execute_one(statement, context, attachments)
            if not outcome.ok:
                return outcome
            context = outcome.context
        return outcome

    def _execute_one(
        self, statement: ast.Statement, context: SessionContext, attachments: Mapping[str, bytes]
    ) -> Outcome:
        try:
            result, after_commit = self._run_in_transaction(statement, context, attachments)
        except SqlError as error:
            return Outcome(error.sql_state, context, message=error.message)
        except RecursionError:
            return Outcome(SYNTAX_ERROR, context, message="statement is nested too deeply")
        for action in after_commit:
            try:
                action()
            except Exception:
                log.exception("post-commit action failed")
        return Outcome(
            SUCCESS,
            result.context or context,
            columns=result.columns,
            rows=result.rows,
        )

    def _run_in_transaction(
        self, statement: ast.Statement, context: SessionContext, attachments: Mapping[str, bytes]
    ) -> tuple[Result, list[Callable[[], None]]]:
        require_role(context.role)
        # A DESCRIBE never leaves a trace, whichever kind answers it.
        dry_run = isinstance(statement, ast.DescribeStatement) or (
            isinstance(statement, ast.ObjectStatement) and statement.verb == "describe"
        )
        with self._storage.transaction(dry_run=dry_run) as db:
            execution = Execution(
                db=db,
                context=context,
                attachments=attachments,
                options=self.options,
                now=time.time(),
                catalog=self._registry,
                services=self.services,
            )
            self._registry.before_statement(execution)
            result = self.dispatch(statement, execution)
        return result, [] if dry_run else list(execution.after_commit)

    def dispatch(self, statement: ast.Statement, exe: Execution) -> Result:
        """Run one parsed statement (also used for the statements inside an application)."""
        if isinstance(statement, ast.Unsupported):
            raise SqlError(
                FEATURE_NOT_SUPPORTED, f"{statement.words} is not supported by deltastream-local"
            )
        if isinstance(statement, ast.ObjectStatement):
            family = self._registry.objects(statement.keyword)
            if family is None:
                raise objects.unsupported(statement)
            return objects.run(statement, exe, family)
        if isinstance(statement, ast.DescribeStatement):
            return self._describe_statement(statement, exe)
        if isinstance(statement, ast.SelectSystem):
            return run_system_select(statement, exe, self._registry)
        if isinstance(statement, ast.ListObjects):
            handler = self._registry.list_handler(statement.what)
            if handler is None:
                raise SqlError(
                    FEATURE_NOT_SUPPORTED,
                    f"LIST {statement.what.upper()} is not supported; supported: "
                    + ", ".join(name.upper() for name in self._registry.list_names()),
                )
            return handler(statement, exe)
        handler = self._registry.handler(statement)
        if handler is None:
            raise SqlError(
                FEATURE_NOT_SUPPORTED,
                f"{type(statement).__name__} statements are not supported by deltastream-local",
            )
        return handler(statement, exe)

    def _describe_statement(self, statement: ast.DescribeStatement, exe: Execution) -> Result:
        """``DESCRIBE <statement>``: the planner runs every check the statement would and
        returns its plan; it writes nothing (the transaction is read-only in effect)."""
        planner = self._registry.planner(statement.statement)
        if planner is None:
            raise SqlError(
                FEATURE_NOT_SUPPORTED,
                "DESCRIBE supports CREATE STREAM/CHANGELOG/TABLE/MATERIALIZED VIEW,"
                " INSERT INTO and BEGIN APPLICATION statements",
            )
        kind, plan = planner(statement.statement, exe)
        return Result(
            (Column("kind", "VARCHAR", False), Column("plan", "VARCHAR", False)),
            [[kind, json.dumps(plan, ensure_ascii=False, separators=(",", ":"))]],
        )
