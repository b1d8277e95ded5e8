"""Property values on the wire, encoded as the Pulumi *engine* encodes them
(docs/reference/pulumi-protocol.md#property-values-on-the-wire).

Deliberately independent of the SDK's ``PropertyValue`` helpers, which the provider uses for
decoding: a harness sharing the provider's codec would hide the codec's bugs
(docs/reference/pulumi-protocol.md#sdk-bugs-worked-around).

Program-side values are plain Python (``str``, ``bool``, ``int``/``float``, ``None``, lists,
dicts) plus three markers: :class:`Secret`, :class:`Unknown` and, on the way back only,
:class:`ResourceRef` / :class:`OutputValue`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from google.protobuf import struct_pb2

#: key that marks a special object (docs/reference/pulumi-protocol.md#signatures)
SIG_KEY: Final = "4dabf18193072939515e22adb298388d"
SECRET_SIG: Final = "1b47061264138c4ac30d75fd1eb44270"
ASSET_SIG: Final = "c44067f5952c0a294b673a41bacd8c17"
ARCHIVE_SIG: Final = "0def7320c3a5731c473e5ecbe6d01bc7"
RESOURCE_SIG: Final = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIG: Final = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
BYTES_SIG: Final = "803fd3297a5875dc03ca845dda5d2a98"

UnknownKind = Literal["string", "bool", "number", "array", "object", "asset", "archive"]

#: unknown ("computed") sentinels per expected type
#: (docs/reference/pulumi-protocol.md#unknown-sentinels)
UNKNOWN_SENTINELS: Final[dict[UnknownKind, str]] = {
    "string": "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "bool": "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "number": "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "array": "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "object": "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
    "asset": "030794c1-ac77-496b-92df-f27374a8bd58",
    "archive": "e48ece36-62e2-4504-bad9-02848725956a",
}
_SENTINEL_KINDS: Final[dict[str, UnknownKind]] = {v: k for k, v in UNKNOWN_SENTINELS.items()}
#: the unknown provider/resource id the engine uses during preview
UNKNOWN_ID: Final = UNKNOWN_SENTINELS["string"]


@dataclass(frozen=True)
class Secret:
    """A value the program marked secret; sent as a secret envelope."""

    value: Any

    def __repr__(self) -> str:  # keep test failure output from printing the secret
        return "Secret(<redacted>)"


@dataclass(frozen=True)
class Unknown:
    """A value not known yet (preview only); sent as the sentinel of its expected type."""

    kind: UnknownKind = "string"


@dataclass(frozen=True)
class ResourceRef:
    """A resource reference as the engine marshals it (``id`` may be unknown/empty)."""

    urn: str
    id: str | Unknown | None = None
    package_version: str = ""


@dataclass(frozen=True)
class OutputValue:
    """An output value (Construct/Call only); ``value`` absent means unknown."""

    value: Any = field(default_factory=Unknown)
    secret: bool = False
    dependencies: tuple[str, ...] = ()


class WireError(ValueError):
    """A value that the engine would refuse to marshal (e.g. an unknown outside preview)."""


_DROP = object()


def encode_value(
    value: Any,
    *,
    keep_secrets: bool = True,
    keep_unknowns: bool = True,
    reject_unknowns: bool = False,
) -> struct_pb2.Value:
    """Encode one program value as the engine would (numbers as doubles, envelopes, sentinels).

    ``keep_secrets=False`` strips envelopes (CheckConfig/DiffConfig, providers without
    ``acceptSecrets``); ``keep_unknowns=False`` drops unknowns from maps and lists as the
    engine does outside preview, or raises :class:`WireError` with ``reject_unknowns``.
    """
    encoded = _encode(value, keep_secrets, keep_unknowns, reject_unknowns)
    if encoded is _DROP:
        raise WireError("a top-level unknown cannot be encoded outside preview")
    assert isinstance(encoded, struct_pb2.Value)
    return encoded


def encode_struct(
    values: Mapping[str, Any],
    *,
    keep_secrets: bool = True,
    keep_unknowns: bool = True,
    reject_unknowns: bool = False,
) -> struct_pb2.Struct:
    """Encode a property map as a ``google.protobuf.Struct``."""
    out = struct_pb2.Struct()
    for key, item in values.items():
        encoded = _encode(item, keep_secrets, keep_unknowns, reject_unknowns)
        if encoded is not _DROP:
            assert isinstance(encoded, struct_pb2.Value)
            out.fields[key].CopyFrom(encoded)
    return out


def _special(sig: str, **fields: struct_pb2.Value) -> struct_pb2.Value:
    result = struct_pb2.Value()
    result.struct_value.fields[SIG_KEY].string_value = sig
    for key, item in fields.items():
        result.struct_value.fields[key].CopyFrom(item)
    return result


def _string(text: str) -> struct_pb2.Value:
    return struct_pb2.Value(string_value=text)


def _encode(value: Any, keep_secrets: bool, keep_unknowns: bool, reject: bool) -> object:
    if isinstance(value, Secret):
        inner = _encode(value.value, keep_secrets, keep_unknowns, reject)
        if inner is _DROP or not keep_secrets:
            return inner
        assert isinstance(inner, struct_pb2.Value)
        return _special(SECRET_SIG, value=inner)
    if isinstance(value, Unknown):
        if reject:
            raise WireError("unexpected unknown property value")
        if not keep_unknowns:
            return _DROP
        return _string(UNKNOWN_SENTINELS[value.kind])
    if isinstance(value, ResourceRef):
        ref_fields: dict[str, struct_pb2.Value] = {"urn": _string(value.urn)}
        if value.id is not None:
            ref_id = _encode(value.id, keep_secrets, keep_unknowns, reject)
            if ref_id is not _DROP:
                assert isinstance(ref_id, struct_pb2.Value)
                ref_fields["id"] = ref_id
        if value.package_version:
            ref_fields["packageVersion"] = _string(value.package_version)
        return _special(RESOURCE_SIG, **ref_fields)
    if isinstance(value, OutputValue):
        out_fields: dict[str, struct_pb2.Value] = {}
        if not isinstance(value.value, Unknown):  # absent value = unknown output
            inner = _encode(value.value, keep_secrets, keep_unknowns, reject)
            assert isinstance(inner, struct_pb2.Value)
            out_fields["value"] = inner
        if value.secret:  # omitted when false, as the engine does
            out_fields["secret"] = struct_pb2.Value(bool_value=True)
        if value.dependencies:
            deps = struct_pb2.Value()
            deps.list_value.values.extend(_string(d) for d in value.dependencies)
            out_fields["dependencies"] = deps
        return _special(OUTPUT_SIG, **out_fields)
    if value is None:
        return struct_pb2.Value(null_value=struct_pb2.NULL_VALUE)
    if isinstance(value, bool):
        return struct_pb2.Value(bool_value=value)
    if isinstance(value, int | float):
        number = float(value)  # all numbers are IEEE doubles on the wire
        if math.isnan(number) or math.isinf(number):
            raise WireError(f"number {value!r} cannot be encoded")
        return struct_pb2.Value(number_value=number)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        result = struct_pb2.Value()
        result.struct_value.SetInParent()
        for key, item in value.items():
            encoded = _encode(item, keep_secrets, keep_unknowns, reject)
            if encoded is not _DROP:
                assert isinstance(encoded, struct_pb2.Value)
                result.struct_value.fields[str(key)].CopyFrom(encoded)
        return result
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        result = struct_pb2.Value()
        result.list_value.SetInParent()
        for item in value:
            encoded = _encode(item, keep_secrets, keep_unknowns, reject)
            if encoded is not _DROP:
                assert isinstance(encoded, struct_pb2.Value)
                result.list_value.values.append(encoded)
        return result
    raise WireError(f"cannot encode {type(value).__name__} as a property value")


def decode_value(value: struct_pb2.Value) -> Any:
    """Decode a wire value into program values: envelopes → :class:`Secret`, sentinels →
    :class:`Unknown`, numbers stay ``float`` (as on the wire)."""
    kind = value.WhichOneof("kind")
    if kind is None or kind == "null_value":
        return None
    if kind == "bool_value":
        return value.bool_value
    if kind == "number_value":
        return value.number_value
    if kind == "string_value":
        text = value.string_value
        sentinel = _SENTINEL_KINDS.get(text)
        return Unknown(sentinel) if sentinel else text
    if kind == "list_value":
        return [decode_value(v) for v in value.list_value.values]
    fields = value.struct_value.fields
    sig_value = fields.get(SIG_KEY)
    if sig_value is None:
        return {k: decode_value(v) for k, v in fields.items()}
    sig = sig_value.string_value
    if sig == SECRET_SIG:
        if "value" not in fields:
            raise WireError("secret envelope without a value")
        return Secret(decode_value(fields["value"]))
    if sig == RESOURCE_SIG:
        ref_id = decode_value(fields["id"]) if "id" in fields else None
        return ResourceRef(
            urn=fields["urn"].string_value,
            id=ref_id,
            package_version=fields["packageVersion"].string_value
            if "packageVersion" in fields
            else "",
        )
    if sig == OUTPUT_SIG:
        deps = fields.get("dependencies")
        return OutputValue(
            value=decode_value(fields["value"]) if "value" in fields else Unknown(),
            secret=fields["secret"].bool_value if "secret" in fields else False,
            dependencies=tuple(v.string_value for v in deps.list_value.values) if deps else (),
        )
    # assets, archives, byte strings: kept as their raw object form
    return {k: decode_value(v) for k, v in fields.items()}


def decode_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    """Decode a property map."""
    return {key: decode_value(item) for key, item in struct.fields.items()}


def reveal(value: Any) -> Any:
    """``value`` with every :class:`Secret` unwrapped (recursively)."""
    if isinstance(value, Secret):
        return reveal(value.value)
    if isinstance(value, Mapping):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [reveal(v) for v in value]
    return value


def is_secret(value: Any) -> bool:
    """True for a top-level secret."""
    return isinstance(value, Secret)


def contains_unknown(value: Any) -> bool:
    """True if ``value`` holds an :class:`Unknown` anywhere inside it."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, Secret):
        return contains_unknown(value.value)
    if isinstance(value, OutputValue):
        return contains_unknown(value.value)
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def contains_secret(value: Any) -> bool:
    """True if ``value`` holds a :class:`Secret` anywhere inside it."""
    if isinstance(value, Secret):
        return True
    if isinstance(value, Mapping):
        return any(contains_secret(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_secret(v) for v in value)
    return False


def config_string(value: Any) -> str:
    """A stack config value as the engine hands it over: strings as-is, everything else JSON."""
    plain = reveal(value)
    if isinstance(plain, str):
        return plain
    return json.dumps(plain)
