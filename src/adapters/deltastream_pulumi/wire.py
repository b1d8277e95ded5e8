"""Property values on the wire ⇄ plain Python, in one place.

Two layers, both here so the SDK 3.272 marshalling bugs are fixed once
(docs/reference/pulumi-protocol.md#property-values-on-the-wire, #sdk-bugs-worked-around):

* ``google.protobuf.Struct`` ⇄ :class:`PropertyValue` — :func:`unmarshal_map` / :func:`marshal_map`
  replace ``PropertyValue.unmarshal_map`` / ``marshal_map``:

  - bug #3: the seven unknown sentinels arrive as plain strings → :class:`Computed`;
  - bug #4: ``Computed()`` cannot be marshalled → written as the string sentinel;
  - bug #5: ``PropertyValue(5)`` raises → :func:`from_plain` turns ints into floats;
  - bug #6: resource references use ``id``/``packageVersion`` on the wire, not
    ``resource_id``/``package_version``;
  - bug #7: output values may omit ``value`` (unknown), ``secret`` and ``dependencies``.

* :class:`PropertyValue` ⇄ plain Python — :func:`to_plain` / :func:`from_plain`: what the core
  sees. Unknowns become :data:`~deltastream_core.unknown.UNKNOWN`, secrets become their plain
  value and their paths are recorded so that :func:`from_plain` marks them secret again,
  integral numbers of ``int`` model fields become ``int``, resource references become their id.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs
import pulumi
from google.protobuf import struct_pb2
from pulumi.provider.experimental.property_value import (
    Computed,
    PropertyValue,
    ResourceReference,
)

from deltastream_core.model import (
    ANY_ITEM,
    all_fields,
    is_model,
    list_item_type,
    map_value_type,
    resolved_type,
    secret_paths,
    strip_optional,
    unstructure,
    wire_name,
)
from deltastream_core.secrets import Secret
from deltastream_core.unknown import UNKNOWN

#: A property path: top-level key, then nested keys and list indices.
Path = tuple[str | int, ...]

SIG_KEY: Final = "4dabf18193072939515e22adb298388d"
SECRET_SIG: Final = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG: Final = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIG: Final = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
ASSET_SIG: Final = "c44067f5952c0a294b673a41bacd8c17"
ARCHIVE_SIG: Final = "0def7320c3a5731c473e5ecbe6d01bc7"
BYTES_SIG: Final = "803fd3297a5875dc03ca845dda5d2a98"

#: The string sentinel: an unknown string (and the generic "unknown" a provider writes back).
UNKNOWN_STRING: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
#: Every sentinel the engine writes for an unknown, by the type it stands for
#: (docs/reference/pulumi-protocol.md#unknown-sentinels).
UNKNOWN_SENTINELS: Final = {
    UNKNOWN_STRING: "string",
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7": "bool",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421": "number",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2": "array",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff": "object",
    "030794c1-ac77-496b-92df-f27374a8bd58": "asset",
    "e48ece36-62e2-4504-bad9-02848725956a": "archive",
}


# -- Struct ⇄ PropertyValue -------------------------------------------------------------------


def unmarshal_map(struct: struct_pb2.Struct) -> dict[str, PropertyValue]:
    """A wire Struct as PropertyValues, unknown sentinels recognised (bugs #3, #6, #7)."""
    return {key: unmarshal(value) for key, value in struct.fields.items()}


def unmarshal(value: struct_pb2.Value) -> PropertyValue:
    """One wire value as a PropertyValue."""
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        if value.string_value in UNKNOWN_SENTINELS:  # bug #3: sentinels are not plain strings
            return PropertyValue(Computed())
        return PropertyValue(value.string_value)
    if kind == "list_value":
        return PropertyValue([unmarshal(item) for item in value.list_value.values])
    if kind == "struct_value":
        fields = value.struct_value.fields
        sig = fields[SIG_KEY].string_value if SIG_KEY in fields else None
        if sig is None:
            return PropertyValue({k: unmarshal(v) for k, v in fields.items()})
        if sig == SECRET_SIG:
            inner = unmarshal(fields["value"]) if "value" in fields else PropertyValue.null()
            return inner.with_secret(True)
        if sig == RESOURCE_SIG:
            return PropertyValue(_resource_reference(fields))
        if sig == OUTPUT_SIG:
            return _output_value(fields)
        if sig == BYTES_SIG:
            raw = base64.b64decode(fields["value"].string_value) if "value" in fields else b""
            return PropertyValue(raw.decode("utf-8", errors="surrogateescape"))
        # assets and archives: the SDK reads these correctly
        return PropertyValue.unmarshal(value)
    return PropertyValue.unmarshal(value)  # null, bool, number


def _resource_reference(fields: Mapping[str, struct_pb2.Value]) -> ResourceReference:
    # bug #6: the engine writes `id` and `packageVersion`; the SDK reads `resource_id`.
    urn = fields["urn"].string_value if "urn" in fields else ""
    raw_id = fields.get("id", fields.get("resource_id"))
    version = fields.get("packageVersion", fields.get("package_version"))
    return ResourceReference(
        urn=urn,
        resource_id=unmarshal(raw_id) if raw_id is not None else None,
        package_version=version.string_value if version is not None else None,
    )


def _output_value(fields: Mapping[str, struct_pb2.Value]) -> PropertyValue:
    # bug #7: `value` is absent when unknown, `secret` when false, `dependencies` when empty.
    inner = unmarshal(fields["value"]) if "value" in fields else PropertyValue(Computed())
    secret = fields["secret"].bool_value if "secret" in fields else False
    deps: list[str] = []
    if "dependencies" in fields:
        deps = [d.string_value for d in fields["dependencies"].list_value.values]
    return PropertyValue(inner.value, is_secret=secret or inner.is_secret, dependencies=deps)


def marshal_map(props: Mapping[str, PropertyValue]) -> struct_pb2.Struct:
    """PropertyValues as a wire Struct; unknowns as the string sentinel (bug #4)."""
    return struct_pb2.Struct(fields={key: marshal(value) for key, value in props.items()})


def marshal(prop: PropertyValue) -> struct_pb2.Value:
    """One PropertyValue on the wire. Dependencies are dropped: we never accept outputs."""
    value = prop.value
    if isinstance(value, Computed):  # bug #4: Computed() cannot be marshalled by the SDK
        wire = struct_pb2.Value(string_value=UNKNOWN_STRING)
    elif isinstance(value, ResourceReference):  # bug #6: the engine's field names
        ref: dict[str, struct_pb2.Value] = {
            SIG_KEY: struct_pb2.Value(string_value=RESOURCE_SIG),
            "urn": struct_pb2.Value(string_value=value.urn),
        }
        if value.resource_id is not None:
            ref["id"] = marshal(value.resource_id)
        if value.package_version is not None:
            ref["packageVersion"] = struct_pb2.Value(string_value=value.package_version)
        wire = struct_pb2.Value(struct_value=struct_pb2.Struct(fields=ref))
    elif isinstance(value, Mapping):
        wire = struct_pb2.Value(struct_value=marshal_map(value))
    elif isinstance(value, Sequence) and not isinstance(value, str):
        wire = struct_pb2.Value(list_value=struct_pb2.ListValue(values=[marshal(v) for v in value]))
    else:
        wire = PropertyValue(value).marshal()
    if prop.is_secret:
        envelope = {SIG_KEY: struct_pb2.Value(string_value=SECRET_SIG), "value": wire}
        return struct_pb2.Value(struct_value=struct_pb2.Struct(fields=envelope))
    return wire


# -- PropertyValue ⇄ plain Python -------------------------------------------------------------


@attrs.frozen
class Plain:
    """Plain values of a property map and the paths that arrived secret."""

    values: dict[str, Any]
    secrets: frozenset[Path] = frozenset()


def to_plain(props: Mapping[str, PropertyValue], model: type | None = None) -> Plain:
    """PropertyValues as plain Python; ``model`` (attrs) says which numbers are integers."""
    found: set[Path] = set()
    values = {
        key: _plain(value, (key,), _field_type(model, key), found) for key, value in props.items()
    }
    return Plain(values, frozenset(found))


@functools.cache
def _field_types(model: type) -> dict[str, Any]:
    return {wire_name(f): resolved_type(model, f) for f in all_fields(model)}


def _field_type(model: Any, key: str) -> Any:
    if model is None or not is_model(model):
        return None
    return _field_types(model).get(key)


def _plain(prop: PropertyValue, path: Path, hint: Any, found: set[Path]) -> Any:
    if prop.is_secret:
        found.add(path)
    value = prop.value
    hint, _ = strip_optional(hint) if hint is not None else (None, False)
    if isinstance(value, Computed):
        return UNKNOWN
    if isinstance(value, float):
        if hint is int and value.is_integer():  # every number arrives as a double
            return int(value)
        return value
    if isinstance(value, ResourceReference):
        return _reference_id(value)
    if isinstance(value, Mapping):
        if is_model(hint):
            return {k: _plain(v, (*path, k), _field_type(hint, k), found) for k, v in value.items()}
        inner = map_value_type(hint)
        return {k: _plain(v, (*path, k), inner, found) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        inner = list_item_type(hint)
        return [_plain(v, (*path, i), inner, found) for i, v in enumerate(value)]
    return value


def _reference_id(ref: ResourceReference) -> Any:
    """A resource reference as the engine would send it without KeepResources: id, else urn."""
    if ref.resource_id is None:
        return ref.urn
    rid = ref.resource_id.value
    if isinstance(rid, Computed) or rid == "":
        return UNKNOWN
    return rid


def from_plain(values: Mapping[str, Any], secrets: Iterable[Path] = ()) -> dict[str, PropertyValue]:
    """Plain Python as PropertyValues, marking every path in ``secrets`` secret.

    Ints become floats (bug #5), :data:`UNKNOWN` becomes ``Computed`` (marshalled as the
    sentinel), :class:`Secret` is revealed and marked secret, datetimes become ISO 8601 text,
    enums their value, attrs models their wire dict. ``None`` values are kept as null.
    """
    marked = _Marks(secrets)
    return {key: _property(value, (key,), marked) for key, value in values.items()}


#: a path element matching any list index or map key (from models nested in lists/maps)
ANY: Final = ANY_ITEM


class _Marks:
    """Secret paths, exact or with :data:`ANY` elements."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.exact = frozenset(p for p in paths if ANY not in p)
        self.patterns = tuple(p for p in paths if ANY in p)

    def __contains__(self, path: Path) -> bool:
        if path in self.exact:
            return True
        return any(
            len(p) == len(path) and all(a in (ANY, b) for a, b in zip(p, path, strict=True))
            for p in self.patterns
        )

    def with_(self, path: Path) -> _Marks:
        return _Marks([*self.exact, *self.patterns, path])


def _property(value: Any, path: Path, secrets: _Marks) -> PropertyValue:
    secret = path in secrets
    if isinstance(value, PropertyValue):
        return value.with_secret(True) if secret else value
    if isinstance(value, Secret):
        value, secret = value.reveal(), True
    if value is UNKNOWN:
        pv = PropertyValue(Computed())
    elif value is None or isinstance(value, bool | str | float):
        pv = PropertyValue(value)
    elif isinstance(value, int):
        pv = PropertyValue(float(value))  # bug #5: PropertyValue(5) raises TypeError
    elif isinstance(value, enum.Enum):
        return _property(value.value, path, secrets.with_(path) if secret else secrets)
    elif isinstance(value, dt.datetime | dt.date):
        pv = PropertyValue(value.isoformat())
    elif is_model(type(value)):
        return _property(unstructure(value), path, secrets.with_(path) if secret else secrets)
    elif isinstance(value, Mapping):
        pv = PropertyValue(
            {str(k): _property(v, (*path, str(k)), secrets) for k, v in value.items()}
        )
    elif isinstance(value, list | tuple | set | frozenset):
        pv = PropertyValue([_property(v, (*path, i), secrets) for i, v in enumerate(value)])
    elif isinstance(value, pulumi.Asset | pulumi.Archive | ResourceReference):
        pv = PropertyValue(value)
    else:
        raise TypeError(f"cannot send a {type(value).__name__} to Pulumi (at {_dotted(path)})")
    return pv.with_secret(True) if secret else pv


def secret_values(values: Mapping[str, Any], paths: Iterable[Path]) -> list[str]:
    """The string values found at ``paths`` (to scrub them from messages)."""
    found: list[str] = []

    def walk(value: Any, rest: Path) -> None:
        if not rest:
            if isinstance(value, str):
                found.append(value)
            return
        head, tail = rest[0], rest[1:]
        if head == ANY:
            items = value.values() if isinstance(value, Mapping) else value
            if isinstance(items, Iterable) and not isinstance(items, str):
                for item in items:
                    walk(item, tail)
            return
        try:
            walk(value[head], tail)
        except (KeyError, IndexError, TypeError):
            return

    for path in paths:
        walk(values, path)
    return found


def output_secrets(model: type | None, input_secrets: Iterable[Path] = ()) -> frozenset[Path]:
    """Paths to mark secret in outputs: the model's secret fields plus every secret input."""
    found: set[Path] = set(input_secrets)
    if model is not None and is_model(model):
        found |= secret_paths(model)
    return frozenset(found)


def _dotted(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


__all__ = [
    "ANY",
    "SIG_KEY",
    "UNKNOWN_SENTINELS",
    "UNKNOWN_STRING",
    "Path",
    "Plain",
    "from_plain",
    "marshal",
    "marshal_map",
    "output_secrets",
    "secret_values",
    "to_plain",
    "unmarshal",
    "unmarshal_map",
]
