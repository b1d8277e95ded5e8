"""``DeltaStreamProvider``: the SDK's ``Provider`` dispatching by type token to the plugins.

A thin translation layer with no business logic: wire values become plain Python
(:mod:`deltastream_pulumi.wire`), the registered :class:`~deltastream_core.kinds.ResourceKind`
or :class:`~deltastream_core.kinds.Function` does the work, results go back with secrets
re-marked. Preview Create/Update never reach DeltaStream (``kind.preview_outputs``).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import cattrs
import structlog
from pulumi.provider.experimental import provider as sdk
from pulumi.provider.experimental.property_value import PropertyValue

from deltastream_core.diff import DiffKind, DiffResult
from deltastream_core.errors import (
    IncompleteError,
    ObjectFailedError,
    PropertyProblem,
    ValidationError,
)
from deltastream_core.kinds import Function, OperationContext, ResourceKind
from deltastream_core.model import input_fields, is_model, structure, unstructure, wire_name
from deltastream_core.ports import StatementContext
from deltastream_core.registry import Registry, load_registry
from deltastream_core.rows import read_until_answered
from deltastream_core.waiting import CancellableClock
from deltastream_pulumi import config as cfg
from deltastream_pulumi import wire
from deltastream_pulumi.engine_log import EngineChannel, ResourceLog
from deltastream_pulumi.failures import MissingConfigError, ResourceInitFailedError
from deltastream_pulumi.redaction import register_secret
from deltastream_pulumi.runners import LazyRunner, make_runner
from deltastream_pulumi.schema import build_schema

log = structlog.get_logger(__name__)

PropertyMap = dict[str, PropertyValue]
T = TypeVar("T")

_KINDS = {
    DiffKind.ADD: sdk.PropertyDiffKind.ADD,
    DiffKind.ADD_REPLACE: sdk.PropertyDiffKind.ADD_REPLACE,
    DiffKind.DELETE: sdk.PropertyDiffKind.DELETE,
    DiffKind.DELETE_REPLACE: sdk.PropertyDiffKind.DELETE_REPLACE,
    DiffKind.UPDATE: sdk.PropertyDiffKind.UPDATE,
    DiffKind.UPDATE_REPLACE: sdk.PropertyDiffKind.UPDATE_REPLACE,
}
_CONFIG_PREFIX = "deltastream:config:"
#: how long a Read or a Delete keeps repeating after transient errors, unless customTimeouts
#: says (both are safe to repeat: a read changes nothing, a delete is idempotent)
REPEAT_TIMEOUT = 120.0


def diff_response(result: DiffResult) -> sdk.DiffResponse:
    """A core diff as the SDK's response: ``diffs``, ``replaces`` and ``detailed_diff`` agree."""
    return sdk.DiffResponse(
        changes=result.changed,
        replaces=result.replaces,
        diffs=result.diffs,
        delete_before_replace=result.delete_before_replace,
        detailed_diff={
            path: sdk.PropertyDiff(_KINDS[kind], input_diff=True)
            for path, kind in sorted(result.detailed.items())
        },
    )


def _ignored(path: str, ignore: list[str]) -> bool:
    return any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in ignore)


def _structure(model: type, values: Mapping[str, Any], what: str) -> Any:
    """``structure`` with cattrs errors turned into a ValidationError naming the property."""
    try:
        return structure(model, values)
    except (cattrs.BaseValidationError, TypeError, ValueError) as exc:
        reasons = [str(e) for e in getattr(exc, "exceptions", ())] or [str(exc)]
        raise ValidationError([PropertyProblem("", r) for r in reasons], resource=what) from exc


def _plain(props: Mapping[str, PropertyValue], model: type | None = None) -> wire.Plain:
    """Wire values as plain Python; every secret string seen is scrubbed from messages."""
    plain = wire.to_plain(props, model)
    for value in wire.secret_values(plain.values, wire.output_secrets(model, plain.secrets)):
        register_secret(value)
    return plain


def _input_subset(model: type, values: Mapping[str, Any]) -> dict[str, Any]:
    keys = {wire_name(f) for f in input_fields(model)}
    return {k: v for k, v in values.items() if k in keys}


