"""``DeltaStreamServicer``: the SDK's ``ProviderServicer`` with the 3.272 bugs worked around.

Each override names the bug it fixes (docs/reference/pulumi-protocol.md#sdk-bugs-worked-around):

* #1  DiffConfig passed the Python bool into the enum (True → DIFF_NONE).
* #2  DiffConfig read ``v.inputDiff`` and passed the Python enum as ``kind`` (AttributeError).
* #3 to #7  marshalling (sentinels, Computed, ints, resource refs, output values): every RPC here
  uses :mod:`deltastream_pulumi.wire` instead of ``PropertyValue.(un)marshal_map``.
* #9  Handshake and Attach were unimplemented; request fields were dropped (``old_inputs`` in
  Diff/Update/Delete/DiffConfig, ``preview`` in Invoke, ``timeout`` in Read, urn/name/type/id
  in Configure) — restored through :mod:`deltastream_pulumi.messages`.
* #10 Every error became ``UNKNOWN`` plus a traceback — :func:`_guarded` aborts with the
  proper code and a clean message, and partial failures carry ``ErrorResourceInitFailed``.
* #12 ``ignoreChanges`` repeated containers are passed on as lists.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import grpc
import grpc.aio
import structlog
from google.protobuf import empty_pb2
from pulumi.provider.experimental import provider as sdk
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime.proto import provider_pb2

from deltastream_core.errors import DeltaStreamError
from deltastream_pulumi import messages, wire
from deltastream_pulumi.engine_log import EngineChannel
from deltastream_pulumi.failures import as_status, failure_for
from deltastream_pulumi.provider import DeltaStreamProvider
from deltastream_pulumi.redaction import scrub

log = structlog.get_logger(__name__)

R = TypeVar("R")
Handler = Callable[[Any, Any, Any], Coroutine[Any, Any, R]]

_KIND = {
    sdk.PropertyDiffKind.ADD: provider_pb2.PropertyDiff.ADD,
    sdk.PropertyDiffKind.ADD_REPLACE: provider_pb2.PropertyDiff.ADD_REPLACE,
    sdk.PropertyDiffKind.DELETE: provider_pb2.PropertyDiff.DELETE,
    sdk.PropertyDiffKind.DELETE_REPLACE: provider_pb2.PropertyDiff.DELETE_REPLACE,
    sdk.PropertyDiffKind.UPDATE: provider_pb2.PropertyDiff.UPDATE,
    sdk.PropertyDiffKind.UPDATE_REPLACE: provider_pb2.PropertyDiff.UPDATE_REPLACE,
}


def _guarded(method: Handler[R]) -> Handler[R]:
    """Bug #10: map exceptions to a gRPC status with a clean message, never a traceback."""

    @functools.wraps(method)
    async def wrapper(self: Any, request: Any, context: Any) -> R:
        try:
            return await method(self, request, context)
        except (asyncio.CancelledError, grpc.aio.AbortError):
            raise
        except Exception as exc:
            failure = failure_for(exc)
            rpc = method.__name__
            if isinstance(exc, DeltaStreamError) or failure.code != grpc.StatusCode.UNKNOWN:
                log.warning("rpc failed", rpc=rpc, code=failure.code.name, error=failure.details)
            else:  # a bug: keep the traceback, on stderr only
                log.error("rpc crashed", rpc=rpc, error=scrub(str(exc)), exc_info=True)
            await context.abort_with_status(as_status(failure))
            raise  # abort_with_status always raises; keeps type checkers content

    return wrapper


