"""strategies_for derives valid wire inputs from a kind's model (no provider needed: what it
draws is checked against the model's own converter and prop() rules)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deltastream_core.model import input_fields, meta_of, prop, structure, wire_name
from deltastream_core.secrets import Secret as CoreSecret
from deltastream_plugins.schema_registry import SchemaRegistryInputs
from deltastream_plugins.secret import SecretInputs
from deltastream_pulumi.testing import Secret
from deltastream_pulumi.testing.contract import strategies_for
from deltastream_pulumi.testing.wire import reveal


def _valid(model: type[Any], wire: dict[str, Any]) -> Any:
    """The wire inputs structured by the model, every check passing."""
    value = structure(model, reveal(wire))
    for field in input_fields(model):
        check = meta_of(field).check
        got = getattr(value, field.name)
        if check is not None and got is not None:
            assert check(got) is None, (field.name, got, check(got))
    return value


@settings(max_examples=60, deadline=None)
@given(wire=strategies_for(SecretInputs, prefix="sec"))
def test_secret_inputs_are_valid_and_keep_the_owner_out(wire: dict[str, Any]) -> None:
    value = _valid(SecretInputs, wire)
    assert value.name.startswith("sec")
    assert value.type.lower() == "generic_string"
    assert "owner" not in wire  # keep_when_absent: must name a role that exists
    if "stringValue" in wire:
        assert isinstance(wire["stringValue"], Secret)
        assert isinstance(value.string_value, CoreSecret)


def test_choices_are_drawn_in_both_cases_and_optional_fields_vary() -> None:
    seen: set[str] = set()
    present: set[frozenset[str]] = set()

    @settings(max_examples=80, deadline=None)
    @given(wire=strategies_for(SecretInputs))
    def draw(wire: dict[str, Any]) -> None:
        seen.add(wire["type"])
        present.add(frozenset(wire))

    draw()
    assert seen == {"generic_string", "GENERIC_STRING"}
    assert len(present) > 1  # the defaulted inputs are sometimes left out


@settings(max_examples=30, deadline=None)
@given(
    wire=strategies_for(
        SchemaRegistryInputs,
        {"confluent.uris": st.just("https://r:8081"), "confluentCloud": None},
        prefix="sr",
    )
)
def test_dotted_overrides_reach_into_a_block_which_is_then_always_there(
    wire: dict[str, Any],
) -> None:
    assert wire["confluent"]["uris"] == "https://r:8081"
    assert "confluentCloud" not in wire
    assert {wire_name(f) for f in input_fields(SchemaRegistryInputs)} >= set(wire)


@attrs.frozen
class _Odd:
    name: str = prop("a name")
    when: float = prop("not derivable")


def test_a_field_it_cannot_derive_is_named() -> None:
    with pytest.raises(TypeError, match=r"_Odd\.when .*overrides=\{'when'"):
        strategies_for(_Odd)

    @settings(max_examples=5, deadline=None)
    @given(wire=strategies_for(_Odd, {"when": st.just(1.5)}))
    def draw(wire: dict[str, Any]) -> None:
        assert wire["when"] == 1.5 and wire["name"]

    draw()
