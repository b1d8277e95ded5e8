"""Field metadata for resource and function models, and the wire converter.

Models are ``attrs`` classes. Each field carries a :class:`Prop` in its metadata saying how it
is shown to Pulumi (wire name, description, secret) and how it behaves (replace on change,
output only, how values compare). The schema, the diff and the wire conversion are all
derived from it, so a plugin declares a property exactly once.

A kind's outputs model extends its inputs model (``class XOutputs(XInputs)``) and adds only
what DeltaStream computes (:func:`output` fields), so an input's rules and marks cannot drift
between the two. A nested model (a block such as a store's ``kafka`` settings, or a lookup's
row type) appears in the schema's ``types`` as ``deltastream:index:<ClassName>`` unless it
declares ``TYPE_TOKEN: ClassVar[str]``. An input's scalar default is emitted in the schema.
"""

from __future__ import annotations

import collections.abc
import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from deltastream_core.secrets import Secret

T = TypeVar("T")

_META_KEY = "deltastream"


@attrs.frozen
class Prop:
    """What the provider knows about one property."""

    description: str
    #: a change forces replacement (the object cannot be altered in place)
    replace: bool = False
    #: secret in the schema, in outputs and in logs
    secret: bool = False
    #: computed by DeltaStream, never an input
    output: bool = False
    #: the camelCase wire name; derived from the attribute name when empty
    wire: str = ""
    #: maps a value to its comparison form (e.g. whitespace-normalized SQL)
    normalize: Callable[[Any], Any] | None = None
    #: a deprecation message shown in the schema and SDKs
    deprecated: str = ""
    #: required input even though the attrs field has a default (e.g. defaults filled by Check)
    required: bool | None = None
    #: validates a known value; returns why it is invalid, or None (e.g. ``sql.name_problem``)
    check: Callable[[Any], str | None] | None = None
    #: an absent new value means "keep what exists" rather than a change (e.g. ``owner``,
    #: which DeltaStream fills with the creating role)
    keep_when_absent: bool = False
    #: the allowed values of a keyword-like input (compared after ``normalize``); a prop
    #: declared with choices and no ``check`` gets a "must be one of …" check, and the
    #: contract kit's :func:`~deltastream_pulumi.testing.contract.strategies_for` draws from them
    choices: tuple[str, ...] = ()


def camel(name: str) -> str:
    """``sink_relation_fqn`` → ``sinkRelationFqn``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def prop(
    description: str,
    *,
    default: Any = attrs.NOTHING,
    factory: Callable[[], Any] | None = None,
    replace: bool = False,
    secret: bool = False,
    wire: str = "",
    normalize: Callable[[Any], Any] | None = None,
    deprecated: str = "",
    required: bool | None = None,
    check: Callable[[Any], str | None] | None = None,
    keep_when_absent: bool = False,
    choices: tuple[str, ...] | list[str] = (),
) -> Any:
    """An input property (also echoed as an output)."""
    choices = tuple(choices)
    if choices and check is None:
        check = one_of(choices, normalize)
    meta = Prop(
        description,
        replace=replace,
        secret=secret,
        wire=wire,
        normalize=normalize,
        deprecated=deprecated,
        required=required,
        check=check,
        keep_when_absent=keep_when_absent,
        choices=choices,
    )
    kwargs: dict[str, Any] = {"metadata": {_META_KEY: meta}}
    if factory is not None:
        kwargs["factory"] = factory
    else:
        kwargs["default"] = default
    if secret:
        kwargs["repr"] = False
    return attrs.field(**kwargs)


def one_of(
    choices: tuple[str, ...], normalize: Callable[[Any], Any] | None = None
) -> Callable[[Any], str | None]:
    """A ``prop(check=...)`` rule: the value (after ``normalize``) is one of ``choices``."""
    same = normalize or (lambda value: value)
    allowed = frozenset(same(c) for c in choices)
    message = f"must be one of {', '.join(choices)}"

    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return None  # the wrong type is the converter's error
        return None if same(value) in allowed else message

    return check


def output(description: str, *, default: Any = None, secret: bool = False, wire: str = "") -> Any:
    """An output-only property, computed by DeltaStream."""
    meta = Prop(description, output=True, secret=secret, wire=wire)
    return attrs.field(default=default, metadata={_META_KEY: meta}, repr=not secret)


def meta_of(field: attrs.Attribute[Any]) -> Prop:
    found = field.metadata.get(_META_KEY)
    if found is None:
        raise TypeError(
            f"field {field.name!r} has no Prop metadata; declare it with prop()/output()"
        )
    return typing.cast(Prop, found)


def wire_name(field: attrs.Attribute[Any]) -> str:
    meta = meta_of(field)
    return meta.wire or camel(field.name)


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    # get_type_hints re-evaluates every annotation; models are immutable classes, so once is enough
    return typing.get_type_hints(cls)


def resolved_type(cls: type, field: attrs.Attribute[Any]) -> Any:
    """The field's annotation with string annotations resolved."""
    return _type_hints(cls)[field.name]