def diff_response(resp: sdk.DiffResponse) -> provider_pb2.DiffResponse:
    """Bugs #1/#2: ``changes`` as the right enum, ``kind``/``input_diff`` read correctly."""
    if resp.changes is None:
        changes = provider_pb2.DiffResponse.DIFF_UNKNOWN
    elif resp.changes:
        changes = provider_pb2.DiffResponse.DIFF_SOME
    else:
        changes = provider_pb2.DiffResponse.DIFF_NONE
    return provider_pb2.DiffResponse(
        replaces=list(resp.replaces),
        stables=list(resp.stables),
        deleteBeforeReplace=bool(resp.delete_before_replace),
        changes=changes,
        diffs=list(resp.diffs),
        detailedDiff={
            path: provider_pb2.PropertyDiff(kind=_KIND[d.kind], inputDiff=bool(d.input_diff))
            for path, d in resp.detailed_diff.items()
        },
        hasDetailedDiff=True,
    )


def _failures(failures: list[sdk.CheckFailure] | None) -> list[provider_pb2.CheckFailure]:
    return [provider_pb2.CheckFailure(property=f.property, reason=f.reason) for f in failures or []]


def _check_request(request: Any) -> sdk.CheckRequest:
    return sdk.CheckRequest(
        request.urn,
        wire.unmarshal_map(request.olds),
        wire.unmarshal_map(request.news),
        request.randomSeed,
    )


def _check_response(resp: sdk.CheckResponse) -> provider_pb2.CheckResponse:
    return provider_pb2.CheckResponse(
        inputs=wire.marshal_map(resp.inputs or {}), failures=_failures(resp.failures)
    )


def _diff_request(request: Any) -> messages.DiffRequest:
    # bug #9: the SDK drops old_inputs; restored so kinds diff old inputs against new ones
    return messages.DiffRequest(
        request.urn,
        request.id,
        wire.unmarshal_map(request.olds),
        wire.unmarshal_map(request.news),
        list(request.ignoreChanges),
        old_inputs=wire.unmarshal_map(request.old_inputs),
    )


