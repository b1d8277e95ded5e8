"""Lifecycle ports every plugin implements: :class:`ResourceKind` and :class:`Function`.

The vocabulary mirrors Pulumi's provider protocol (check, diff, create, read, update, delete,
invoke) but nothing here imports pulumi: the Pulumi adapter translates wire values into plain
Python (camelCase dicts, :data:`~deltastream_core.unknown.UNKNOWN` for unknowns,
:class:`~deltastream_core.secrets.Secret` for secrets) and back.
"""

from __future__ import annotations

import abc
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

import attrs
import cattrs

from deltastream_core.diff import DiffResult, diff_inputs
from deltastream_core.errors import PropertyProblem, ValidationError
from deltastream_core.model import (
    converter,
    input_fields,
    is_model,
    is_required_input,
    meta_of,
    resolved_type,
    strip_optional,
    structure,
    unstructure,
    wire_name,
)
from deltastream_core.ports import Clock, EngineLog, StatementContext, StatementRunner
from deltastream_core.unknown import UNKNOWN, is_known

A = TypeVar("A")  # inputs model
S = TypeVar("S")  # outputs (state) model
R = TypeVar("R")  # function result model

#: A Check failure: the property path (camelCase, dotted; "" for the resource) and the reason.
CheckFailure = PropertyProblem


@attrs.frozen
class OperationContext:
    """Everything a lifecycle step may use; nothing global.

    ``runner`` is None only when the provider is not configured (schema-only process, or
    preview with unknown provider config): steps that need DeltaStream must not run then.
    """

    runner: StatementRunner | None
    base: StatementContext
    log: EngineLog
    clock: Clock
    #: the engine's timeout for this step in seconds (customTimeouts), None = kind default
    timeout: float | None = None
    #: the resource's name in the Pulumi program (for messages and import commands)
    resource_name: str = ""
    preview: bool = False
    #: the resource's URN (for suggested commands such as ``pulumi up --replace``)
    urn: str = ""
    #: in Check: the input paths (``("postgres", "uris")``) the program itself marked secret
    secret_inputs: frozenset[tuple[str | int, ...]] = frozenset()

    def require_runner(self) -> StatementRunner:
        if self.runner is None:
            raise RuntimeError("the provider is not configured; DeltaStream cannot be reached")
        return self.runner

    def as_role(self, role: str | None) -> StatementContext:
        """The base context, executing as ``role`` when one is given (ownership)."""
        return self.base.with_(role=role) if role else self.base


@attrs.frozen
class CheckResult:
    inputs: Mapping[str, Any]
    failures: tuple[CheckFailure, ...] = ()


@attrs.frozen
class ReadResult(Generic[A, S]):
    """What exists: the id, the live outputs, and inputs that reproduce them (for import)."""

    resource_id: str
    outputs: S
    inputs: A


def _model_items(tp: Any) -> type | None:
    """The model of a ``list[Model]`` annotation, else None."""
    if typing.get_origin(tp) is not list:
        return None
    args = typing.get_args(tp)
    return args[0] if args and is_model(args[0]) else None


def _field_problems(model: type, values: Mapping[str, Any], prefix: str) -> list[CheckFailure]:
    problems: list[CheckFailure] = []
    for field in input_fields(model):
        meta = meta_of(field)
        key = wire_name(field)
        path = f"{prefix}{key}"
        value = values.get(key)
        if value is UNKNOWN:
            continue  # never fail because a value is not known yet
        if value is None or value == "":
            if is_required_input(field):
                problems.append(CheckFailure(path, "is required"))
            continue
        inner, _ = strip_optional(resolved_type(model, field))
        if is_model(inner):
            if isinstance(value, Mapping):
                problems.extend(_field_problems(inner, value, f"{path}."))
            else:
                problems.append(CheckFailure(path, "must be an object"))
            continue
        item = _model_items(inner)
        if item is not None and isinstance(value, list):
            # a list of blocks (a function's arguments): each block's rules, by index
            for i, element in enumerate(value):
                if isinstance(element, Mapping):
                    problems.extend(_field_problems(item, element, f"{path}[{i}]."))
                elif element is not UNKNOWN:
                    problems.append(CheckFailure(f"{path}[{i}]", "must be an object"))
            continue
        if not is_known(value):
            continue
        try:
            typed = converter().structure(value, inner)
        except (cattrs.BaseValidationError, TypeError, ValueError) as exc:
            reason = exc.args[0] if exc.args else str(exc)
            if isinstance(exc, cattrs.BaseValidationError) and exc.exceptions:
                reason = str(exc.exceptions[0])
            problems.append(CheckFailure(path, str(reason)))
            continue
        if meta.check is not None:
            why = meta.check(typed)
            if why:
                problems.append(CheckFailure(path, why))
    return problems


