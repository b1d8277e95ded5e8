"""A test kind and function exercising every wire shape, and wire helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
from google.protobuf import struct_pb2
from pulumi.runtime.proto import engine_pb2_grpc

from deltastream_core.errors import AlreadyExistsError, ObjectFailedError, PermissionError_
from deltastream_core.kinds import Function, OperationContext, ReadResult, ResourceKind
from deltastream_core.model import output, prop
from deltastream_core.secrets import Secret

WIDGET = "deltastream:index:Widget"
GET_WIDGETS = "deltastream:index:getWidgets"
WIDGET_URN = "urn:pulumi:dev::proj::deltastream:index:Widget::w"
PROVIDER_URN = "urn:pulumi:dev::proj::pulumi:providers:deltastream::default"


@attrs.frozen
class Endpoint:
    """Where a widget connects."""

    TYPE_TOKEN: ClassVar[str] = "deltastream:index:WidgetEndpoint"

    uris: str = prop("Broker URIs.")
    password: str | None = prop("The password.", default=None, secret=True)
    port: int | None = prop("The port.", default=None)


@attrs.frozen
class WidgetInputs:
    name: str = prop("The name.", replace=True)
    size: int | None = prop("A count.", default=None)
    ratio: float | None = prop("A ratio.", default=None)
    enabled: bool | None = prop("A flag.", default=None)
    tags: list[str] | None = prop("Tags.", default=None)
    counts: list[int] | None = prop("Counts.", default=None)
    labels: dict[str, str] | None = prop("Labels.", default=None)
    endpoint: Endpoint | None = prop("The endpoint.", default=None)
    token: Secret | None = prop("An access token.", default=None, secret=True)
    legacy: str | None = prop("Old.", default=None, deprecated="use name")


@attrs.frozen
class WidgetOutputs(WidgetInputs):
    created_at: str | None = output("When it was created.")


@attrs.define
class Calls:
    """What the kind saw, for assertions."""

    diffs: list[tuple[dict[str, Any], dict[str, Any]]] = attrs.Factory(list)
    creates: list[Any] = attrs.Factory(list)
    updates: list[Any] = attrs.Factory(list)
    deletes: list[tuple[str, Any]] = attrs.Factory(list)
    reads: list[tuple[str, Any, float | None]] = attrs.Factory(list)
    invokes: list[tuple[Any, bool]] = attrs.Factory(list)
    checks: list[tuple[dict[str, Any], dict[str, Any]]] = attrs.Factory(list)


class WidgetKind(ResourceKind[WidgetInputs, WidgetOutputs]):
    token: ClassVar[str] = WIDGET
    description: ClassVar[str] = "A test widget."
    inputs: ClassVar[type[Any]] = WidgetInputs
    outputs: ClassVar[type[Any]] = WidgetOutputs

    def __init__(self, calls: Calls) -> None:
        self.calls = calls

    def resource_id(self, outputs: WidgetOutputs) -> str:
        return outputs.name

    async def check(
        self, ctx: OperationContext, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> Any:
        self.calls.checks.append((dict(olds), dict(news)))
        return await super().check(ctx, olds, news)

    def diff(self, old_inputs: Mapping[str, Any], news: Mapping[str, Any]) -> Any:
        self.calls.diffs.append((dict(old_inputs), dict(news)))
        return super().diff(old_inputs, news)

    async def create(self, ctx: OperationContext, args: WidgetInputs) -> WidgetOutputs:
        self.calls.creates.append(args)
        ctx.log.info(f"creating {args.name}")
        outputs = WidgetOutputs(
            **attrs.asdict(args, recurse=False), created_at="2026-01-01T00:00:00Z"
        )
        if args.name == "unhealthy":
            raise ObjectFailedError(
                "the widget is in state errored: broker unreachable",
                resource_id=args.name,
                outputs=outputs,
            )
        if args.name == "taken":
            raise AlreadyExistsError(
                "42710", "widget taken already exists", import_command="pulumi import x"
            )
        if args.name == "forbidden":
            raise PermissionError_("42501", "permission denied")
        if args.name == "slow":
            await asyncio.sleep(3)
        if args.name == "crash":
            raise RuntimeError(f"boom with token {args.token.reveal() if args.token else ''}")
        return outputs

    async def read(
        self, ctx: OperationContext, resource_id: str, state: WidgetOutputs | None
    ) -> ReadResult[WidgetInputs, WidgetOutputs] | None:
        self.calls.reads.append((resource_id, state, ctx.timeout))
        if resource_id == "gone":
            return None
        outputs = state or WidgetOutputs(name=resource_id, size=3, created_at="x")
        return ReadResult(resource_id, outputs, self.inputs_from_outputs(outputs))

    async def update(
        self, ctx: OperationContext, resource_id: str, olds: WidgetOutputs, news: WidgetInputs
    ) -> WidgetOutputs:
        self.calls.updates.append((resource_id, olds, news))
        return WidgetOutputs(**attrs.asdict(news, recurse=False), created_at=olds.created_at)

    async def delete(self, ctx: OperationContext, resource_id: str, state: WidgetOutputs) -> None:
        self.calls.deletes.append((resource_id, state))


@attrs.frozen
class GetWidgetsArgs:
    prefix: str = prop("Name prefix.")
    limit: int | None = prop("At most this many.", default=None)


@attrs.frozen
class GetWidgetsResult:
    widgets: list[Endpoint] = prop("The widgets.")
    total: int = prop("How many exist.")


class GetWidgets(Function[GetWidgetsArgs, GetWidgetsResult]):
    token: ClassVar[str] = GET_WIDGETS
    description: ClassVar[str] = "Lists widgets."
    args: ClassVar[type[Any]] = GetWidgetsArgs
    result: ClassVar[type[Any]] = GetWidgetsResult

    def __init__(self, calls: Calls) -> None:
        self.calls = calls

    async def invoke(self, ctx: OperationContext, args: GetWidgetsArgs) -> GetWidgetsResult:
        self.calls.invokes.append((args, ctx.preview))
        ctx.log.warning("only the first widget is shown")
        return GetWidgetsResult(widgets=[Endpoint(uris="a:1", password="pw", port=9092)], total=2)


def struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    """A Struct from JSON-like values (ints become doubles, as on the wire)."""
    s = struct_pb2.Struct()
    s.update(dict(values))
    return s


def secret(value: Any) -> dict[str, Any]:
    return {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": value}


class Engine(engine_pb2_grpc.EngineServicer):
    """A minimal Engine that records Log calls."""

    def __init__(self) -> None:
        self.logs: list[Any] = []

    async def Log(self, request: Any, context: Any) -> Any:
        from google.protobuf import empty_pb2

        self.logs.append(request)
        return empty_pb2.Empty()


@attrs.define
class Served:
    stub: Any
    engine: Engine
    provider: Any
    port: int