class DeltaStreamServicer(ProviderServicer):
    """The gRPC face of :class:`DeltaStreamProvider`."""

    _provider: DeltaStreamProvider

    def __init__(
        self,
        provider: DeltaStreamProvider,
        *,
        version: str,
        engine: EngineChannel,
        args: list[str] | None = None,
    ) -> None:
        super().__init__(args or [], version, provider, engine.address or "")
        self.engine = engine
        self.root_directory = ""
        self.program_directory = ""

    # -- capabilities ----------------------------------------------------------------------

    @_guarded
    async def Handshake(
        self, request: provider_pb2.ProviderHandshakeRequest, context: Any
    ) -> provider_pb2.ProviderHandshakeResponse:
        # bug #9: not implemented by the SDK. Same answers as Configure (the engine requires it).
        if request.engine_address:
            self.engine.set_address(request.engine_address)
        self.root_directory = request.root_directory
        self.program_directory = request.program_directory
        return provider_pb2.ProviderHandshakeResponse(
            accept_secrets=True,
            accept_resources=True,
            accept_outputs=False,
            supports_autonaming_configuration=False,
        )

    @_guarded
    async def Attach(self, request: Any, context: Any) -> empty_pb2.Empty:
        # bug #9: not implemented by the SDK, which breaks PULUMI_DEBUG_PROVIDERS.
        self.engine.set_address(request.address)
        self._engine_address = request.address
        return empty_pb2.Empty()

    @_guarded
    async def Cancel(self, request: Any, context: Any) -> empty_pb2.Empty:
        await self._provider.cancel()
        return empty_pb2.Empty()

    @_guarded
    async def GetSchema(self, request: Any, context: Any) -> provider_pb2.GetSchemaResponse:
        resp = await self._provider.get_schema(
            sdk.GetSchemaRequest(
                request.version, request.subpackage_name or None, request.subpackage_version or None
            )
        )
        return provider_pb2.GetSchemaResponse(schema=resp.schema or "")

    # -- provider configuration ------------------------------------------------------------

    @_guarded
    async def CheckConfig(self, request: Any, context: Any) -> provider_pb2.CheckResponse:
        return _check_response(await self._provider.check_config(_check_request(request)))

    @_guarded
    async def DiffConfig(self, request: Any, context: Any) -> provider_pb2.DiffResponse:
        # bugs #1, #2 (response mapping) and #9 (old_inputs dropped)
        return diff_response(await self._provider.diff_config(_diff_request(request)))

    @_guarded
    async def Configure(self, request: Any, context: Any) -> provider_pb2.ConfigureResponse:
        # bug #9: urn/name/type/id dropped by the SDK; the urn names the stack (local data dir)
        resp = await self._provider.configure(
            messages.ConfigureRequest(
                dict(request.variables),
                wire.unmarshal_map(request.args),
                request.acceptSecrets,
                request.acceptResources,
                urn=request.urn,
                name=request.name,
                type_=request.type,
                resource_id=request.id,
            )
        )
        return provider_pb2.ConfigureResponse(
            acceptSecrets=resp.accept_secrets,
            supportsPreview=resp.supports_preview,
            acceptResources=resp.accept_resources,
            acceptOutputs=resp.accept_outputs,
        )

    # -- resources -------------------------------------------------------------------------

    @_guarded
    async def Check(self, request: Any, context: Any) -> provider_pb2.CheckResponse:
        return _check_response(await self._provider.check(_check_request(request)))

    @_guarded
    async def Diff(self, request: Any, context: Any) -> provider_pb2.DiffResponse:
        # bug #9: old_inputs restored so the kind diffs old inputs against new inputs
        return diff_response(await self._provider.diff(_diff_request(request)))

    @_guarded
    async def Create(self, request: Any, context: Any) -> provider_pb2.CreateResponse:
        resp = await self._provider.create(
            sdk.CreateRequest(
                request.urn,
                wire.unmarshal_map(request.properties),
                request.timeout,
                request.preview,
            )
        )
        return provider_pb2.CreateResponse(
            id=resp.resource_id or "", properties=wire.marshal_map(resp.properties)
        )

    @_guarded
    async def Read(self, request: Any, context: Any) -> provider_pb2.ReadResponse:
        # bug #9: timeout dropped by the SDK
        resp = await self._provider.read(
            messages.ReadRequest(
                request.urn,
                request.id,
                wire.unmarshal_map(request.properties),
                wire.unmarshal_map(request.inputs),
                timeout=request.timeout,
            )
        )
        return provider_pb2.ReadResponse(
            id=resp.resource_id or "",
            properties=wire.marshal_map(resp.properties),
            inputs=wire.marshal_map(resp.inputs),
        )

    @_guarded
    async def Update(self, request: Any, context: Any) -> provider_pb2.UpdateResponse:
        # bug #9: old_inputs dropped by the SDK; #12: ignoreChanges as a list
        resp = await self._provider.update(
            messages.UpdateRequest(
                request.urn,
                request.id,
                wire.unmarshal_map(request.olds),
                wire.unmarshal_map(request.news),
                request.timeout,
                list(request.ignoreChanges),
                request.preview,
                old_inputs=wire.unmarshal_map(request.old_inputs),
            )
        )
        return provider_pb2.UpdateResponse(properties=wire.marshal_map(resp.properties))

    @_guarded
    async def Delete(self, request: Any, context: Any) -> empty_pb2.Empty:
        # bug #9: old_inputs dropped by the SDK
        await self._provider.delete(
            messages.DeleteRequest(
                request.urn,
                request.id,
                wire.unmarshal_map(request.properties),
                request.timeout,
                old_inputs=wire.unmarshal_map(request.old_inputs),
            )
        )
        return empty_pb2.Empty()

    @_guarded
    async def Invoke(self, request: Any, context: Any) -> provider_pb2.InvokeResponse:
        # bug #9: preview dropped by the SDK
        resp = await self._provider.invoke(
            messages.InvokeRequest(
                request.tok, wire.unmarshal_map(request.args), preview=request.preview
            )
        )
        fields: dict[str, Any] = {"failures": _failures(resp.failures)}
        if resp.return_value is not None:
            fields["return"] = wire.marshal_map(resp.return_value)
        return provider_pb2.InvokeResponse(**fields)
