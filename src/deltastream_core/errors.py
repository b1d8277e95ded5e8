"""The error tree every layer speaks. Adapters map their failures into it; plugins raise it.

::

    DeltaStreamError
    ├── ValidationError          bad input, found before anything is sent (lists every problem)
    ├── StatementError           the service refused a statement (sql_state, message)
    │   ├── NotFoundError        3D… "invalid <object>" codes: the object does not exist
    │   ├── ContextError         3D000/3D001/3D004: the context's user, role or org is unknown
    │   ├── AlreadyExistsError   42P04/42P05/42P06/42P017/42710: carries the `pulumi import` command
    │   ├── PermissionError_     42501 insufficient privilege
    │   └── DependentObjectsError 2BP01 dependent objects still exist
    ├── AuthenticationError      the API token was refused (HTTP 401/403)
    ├── TransientError           429/503/connection trouble; safe to retry (retry_after seconds)
    │   └── AmbiguousOutcomeError the request may have been applied (connection lost after send)
    ├── TimeoutError_            a wait for readiness or a request ran past its deadline
    ├── OperationCancelledError  the engine cancelled the operation (Cancel RPC, SIGTERM)
    ├── ObjectFailedError        the object reached a failed state (errored store/query)
    ├── IncompleteError          a write applied but the step could not finish (partial state)
    └── DuplicateQueryError      an identical query already runs outside the stack's records

Every message names the resource, the property or the object, and what to do about it.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs


class DeltaStreamError(Exception):
    """Base of every error this project raises on purpose."""


@attrs.frozen
class PropertyProblem:
    """One invalid input: the property path (camelCase, dotted) and why it is invalid."""

    property: str
    reason: str


class ValidationError(DeltaStreamError):
    """Inputs are invalid; nothing was sent. Carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[PropertyProblem], resource: str = "") -> None:
        self.problems = tuple(problems)
        self.resource = resource
        where = f"{resource}: " if resource else ""
        text = "; ".join(
            f"{p.property}: {p.reason}" if p.property else p.reason for p in self.problems
        )
        super().__init__(f"{where}{text}")


class StatementError(DeltaStreamError):
    """DeltaStream refused a statement; ``sql_state`` and the server's ``message`` are kept."""

    def __init__(
        self, sql_state: str, message: str, *, statement_id: str | None = None, hint: str = ""
    ) -> None:
        self.sql_state = sql_state
        self.server_message = message
        self.statement_id = statement_id
        self.hint = hint
        text = f"{message} (sqlState {sql_state})"
        if hint:
            text = f"{text}. {hint}"
        super().__init__(text)


class NotFoundError(StatementError):
    """The named object does not exist (sqlState class 3D)."""


class ContextError(StatementError):
    """The statement's context names a user, role or organization DeltaStream does not know
    (3D000, 3D001, 3D004). Never "the object is gone": a delete must not count it as done,
    nor a refresh drop the resource because of it."""

    def __init__(self, sql_state: str, message: str, *, statement_id: str | None = None) -> None:
        super().__init__(
            sql_state,
            message,
            statement_id=statement_id,
            hint="The statement ran as a user, role or organization DeltaStream does not know: "
            "check the provider's `organization` and `role` settings and the resource's "
            "`owner`.",
        )


class AlreadyExistsError(StatementError):
    """The object already exists; ``import_command`` adopts it into the stack, when known."""

    def __init__(
        self,
        sql_state: str,
        message: str,
        *,
        statement_id: str | None = None,
        import_command: str = "",
    ) -> None:
        hint = (
            f"To manage the existing object with Pulumi, adopt it: {import_command}"
            if import_command
            else "Choose another name, or import the existing object with `pulumi import`."
        )
        self.import_command = import_command
        super().__init__(sql_state, message, statement_id=statement_id, hint=hint)

    def adopt_with(self, import_command: str) -> AlreadyExistsError:
        """The same error, telling the user the exact command that adopts the object."""
        return AlreadyExistsError(
            self.sql_state,
            self.server_message,
            statement_id=self.statement_id,
            import_command=import_command,
        )


