"""Wire conversion: Struct ⇄ PropertyValue ⇄ plain Python, and the SDK bugs #3 to #7 it fixes."""

from __future__ import annotations

import datetime as dt
import enum

import pytest
from google.protobuf import struct_pb2
from pulumi.provider.experimental.property_value import Computed, PropertyValue

from deltastream_core.secrets import Secret
from deltastream_core.unknown import UNKNOWN
from deltastream_pulumi import wire
from pulumi_adapter.widgets import Endpoint, WidgetInputs, secret, struct

SIG = wire.SIG_KEY


def roundtrip(values: dict[str, object], model: type | None = None) -> wire.Plain:
    """plain → PropertyValue → Struct → PropertyValue → plain."""
    return wire.to_plain(wire.unmarshal_map(struct(values)), model)


@pytest.mark.parametrize("sentinel", sorted(wire.UNKNOWN_SENTINELS))
def test_every_unknown_sentinel_becomes_unknown(sentinel: str) -> None:
    # bug #3: the SDK reads sentinels as ordinary strings
    props = wire.unmarshal_map(struct({"a": sentinel, "n": {"b": [sentinel]}}))
    assert isinstance(props["a"].value, Computed)
    plain = wire.to_plain(props)
    assert plain.values == {"a": UNKNOWN, "n": {"b": [UNKNOWN]}}


def test_secret_unknown_is_an_unknown_recorded_as_secret() -> None:
    plain = roundtrip({"token": secret(wire.UNKNOWN_STRING)})
    assert plain.values == {"token": UNKNOWN}
    assert plain.secrets == {("token",)}


def test_unknown_is_marshalled_as_the_string_sentinel_never_computed() -> None:
    # bug #4: PropertyValue.computed() cannot be marshalled by the SDK
    out = wire.marshal_map(wire.from_plain({"a": UNKNOWN, "b": [UNKNOWN], "c": {"d": UNKNOWN}}))
    assert out["a"] == wire.UNKNOWN_STRING
    assert out["b"][0] == wire.UNKNOWN_STRING
    assert out["c"]["d"] == wire.UNKNOWN_STRING
    secret_unknown = wire.marshal(PropertyValue(Computed(), is_secret=True))
    assert secret_unknown.struct_value.fields["value"].string_value == wire.UNKNOWN_STRING


def test_secrets_become_plain_values_with_their_paths_recorded() -> None:
    plain = roundtrip(
        {
            "token": secret("t0p"),
            "endpoint": {"uris": "a", "password": secret("pw")},
            "tags": ["x", secret("y")],
            "whole": secret({"k": "v"}),
        }
    )
    assert plain.values == {
        "token": "t0p",
        "endpoint": {"uris": "a", "password": "pw"},
        "tags": ["x", "y"],
        "whole": {"k": "v"},
    }
    assert plain.secrets == {("token",), ("endpoint", "password"), ("tags", 1), ("whole",)}


def test_recorded_secret_paths_are_marked_again_on_the_way_out() -> None:
    original = struct(
        {"token": secret("t0p"), "endpoint": {"uris": "a", "password": secret("pw")}, "n": 1.0}
    )
    plain = wire.to_plain(wire.unmarshal_map(original))
    back = wire.marshal_map(wire.from_plain(plain.values, plain.secrets))
    assert back == original


def test_secret_objects_are_revealed_and_marked() -> None:
    out = wire.marshal_map(wire.from_plain({"password": Secret("pw")}))
    assert dict(out["password"]) == secret("pw")


def test_integers_of_int_fields_become_int_and_floats_stay_float() -> None:
    plain = roundtrip(
        {"size": 3, "ratio": 2.0, "counts": [1, 2], "endpoint": {"uris": "u", "port": 9092}},
        WidgetInputs,
    )
    assert plain.values == {
        "size": 3,
        "ratio": 2.0,
        "counts": [1, 2],
        "endpoint": {"uris": "u", "port": 9092},
    }
    assert type(plain.values["size"]) is int
    assert type(plain.values["ratio"]) is float
    assert type(plain.values["counts"][0]) is int
    assert type(plain.values["endpoint"]["port"]) is int


def test_non_integral_numbers_are_kept_for_int_fields_so_check_can_reject_them() -> None:
    plain = roundtrip({"size": 2.5}, WidgetInputs)
    assert plain.values == {"size": 2.5}


def test_ints_are_marshalled_as_doubles() -> None:
    # bug #5: PropertyValue(5) raises TypeError
    out = wire.marshal_map(wire.from_plain({"size": 5, "nested": {"n": [1, 2]}, "flag": True}))
    assert out["size"] == 5.0
    assert out.fields["size"].WhichOneof("kind") == "number_value"
    assert out["flag"] is True  # bools are not numbers
    assert list(out["nested"]["n"]) == [1.0, 2.0]