class ResourceKind(abc.ABC, Generic[A, S]):
    """One kind of DeltaStream object managed by Pulumi (a database, a store, a query…).

    Declare ``token``, ``description``, ``inputs`` and ``outputs`` (attrs models built with
    :func:`~deltastream_core.model.prop`/:func:`~deltastream_core.model.output`; ``outputs``
    repeats every input). The schema, Check's type/required/name validation and the diff are
    derived from that metadata; override :meth:`validate` for cross-field rules and
    :meth:`check` for checks that need DeltaStream (e.g. DESCRIBE).

    Preview: the Pulumi adapter never calls :meth:`create`/:meth:`update` in preview; it uses
    :meth:`preview_outputs`, which must not touch DeltaStream.
    """

    #: ``deltastream:index:<Name>`` (PascalCase); anything else is refused at registration
    token: ClassVar[str]
    #: shown in the schema and every SDK
    description: ClassVar[str]
    #: the inputs model; ``outputs`` extends it with what DeltaStream computes
    inputs: ClassVar[type[Any]]
    outputs: ClassVar[type[Any]]
    #: replacements delete the old object first (names are unique in DeltaStream)
    delete_before_replace: ClassVar[bool] = True
    #: output wire names the schema marks required beyond the derived ones (required inputs,
    #: non-optional annotations, ``output()`` fields and ``keep_when_absent`` inputs)
    required_outputs: ClassVar[tuple[str, ...]] = ()
    #: ``output()`` fields DeltaStream may leave null: optional in the schema
    optional_outputs: ClassVar[tuple[str, ...]] = ()
    #: non-empty: the whole resource is deprecated in the schema and SDKs with this message
    deprecation_message: ClassVar[str] = ""

    # -- check -------------------------------------------------------------------------
    def validate(self, args: A) -> list[CheckFailure]:
        """Cross-field rules on fully known inputs. Return every failure, not the first."""
        return []

    async def check(
        self, ctx: OperationContext, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> CheckResult:
        """Validate new inputs (unknowns allowed) and return the inputs to store.

        Default: required fields, scalar types and per-field rules from the metadata, then
        :meth:`validate` once every input is known. Never raises for bad input.
        """
        failures = _field_problems(self.inputs, news, "")
        if not failures and is_known(news):
            try:
                args = structure(self.inputs, news)
            except (cattrs.BaseValidationError, TypeError, ValueError) as exc:
                failures.append(CheckFailure("", str(exc)))
            else:
                failures.extend(self.validate(args))
        return CheckResult(inputs=news, failures=tuple(failures))

    # -- diff --------------------------------------------------------------------------
    def diff(self, old_inputs: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
        """Compare old and new inputs; replace-on-change comes from the field metadata."""
        return diff_inputs(
            self.inputs, old_inputs, news, delete_before_replace=self.delete_before_replace
        )

    def diff_warnings(self, old_outputs: Mapping[str, Any], urn: str) -> list[str]:
        """Warnings for the engine log while planning, from the last known outputs.

        E.g. a refresh recorded that the object failed: every later ``up`` says so and how to
        recover, even though the inputs did not change. Must not touch DeltaStream.
        """
        return []

    # -- preview -----------------------------------------------------------------------
    def preview_outputs(self, news: Mapping[str, Any]) -> dict[str, Any]:
        """Best-known outputs without touching DeltaStream: the inputs; computed ones unknown."""
        return dict(news)

    # -- lifecycle ---------------------------------------------------------------------
    @abc.abstractmethod
    def resource_id(self, outputs: S) -> str:
        """The Pulumi id of an object (also what ``pulumi import`` accepts)."""

    @abc.abstractmethod
    async def create(self, ctx: OperationContext, args: A) -> S:
        """Create the object and wait until DeltaStream reports it ready.

        Atomic: on failure, drop whatever was created (and confirm it is gone) before raising.
        """

    @abc.abstractmethod
    async def read(
        self, ctx: OperationContext, resource_id: str, state: S | None
    ) -> ReadResult[A, S] | None:
        """Read the live object by id; None when it no longer exists (drift, not an error).

        ``state`` is None on import: the returned inputs must make the next diff a no-op.
        """

    async def update(self, ctx: OperationContext, resource_id: str, olds: S, news: A) -> S:
        """Apply in-place changes (only fields not marked ``replace`` reach here)."""
        raise ValidationError(
            [CheckFailure("", f"{self.token} has no in-place updates; this is a provider bug")]
        )

    @abc.abstractmethod
    async def delete(self, ctx: OperationContext, resource_id: str, state: S) -> None:
        """Delete the object and confirm it is gone. An object already gone is success."""

    # -- conversions (rarely overridden) -----------------------------------------------
    def inputs_from_outputs(self, outputs: S) -> A:
        """The inputs that reproduce ``outputs`` (used for import and refresh)."""
        data = unstructure(outputs)
        keys = _input_keys(self.inputs)
        args: A = structure(self.inputs, {k: v for k, v in data.items() if k in keys})
        return args


def _input_keys(model: type) -> set[str]:
    return {wire_name(f) for f in input_fields(model)}


class Function(abc.ABC, Generic[A, R]):
    """A read-only lookup (``deltastream:index:getX``): at most one SELECT, no side effects."""

    #: ``deltastream:index:<name>`` (camelCase, e.g. ``getDatabases``)
    token: ClassVar[str]
    description: ClassVar[str]
    #: the arguments and result models (nested result models may set ``TYPE_TOKEN``)
    args: ClassVar[type[Any]]
    result: ClassVar[type[Any]]
    #: non-empty: the function is deprecated in the schema and SDKs with this message
    deprecation_message: ClassVar[str] = ""

    def validate(self, args: A) -> list[CheckFailure]:
        """Cross-field rules on the arguments."""
        return []

    def check_args(self, raw: Mapping[str, Any]) -> list[CheckFailure]:
        failures = _field_problems(self.args, raw, "")
        if not failures:
            failures.extend(self.validate(structure(self.args, raw)))
        return failures

    @abc.abstractmethod
    async def invoke(self, ctx: OperationContext, args: A) -> R:
        """Run the lookup; raise ``NotFoundError`` / ``ValidationError`` with a clear message."""
