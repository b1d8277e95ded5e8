"""Plugins load through the entry-point group; duplicates and blocking behave."""

from typing import Any, ClassVar

import attrs
import pytest
from inert_kind import In, InertKind

from deltastream_core import hookimpl
from deltastream_core.kinds import ResourceKind
from deltastream_core.model import prop
from deltastream_core.registry import (
    DuplicateTokenError,
    PluginError,
    RegistrationError,
    describe_plugins,
    load_registry,
)


class _FakeDatabase(InertKind):
    """A kind registered under an already-taken token (never run)."""

    token: ClassVar[str] = "deltastream:index:Database"
    description: ClassVar[str] = "dup"


class _DuplicatePlugin:
    @hookimpl
    def deltastream_register_resource_kinds(self, registry: Any) -> None:
        registry.add_kind(_FakeDatabase())


def test_builtins_load_through_the_entry_point_group() -> None:
    registry = load_registry()
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
        load_registry().kind("deltastream:index:Nope")


# -- a validating registry: each mistake is refused at load, naming the plugin and the rule --


@attrs.frozen
class _Out:
    name: str = prop("name")


def _kind(**overrides: Any) -> ResourceKind[Any, Any]:
    """A valid kind, with class attributes or methods replaced by ``overrides``."""
    namespace: dict[str, Any] = {
        "token": "deltastream:index:Widget",
        "description": "a widget",
        "inputs": In,
        "outputs": _Out,
    }
    namespace.update(overrides)
    cls = type("_Widget", (_FakeDatabase,), namespace)
    return cls()  # type: ignore[no-any-return]


def _plugin_adding(kind: ResourceKind[Any, Any]) -> object:
    class _Plugin:
        @hookimpl
        def deltastream_register_resource_kinds(self, registry: Any) -> None:
            registry.add_kind(kind)

    return _Plugin()


def test_a_valid_third_party_kind_registers() -> None:
    registry = load_registry([_plugin_adding(_kind())])
    assert "deltastream:index:Widget" in registry.kinds
    assert registry.origins["deltastream:index:Widget"] == "_Plugin"


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"token": "mycorp:index:Widget"}, "outside the 'deltastream' package"),
        ({"token": "deltastream:widgets:Widget"}, "outside the 'deltastream' package"),
        ({"token": "deltastream-index-Widget"}, "is not of the form"),
        ({"token": "deltastream:index:widget"}, "must be PascalCase"),
        ({"token": "deltastream:index:My-Widget"}, "must be PascalCase"),
        ({"description": ""}, "no `description`"),
        ({"create": lambda self, ctx, args: None}, "`create` must be `async def`"),
        ({"read": lambda self, ctx, rid, state: None}, "`read` must be `async def`"),
        ({"inputs": dict}, "`inputs` must be an attrs class"),
    ],
)
def test_registration_refuses_a_broken_kind(overrides: dict[str, Any], rule: str) -> None:
    with pytest.raises(RegistrationError) as info:
        load_registry([_plugin_adding(_kind(**overrides))])
    assert rule in str(info.value)
    assert str(info.value).startswith("plugin _Plugin: resource kind")


@attrs.frozen
class _OutMissing:
    other: str = prop("other")


@attrs.frozen
class _OutSecret:
    name: str = prop("name", secret=True)


@attrs.frozen
class _OutReplace:
    name: str = prop("name", replace=True)


@pytest.mark.parametrize(
    ("outputs", "rule"),
    [
        (_OutMissing, "outputs lack the input 'name'"),
        (_OutSecret, "input 'name' is not secret but its output is not marked the same"),
        (_OutReplace, "input 'name' and its output disagree on replace-on-change"),
    ],
)
def test_outputs_must_cover_the_inputs_with_the_same_marks(outputs: type, rule: str) -> None:
    with pytest.raises(RegistrationError, match=rule):
        load_registry([_plugin_adding(_kind(outputs=outputs))])


def test_a_hook_taking_none_of_the_arguments_is_called() -> None:
    calls: list[str] = []

    class _NoArgs:
        @hookimpl
        def deltastream_register_functions(self) -> None:
            calls.append("called")

    load_registry([_NoArgs()])
    assert calls == ["called"]


def test_a_hook_without_hookimpl_is_refused() -> None:
    class _Forgot:
        def deltastream_register_resource_kinds(self, registry: Any) -> None:
            registry.add_kind(_kind())

    with pytest.raises(PluginError, match="without @hookimpl"):
        load_registry([_Forgot()])


def test_a_misspelt_hook_is_refused_naming_the_known_ones() -> None:
    class _Typo:
        @hookimpl
        def deltastream_register_kinds(self, registry: Any) -> None:
            raise AssertionError("never called")

    with pytest.raises(PluginError, match="known hooks: deltastream_register_resource_kinds"):
        load_registry([_Typo()])


def test_a_hook_that_raises_names_the_plugin_and_the_way_to_disable_it() -> None:
    class _Raises:
        @hookimpl
        def deltastream_register_functions(self, registry: Any) -> None:
            raise RuntimeError("boom")

    with pytest.raises(PluginError) as info:
        load_registry([_Raises()])
    assert "plugin _Raises failed in deltastream_register_functions: RuntimeError: boom" in str(
        info.value
    )
    assert "DELTASTREAM_DISABLED_PLUGINS=_Raises" in str(info.value)


def test_the_listing_names_each_plugin_its_distribution_and_registrations() -> None:
    text = describe_plugins(load_registry())
    assert "database  [pulumi-deltastream-py " in text
    assert "    deltastream:index:getDatabases" in text