def test_nested_objects_and_lists_round_trip() -> None:
    values = {
        "a": {"b": {"c": ["x", {"d": None}]}},
        "e": [],
        "f": {},
        "g": False,
        "h": "text",
        "i": None,
    }
    assert roundtrip(values).values == values
    assert wire.marshal_map(wire.from_plain(values)) == struct(values)


def test_resource_references_use_the_engines_field_names() -> None:
    # bug #6: the engine writes `id` and `packageVersion`, the SDK reads `resource_id`
    ref = {
        SIG: wire.RESOURCE_SIG,
        "urn": "urn:pulumi:dev::p::deltastream:index:Database::db",
        "id": "db",
        "packageVersion": "0.1.0",
    }
    props = wire.unmarshal_map(struct({"database": ref}))
    assert wire.to_plain(props).values == {"database": "db"}
    assert wire.marshal_map(props)["database"] == struct({"r": ref})["r"]


def test_resource_reference_without_id_is_its_urn_and_unknown_id_is_unknown() -> None:
    urn = "urn:pulumi:dev::p::my:component:Thing::t"
    no_id = {SIG: wire.RESOURCE_SIG, "urn": urn}
    unknown_id = {SIG: wire.RESOURCE_SIG, "urn": urn, "id": wire.UNKNOWN_STRING}
    empty_id = {SIG: wire.RESOURCE_SIG, "urn": urn, "id": ""}
    plain = roundtrip({"a": no_id, "b": unknown_id, "c": empty_id})
    assert plain.values == {"a": urn, "b": UNKNOWN, "c": UNKNOWN}


def test_output_values_with_omitted_fields_are_tolerated() -> None:
    # bug #7: the engine omits `value` (unknown), `secret` (false), `dependencies` (none)
    unknown = {SIG: wire.OUTPUT_SIG}
    plain_known = {SIG: wire.OUTPUT_SIG, "value": "v"}
    secret_known = {SIG: wire.OUTPUT_SIG, "value": "s", "secret": True, "dependencies": ["u"]}
    plain = roundtrip({"a": unknown, "b": plain_known, "c": secret_known})
    assert plain.values == {"a": UNKNOWN, "b": "v", "c": "s"}
    assert plain.secrets == {("c",)}


def test_marshalling_never_writes_output_values() -> None:
    pv = PropertyValue("v", dependencies=["urn:x"])
    assert wire.marshal(pv).string_value == "v"


def test_assets_pass_through() -> None:
    asset = {SIG: wire.ASSET_SIG, "text": "hello"}
    props = wire.unmarshal_map(struct({"a": asset}))
    assert wire.marshal_map(props)["a"]["text"] == "hello"


def test_from_plain_converts_datetimes_enums_models_and_secret_models() -> None:
    class Color(enum.Enum):
        RED = "red"

    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    out = wire.marshal_map(
        wire.from_plain(
            {"when": when, "color": Color.RED, "endpoint": Endpoint(uris="u", password="pw")},
            secrets={("endpoint", "password")},
        )
    )
    assert out["when"] == "2026-01-02T03:04:05+00:00"
    assert out["color"] == "red"
    assert out["endpoint"]["uris"] == "u"
    assert dict(out["endpoint"]["password"]) == secret("pw")


def test_from_plain_rejects_unknown_types_naming_the_path() -> None:
    with pytest.raises(TypeError, match=r"a\.b\[0\]"):
        wire.from_plain({"a": {"b": [object()]}})


def test_output_secrets_are_model_secrets_plus_secret_inputs() -> None:
    from pulumi_adapter.widgets import WidgetOutputs

    found = wire.output_secrets(WidgetOutputs, {("labels",)})
    assert {("token",), ("endpoint", "password"), ("labels",)} <= found


def test_byte_strings_are_decoded() -> None:
    raw = {SIG: wire.BYTES_SIG, "value": "aGk="}
    assert roundtrip({"b": raw}).values == {"b": "hi"}


def test_unmarshal_plain_scalars() -> None:
    value = struct_pb2.Value(number_value=1.5)
    assert wire.unmarshal(value).value == 1.5
    assert wire.unmarshal(struct_pb2.Value(null_value=0)).value is None


def test_secrets_inside_lists_of_models_are_marked() -> None:
    from pulumi_adapter.widgets import GetWidgetsResult

    paths = wire.output_secrets(GetWidgetsResult)
    widgets = [{"uris": "a", "password": "p1"}, {"uris": "b", "password": "p2"}]
    out = wire.marshal_map(wire.from_plain({"widgets": widgets, "total": 2}, paths))
    assert dict(out["widgets"][1]["password"]) == secret("p2")
    assert out["widgets"][1]["uris"] == "b"
    assert sorted(wire.secret_values({"widgets": widgets}, paths)) == ["p1", "p2"]