class DeltaStreamProvider(sdk.Provider):
    """The DeltaStream resource provider (one instance per provider process)."""

    def __init__(
        self,
        registry: Registry | None = None,
        *,
        version: str,
        engine: EngineChannel | None = None,
        project_dir: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.registry = registry if registry is not None else load_registry()
        self.version = version
        self.engine = engine or EngineChannel(None)
        self.project_dir = project_dir or Path.cwd()
        self.env = os.environ if env is None else env
        self.config: cfg.ProviderConfig | None = None
        self.runner: LazyRunner | None = None
        self.base = StatementContext()
        self._schema: str | None = None
        #: every step's clock: Cancel ends their waits (an in-flight statement still finishes)
        self.clock = CancellableClock()

    # -- schema and provider configuration -------------------------------------------------

    async def get_schema(self, request: sdk.GetSchemaRequest) -> sdk.GetSchemaResponse:
        if self._schema is None:
            self._schema = json.dumps(build_schema(self.registry, self.version), indent=2)
        return sdk.GetSchemaResponse(schema=self._schema)

    async def check_config(self, request: sdk.CheckRequest) -> sdk.CheckResponse:
        news = _plain(request.new_inputs)
        problems = cfg.check_config(news.values, self.env)
        inputs = wire.from_plain(news.values, news.secrets | {("apiKey",)})
        failures = [sdk.CheckFailure(p.property, p.reason) for p in problems]
        return sdk.CheckResponse(inputs=inputs, failures=failures)

    async def diff_config(self, request: sdk.DiffRequest) -> sdk.DiffResponse:
        old_inputs = getattr(request, "old_inputs", None) or request.old_state
        olds = _plain(old_inputs).values
        news = _plain(request.new_inputs).values
        return diff_response(cfg.diff_config(olds, news))

    async def configure(self, request: sdk.ConfigureRequest) -> sdk.ConfigureResponse:
        values: dict[str, Any] = {
            key.removeprefix(_CONFIG_PREFIX): value
            for key, value in request.variables.items()
            if key.startswith(_CONFIG_PREFIX)
        }
        values.update(_plain(request.args).values)
        try:
            config = cfg.parse_config(values, self.env)
        except ValueError as exc:
            problems = cfg.check_config(values, self.env)  # names the key at fault
            raise ValidationError(
                problems or [PropertyProblem("insecureSkipVerify", str(exc))]
            ) from None
        missing = cfg.missing_keys(config)
        if missing:
            raise MissingConfigError(missing)
        register_secret(config.api_key)
        stack = getattr(request, "stack", "") or ""
        if self.runner is not None:  # the protocol promises one Configure; be safe anyway
            await self.runner.aclose()
        self.config = config
        self.runner = make_runner(config, project_dir=self.project_dir, stack=stack)
        self.base = StatementContext(organization=config.organization, role=config.role)
        log.info(
            "configured",
            server="local" if config.is_local else config.server,
            organization=config.organization,
            role=config.role,
            stack=stack or None,
        )
        return sdk.ConfigureResponse(
            accept_secrets=True, supports_preview=True, accept_resources=True, accept_outputs=False
        )

    # -- helpers ---------------------------------------------------------------------------

    def _kind(self, token: str) -> ResourceKind[Any, Any]:
        try:
            return self.registry.kind(token)
        except KeyError:
            known = ", ".join(sorted(self.registry.kinds)) or "none"
            raise ValidationError(
                [
                    PropertyProblem(
                        "", f"unknown resource type {token!r} (this provider has {known})"
                    )
                ]
            ) from None

    def _function(self, token: str) -> Function[Any, Any]:
        try:
            return self.registry.function(token)
        except KeyError:
            known = ", ".join(sorted(self.registry.functions)) or "none"
            raise ValidationError(
                [PropertyProblem("", f"unknown function {token!r} (this provider has {known})")]
            ) from None

    @contextlib.asynccontextmanager
    async def _operation(
        self,
        urn: str,
        name: str,
        *,
        timeout: float = 0.0,
        preview: bool = False,
        secret_inputs: frozenset[wire.Path] = frozenset(),
    ) -> AsyncIterator[OperationContext]:
        """The context of one lifecycle step; engine messages are flushed before answering."""
        engine_log = ResourceLog(self.engine, urn)
        try:
            yield OperationContext(
                runner=self.runner,
                base=self.base,
                log=engine_log,
                clock=self.clock,
                timeout=timeout or None,
                resource_name=name,
                preview=preview,
                urn=urn,
                secret_inputs=secret_inputs,
            )
        finally:
            await engine_log.flush()

    # -- resources -------------------------------------------------------------------------

    async def check(self, request: sdk.CheckRequest) -> sdk.CheckResponse:
        kind = self._kind(request.type)
        olds = _plain(request.old_inputs, kind.inputs)
        news = _plain(request.new_inputs, kind.inputs)
        async with self._operation(request.urn, request.name, secret_inputs=news.secrets) as ctx:
            try:
                result = await kind.check(ctx, olds.values, news.values)
            except ValidationError as exc:  # check should return failures; accept both
                inputs, problems = dict(news.values), list(exc.problems)
            else:
                inputs, problems = dict(result.inputs), list(result.failures)
        secrets = wire.output_secrets(kind.inputs, news.secrets)
        return sdk.CheckResponse(
            inputs=wire.from_plain(inputs, secrets),
            failures=[sdk.CheckFailure(p.property, p.reason) for p in problems],
        )

    async def diff(self, request: sdk.DiffRequest) -> sdk.DiffResponse:
        kind = self._kind(request.type)
        news = _plain(request.new_inputs, kind.inputs).values
        old_outputs = _plain(request.old_state, kind.outputs).values
        old_inputs = getattr(request, "old_inputs", None)
        if old_inputs:
            olds = _plain(old_inputs, kind.inputs).values
        else:  # no old inputs (older engines): the outputs repeat every input
            olds = _input_subset(kind.inputs, old_outputs)
        result = kind.diff(olds, news)
        warnings = kind.diff_warnings(old_outputs, request.urn)
        if warnings:
            engine_log = ResourceLog(self.engine, request.urn)
            for warning in warnings:
                engine_log.warning(warning)
            await engine_log.flush()
        ignore = list(request.ignore_changes or [])
        if ignore:
            kept = {p: k for p, k in result.detailed.items() if not _ignored(p, ignore)}
            replaces = any(k.replaces for k in kept.values())
            result = DiffResult(
                kept, delete_before_replace=result.delete_before_replace and replaces
            )
        return diff_response(result)

    async def create(self, request: sdk.CreateRequest) -> sdk.CreateResponse:
        kind = self._kind(request.type)
        news = _plain(request.properties, kind.inputs)
        secrets = wire.output_secrets(kind.outputs, news.secrets)
        if request.preview:  # never touch DeltaStream in preview
            preview = kind.preview_outputs(news.values)
            return sdk.CreateResponse(resource_id="", properties=wire.from_plain(preview, secrets))
        args = _structure(kind.inputs, news.values, request.name)
        async with self._operation(request.urn, request.name, timeout=request.timeout) as ctx:
            try:
                outputs = await kind.create(ctx, args)
            except (ObjectFailedError, IncompleteError) as exc:
                raise self._init_failed(exc, secrets, news.values) from exc
        return sdk.CreateResponse(
            resource_id=kind.resource_id(outputs),
            properties=wire.from_plain(unstructure(outputs), secrets),
        )

    def _init_failed(
        self,
        exc: ObjectFailedError | IncompleteError,
        secrets: frozenset[wire.Path],
        inputs: Mapping[str, Any],
    ) -> Exception:
        """An object that exists but is failed (``ObjectFailedError(resource_id=…)``) or not
        finished (``IncompleteError``) is a partial failure: the engine records its id and
        outputs, and the step fails; the next ``up`` calls Update to finish it."""
        resource_id = getattr(exc, "resource_id", None)
        if not resource_id:
            return exc
        outputs = getattr(exc, "outputs", None)
        plain = unstructure(outputs) if is_model(type(outputs)) else dict(outputs or {})
        return ResourceInitFailedError(
            str(resource_id),
            [str(exc)],
            properties=wire.marshal_map(wire.from_plain(plain, secrets)),
            inputs=wire.marshal_map(wire.from_plain(inputs, secrets)),
        )

    async def read(self, request: sdk.ReadRequest) -> sdk.ReadResponse:
        kind = self._kind(request.type)
        props = _plain(request.properties, kind.outputs)
        given = _plain(request.inputs, kind.inputs)
        state = _structure(kind.outputs, props.values, request.name) if props.values else None
        timeout = float(getattr(request, "timeout", 0.0) or 0.0)
        async with self._operation(request.urn, request.name, timeout=timeout) as ctx:
            result = await self._repeated(ctx, lambda: kind.read(ctx, request.resource_id, state))
        if result is None:  # gone: refresh drops it, import reports it missing
            return sdk.ReadResponse(resource_id="", properties={}, inputs={})
        secret_inputs = given.secrets | {p for p in props.secrets if len(p) == 1}
        return sdk.ReadResponse(
            resource_id=result.resource_id,
            properties=wire.from_plain(
                unstructure(result.outputs), wire.output_secrets(kind.outputs, secret_inputs)
            ),
            inputs=wire.from_plain(
                unstructure(result.inputs), wire.output_secrets(kind.inputs, secret_inputs)
            ),
        )

    async def update(self, request: sdk.UpdateRequest) -> sdk.UpdateResponse:
        kind = self._kind(request.type)
        news = _plain(request.news, kind.inputs)
        olds = _plain(request.olds, kind.outputs)
        secrets = wire.output_secrets(kind.outputs, news.secrets | olds.secrets)
        if request.preview:  # never touch DeltaStream in preview
            preview = kind.preview_outputs(news.values)
            return sdk.UpdateResponse(properties=wire.from_plain(preview, secrets))
        state = _structure(kind.outputs, olds.values, request.name)
        args = _structure(kind.inputs, news.values, request.name)
        async with self._operation(request.urn, request.name, timeout=request.timeout) as ctx:
            try:
                outputs = await kind.update(ctx, request.resource_id, state, args)
            except (ObjectFailedError, IncompleteError) as exc:
                raise self._init_failed(exc, secrets, news.values) from exc
        return sdk.UpdateResponse(properties=wire.from_plain(unstructure(outputs), secrets))

    async def delete(self, request: sdk.DeleteRequest) -> None:
        kind = self._kind(request.type)
        props = _plain(request.properties, kind.outputs)
        state = _structure(kind.outputs, props.values, request.name)
        async with self._operation(request.urn, request.name, timeout=request.timeout) as ctx:
            await self._repeated(ctx, lambda: kind.delete(ctx, request.resource_id, state))

    async def _repeated(self, ctx: OperationContext, step: Callable[[], Awaitable[T]]) -> T:
        """Run a step that is safe to repeat (Read, Delete) again after a ``TransientError``
        (retries of the client ran out) until its deadline, instead of failing the operation."""
        return await read_until_answered(ctx, step, "DeltaStream to answer", timeout=REPEAT_TIMEOUT)

    # -- functions -------------------------------------------------------------------------

    async def invoke(self, request: sdk.InvokeRequest) -> sdk.InvokeResponse:
        fn = self._function(request.tok)
        args = _plain(request.args, fn.args)
        problems = fn.check_args(args.values)
        if problems:
            return sdk.InvokeResponse(
                failures=[sdk.CheckFailure(p.property, p.reason) for p in problems]
            )
        typed = _structure(fn.args, args.values, request.tok)
        preview = bool(getattr(request, "preview", False))
        async with self._operation("", request.tok, preview=preview) as ctx:
            result = await fn.invoke(ctx, typed)
        plain = unstructure(result) if is_model(type(result)) else dict(result)
        secrets = wire.output_secrets(fn.result, args.secrets)
        return sdk.InvokeResponse(return_value=wire.from_plain(plain, secrets))

    # -- lifecycle of the process ----------------------------------------------------------

    async def cancel(self) -> None:
        """Stop outstanding work promptly: every wait ends (a step whose write applied then
        answers a partial failure with the object's id). Statements in flight are not cut off,
        so none is left applied but unrecorded; the client closes at :meth:`aclose`."""
        log.info("cancel requested")
        self.clock.cancel()

    async def aclose(self) -> None:
        """Release everything at shutdown."""
        if self.runner is not None:
            await self.runner.aclose()
            self.runner = None
        await self.engine.close()


__all__ = ["DeltaStreamProvider", "diff_response"]