def strip_optional(tp: Any) -> tuple[Any, bool]:
    """``X | None`` → ``(X, True)``; anything else → ``(tp, False)``."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return args[0], True
    return tp, False


def list_item_type(tp: Any) -> Any:
    """``list[X]`` (or another sequence/set) → ``X``; anything else → None."""
    if typing.get_origin(tp) in (list, tuple, collections.abc.Sequence, set, frozenset):
        args = typing.get_args(tp)
        return args[0] if args else None
    return None


def map_value_type(tp: Any) -> Any:
    """``dict[K, V]`` (or a Mapping) → ``V``; anything else → None."""
    if typing.get_origin(tp) in (dict, collections.abc.Mapping):
        args = typing.get_args(tp)
        return args[1] if len(args) == 2 else None
    return None


def is_required_input(field: attrs.Attribute[Any]) -> bool:
    meta = meta_of(field)
    if meta.output:
        return False
    if meta.required is not None:
        return meta.required
    return field.default is attrs.NOTHING


def input_fields(cls: type) -> list[attrs.Attribute[Any]]:
    return [f for f in attrs.fields(cls) if not meta_of(f).output]


def all_fields(cls: type) -> list[attrs.Attribute[Any]]:
    return list(attrs.fields(cls))


def is_model(cls: Any) -> bool:
    """True for attrs classes built from :func:`prop`/:func:`output` fields."""
    return (
        isinstance(cls, type)
        and attrs.has(cls)
        and all(_META_KEY in f.metadata for f in attrs.fields(cls))
    )


def _structure_secret(value: Any, _: type) -> Secret:
    if isinstance(value, Secret):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return Secret(value)


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _structure_bool(value: Any, _: type) -> bool:
    # Config and explicit-provider inputs arrive as strings ("true"); accept both forms.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise TypeError(f"expected true or false, got {value!r}")


def _structure_int(value: Any, _: type) -> int:
    # Pulumi sends every number as a double; accept integral floats and numeric strings.
    if isinstance(value, bool):
        raise TypeError(f"expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise TypeError(f"expected an integer, got {value!r}")


@functools.cache
def converter() -> cattrs.Converter:
    """The wire converter: camelCase names, secrets wrapped, strict scalar types."""
    conv = cattrs.Converter(forbid_extra_keys=False, omit_if_default=False)
    conv.register_structure_hook(Secret, _structure_secret)
    conv.register_unstructure_hook(Secret, lambda s: s.reveal())
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(int, _structure_int)

    def structure_factory(cls: Any) -> Any:
        renames = {f.name: override(rename=wire_name(f)) for f in attrs.fields(cls)}
        return make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=False, **renames)  # type: ignore[arg-type]

    def unstructure_factory(cls: Any) -> Any:
        renames = {
            f.name: override(rename=wire_name(f), omit_if_default=False) for f in attrs.fields(cls)
        }
        base = make_dict_unstructure_fn(cls, conv, **renames)  # type: ignore[arg-type]

        def unstructure(obj: Any) -> dict[str, Any]:
            # Absent and null mean the same to Pulumi; dropping None keeps state tidy.
            return {k: v for k, v in base(obj).items() if v is not None}

        return unstructure

    conv.register_structure_hook_factory(is_model, structure_factory)
    conv.register_unstructure_hook_factory(is_model, unstructure_factory)
    return conv


def structure(cls: type[T], data: Mapping[str, Any]) -> T:
    """Build a model from wire data (camelCase keys). Raises ``cattrs`` errors on bad types."""
    return converter().structure(dict(data), cls)


def unstructure(obj: Any) -> dict[str, Any]:
    """Model → wire dict (camelCase keys, secrets revealed, None dropped)."""
    return typing.cast(dict[str, Any], converter().unstructure(obj))


#: a path element standing for any index or key: secrets inside lists and maps of models
ANY_ITEM: Final = "\x00*"


def secret_paths(cls: type, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Wire paths of every secret property of ``cls``, nested models included (inside a list
    or map of models, the index or key is :data:`ANY_ITEM`)."""
    return set(_secret_paths(cls, prefix))


@functools.cache
def _secret_paths(cls: type, prefix: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for field in attrs.fields(cls):
        meta = meta_of(field)
        path = (*prefix, wire_name(field))
        if meta.secret:
            found.add(path)
        inner, _ = strip_optional(resolved_type(cls, field))
        if is_model(inner):
            found |= _secret_paths(inner, path)
            continue
        item = list_item_type(inner) or map_value_type(inner)
        item, _ = strip_optional(item)
        if is_model(item):
            found |= _secret_paths(item, (*path, ANY_ITEM))
    return frozenset(found)
