"""A stateful wrapper over an :class:`Engine` that carries the context between statements,
the way a client connection does (it adopts the context each response echoes).

Used by the engine's tests and handy in a REPL; the HTTP layer does not need it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from deltastream_local.engine.api import Engine, Outcome, SessionContext


class EngineSession:
    def __init__(self, engine: Engine, context: SessionContext | None = None) -> None:
        self.engine = engine
        self.context = context or SessionContext()

    def run(self, statement: str, attachments: Mapping[str, bytes] | None = None) -> Outcome:
        """Execute and adopt the returned context (as the GO driver does)."""
        outcome = self.engine.execute(statement, self.context, attachments or {})
        self.context = outcome.context
        return outcome

    def ok(self, statement: str, attachments: Mapping[str, bytes] | None = None) -> Outcome:
        """Execute and fail loudly unless it succeeded."""
        outcome = self.run(statement, attachments)
        if not outcome.ok:
            raise AssertionError(f"{statement!r} failed: {outcome.sql_state} {outcome.message}")
        return outcome

    def as_role(self, role: str) -> EngineSession:
        """A session sharing the engine with the same context but another role."""
        return EngineSession(self.engine, dataclasses.replace(self.context, role=role))

    def rows(self, statement: str) -> list[list[str | None]]:
        return self.ok(statement).rows