class PermissionError_(StatementError):  # trailing _ avoids shadowing the builtin
    """The role lacks a privilege (42501)."""

    def __init__(self, sql_state: str, message: str, *, statement_id: str | None = None) -> None:
        super().__init__(
            sql_state,
            message,
            statement_id=statement_id,
            hint="Set the provider's `role` (or the resource's `owner`) to a role that has "
            "this privilege, or grant it to the current role.",
        )


class DependentObjectsError(StatementError):
    """The object is still used by others (2BP01); the message names them."""


class AuthenticationError(DeltaStreamError):
    """The API token was refused."""


class TransientError(DeltaStreamError):
    """A failure worth retrying (rate limit, unavailable, connection refused before send)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class AmbiguousOutcomeError(TransientError):
    """The request was sent but no answer came: the statement may or may not have run."""


class TimeoutError_(DeltaStreamError):  # trailing _ avoids shadowing the builtin
    """A wait ran past its deadline; rerunning picks up where it stopped."""


class ObjectFailedError(DeltaStreamError):
    """An object reached a failed state (an errored store or query).

    When the object exists and was left in place (e.g. an UPDATE applied but the store did not
    become ready), pass its ``resource_id`` and ``outputs`` (the outputs model): the Pulumi
    adapter then reports a *partial failure*, so the engine records the object instead of
    forgetting it. Without them the step failed atomically (nothing is left behind).
    """

    def __init__(
        self, message: str, *, resource_id: str | None = None, outputs: object = None
    ) -> None:
        super().__init__(message)
        self.resource_id = resource_id
        self.outputs = outputs


class OperationCancelledError(DeltaStreamError):
    """The engine cancelled the operation (Cancel RPC, Ctrl-C, SIGTERM): waiting stopped.

    Raised by a cancellable clock's ``sleep``; a write already sent is never abandoned by it.
    """


class IncompleteError(DeltaStreamError):
    """A write applied, but the step could not finish (a wait timed out, kept failing
    transiently, or was cancelled): the object exists.

    The Pulumi adapter reports a *partial failure* carrying ``resource_id`` and ``outputs``
    (the outputs model), so the engine records the object; the next ``up`` calls Update,
    which finishes the step.
    """

    def __init__(self, message: str, *, resource_id: str, outputs: object) -> None:
        super().__init__(message)
        self.resource_id = resource_id
        self.outputs = outputs


class DuplicateQueryError(DeltaStreamError):
    """A query running the same statement into the same sink(s) already exists but is not in
    the stack (e.g. an ``up`` was killed after starting it); ``import_command`` adopts it."""

    def __init__(self, message: str, *, query_id: str, import_command: str) -> None:
        super().__init__(f"{message} To manage it with Pulumi, adopt it: {import_command}")
        self.query_id = query_id
        self.import_command = import_command


#: sqlState → the error class that represents it; anything else is a plain StatementError.
#: the request context's user, role or organization is unknown (not the object)
_CONTEXT = {"3D000", "3D001", "3D004"}
_NOT_FOUND = {
    "3D002", "3D003", "3D006", "3D007", "3D009", "3D010", "3D011", "3D016",
    "3D017", "3D018", "3D019", "3D020", "3D023",
}  # fmt: skip
_ALREADY_EXISTS = {
    "42710", "42P04", "42P05", "42P06", "42P07", "42P09", "42P011", "42P014", "42P015",
    "42P016", "42P017", "42P018", "42P019",
}  # fmt: skip


def error_for_sql_state(
    sql_state: str, message: str, *, statement_id: str | None = None
) -> StatementError:
    """Build the typed error for a SQL failure answered by DeltaStream."""
    if sql_state in _CONTEXT:
        return ContextError(sql_state, message, statement_id=statement_id)
    if sql_state in _NOT_FOUND:
        return NotFoundError(sql_state, message, statement_id=statement_id)
    if sql_state in _ALREADY_EXISTS:
        return AlreadyExistsError(sql_state, message, statement_id=statement_id)
    if sql_state == "42501":
        return PermissionError_(sql_state, message, statement_id=statement_id)
    if sql_state == "2BP01":
        return DependentObjectsError(sql_state, message, statement_id=statement_id)
    return StatementError(sql_state, message, statement_id=statement_id)
