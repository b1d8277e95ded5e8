"""Small authoring helpers of the public API: prop(choices=...) and its one_of rule, and
registering() making a plugin's two hook implementations."""

from __future__ import annotations

import types
from typing import Any, ClassVar

import attrs
import pytest
from inert_kind import InertKind

from deltastream_core import one_of, prop, registering
from deltastream_core.model import meta_of
from deltastream_core.registry import DuplicateTokenError, load_registry


@attrs.frozen
class _Sized:
    size: str = prop("the size", choices=("SMALL", "LARGE"), normalize=str.upper)
    kind: str = prop("the kind", choices=["a", "b"])
    mode: str = prop("checked its own way", choices=("x",), check=lambda v: "always wrong")


def test_choices_without_a_check_get_a_one_of_rule_after_normalize() -> None:
    size, kind, mode = (meta_of(f) for f in attrs.fields(_Sized))
    assert size.choices == ("SMALL", "LARGE") and kind.choices == ("a", "b")
    assert size.check is not None and kind.check is not None
    assert size.check("small") is None  # compared after normalize
    assert size.check("huge") == "must be one of SMALL, LARGE"
    assert kind.check("A") == "must be one of a, b"  # no normalize: exact
    assert mode.check is not None and mode.check("x") == "always wrong"  # its own check stays
    assert one_of(("on",))(3) is None  # a wrong type is the converter's error


class _Kind(InertKind):
    token: ClassVar[str] = "deltastream:index:HelperWidget"
    description: ClassVar[str] = "A widget registered through registering()."


def _plugin(name: str, **registrations: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    hooks = registering(**registrations)
    module.deltastream_register_resource_kinds, module.deltastream_register_functions = hooks  # type: ignore[attr-defined]
    return module


def test_registering_makes_hooks_the_registry_calls() -> None:
    registry = load_registry([_plugin("helper_widget", kinds=[_Kind])], disabled=[])
    assert isinstance(registry.kinds["deltastream:index:HelperWidget"], _Kind)
    assert "deltastream:index:Database" in registry.kinds  # the built-ins use it too


def test_each_hook_call_makes_fresh_instances() -> None:
    made: list[_Kind] = []

    def make() -> _Kind:
        made.append(_Kind())
        return made[-1]

    load_registry([_plugin("fresh_a", kinds=[make])], disabled=[])
    load_registry([_plugin("fresh_b", kinds=[make])], disabled=[])
    assert len(made) == 2 and made[0] is not made[1]
    with pytest.raises(DuplicateTokenError):
        load_registry([_plugin("twice", kinds=[_Kind, _Kind])], disabled=[])
