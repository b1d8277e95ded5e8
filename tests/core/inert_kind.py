"""A kind that is only registered, never run: the registry tests' subject (subclasses set
``token`` and ``description``)."""

from __future__ import annotations

from typing import Any

import attrs

from deltastream_core.kinds import OperationContext, ReadResult, ResourceKind
from deltastream_core.model import prop


@attrs.frozen
class In:
    name: str = prop("name")


class InertKind(ResourceKind[In, In]):
    """Never run: only registered."""

    inputs = In
    outputs = In

    def resource_id(self, outputs: In) -> str:
        return outputs.name

    async def create(self, ctx: OperationContext, args: In) -> In:
        raise NotImplementedError

    async def read(
        self, ctx: OperationContext, resource_id: str, state: Any
    ) -> ReadResult[Any, Any]:
        raise NotImplementedError

    async def delete(self, ctx: OperationContext, resource_id: str, state: In) -> None:
        raise NotImplementedError
