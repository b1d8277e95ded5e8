"""Plugins load through the entry-point group; duplicates and blocking behave."""

from typing import Any, ClassVar

import attrs
import pytest

from deltastream_core import hookimpl
from deltastream_core.kinds import OperationContext, ReadResult, ResourceKind
from deltastream_core.model import prop
from deltastream_core.registry import DuplicateTokenError, load_registry


@attrs.frozen
class _In:
    name: str = prop("name")


class _FakeDatabase(ResourceKind[_In, _In]):
    """A kind registered under an already-taken token (never run)."""

    token: ClassVar[str] = "deltastream:index:Database"
    description: ClassVar[str] = "dup"
    inputs = _In
    outputs = _In

    def resource_id(self, outputs: _In) -> str:
        return outputs.name

    async def create(self, ctx: OperationContext, args: _In) -> _In:
        raise NotImplementedError

    async def read(
        self, ctx: OperationContext, resource_id: str, state: Any
    ) -> ReadResult[Any, Any]:
        raise NotImplementedError

    async def delete(self, ctx: OperationContext, resource_id: str, state: _In) -> None:
        raise NotImplementedError


class _DuplicatePlugin:
    @hookimpl
    def deltastream_register_resource_kinds(self, registry: Any) -> None:
        registry.add_kind(_FakeDatabase())


def test_builtins_load_through_the_entry_point_group() -> None:
    registry = load_registry(disabled=[])
    assert "deltastream:index:Database" in registry.kinds
    assert "deltastream:index:getNamespaces" in registry.functions
    assert registry.origins["deltastream:index:Database"] == "database (pulumi-deltastream-py)"


def test_duplicate_tokens_name_both_plugins() -> None:
    with pytest.raises(DuplicateTokenError) as info:
        load_registry([_DuplicatePlugin()], disabled=[])
    assert "'database (pulumi-deltastream-py)'" in str(info.value)
    assert "'_DuplicatePlugin'" in str(info.value)


def test_disabled_plugins_are_not_loaded() -> None:
    registry = load_registry(disabled=["namespace"])
    assert "deltastream:index:Namespace" not in registry.kinds
    assert "deltastream:index:Database" in registry.kinds


def test_unknown_token_error_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="deltastream:index:Database"):
        load_registry(disabled=[]).kind("deltastream:index:Nope")
