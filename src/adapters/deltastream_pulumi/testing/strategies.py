"""Hypothesis strategies for a kind's inputs, derived from its attrs model.

:func:`strategies_for` reads each input field's type and :func:`~deltastream_core.model.prop`
metadata (wire name, ``check``, ``normalize``, ``choices``, default, ``secret``) and builds a
strategy of wire-shaped input dicts (camelCase keys, :class:`~deltastream_pulumi.testing.Secret`
for secret values) that a :class:`~deltastream_pulumi.testing.contract.KindContract` can use as
its ``inputs``. Rules, per field:

- an override (by attribute or wire name; a dotted path reaches into a nested block) wins;
  an override of ``None`` leaves the field out;
- a field with ``keep_when_absent`` (an owner: its absence means "keep what DeltaStream
  filled in") is left out; a value for it must name something that exists, so override it;
- a name (``check=check_name``) is drawn from :func:`~deltastream_pulumi.testing.contract.names`
  and always present, so every example names a new object; a field referring to another
  object (a namespace's ``database``) needs an override with the prerequisite's name;
- ``choices`` are drawn as declared and, when ``normalize`` folds case, in the other case too
  (the comparison form must round-trip);
- other scalars (text, secrets, booleans, integers, maps and lists of text) are drawn from
  conservative alphabets; nested models become nested dicts derived the same way;
- a field with a default is sometimes left out (hypothesis' ``optional``), unless it is a
  name or a block with a dotted override inside;
- every drawn value passes the field's ``check`` (values it refuses are filtered out).

A field it cannot derive raises :class:`TypeError` naming the field and asking for an override.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import attrs
from hypothesis import strategies as st

from deltastream_core.model import (
    input_fields,
    is_model,
    is_required_input,
    list_item_type,
    map_value_type,
    meta_of,
    resolved_type,
    strip_optional,
    wire_name,
)
from deltastream_core.rows import check_name
from deltastream_core.secrets import Secret as CoreSecret
from deltastream_pulumi.testing.wire import Secret

#: what an override may be: a strategy for the field's wire value, or None to leave it out
Override = st.SearchStrategy[Any] | None

#: plain text that survives a round trip through DeltaStream: no edge whitespace, quotes kept
TEXT = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 '_.,:-]{0,20}[A-Za-z0-9.]", fullmatch=True)
#: secret values: any printable UTF-8 (they are never read back)
SECRET_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=4)
_KEYS = st.from_regex(r"[a-z][a-z0-9]{0,7}(\.[a-z][a-z0-9]{0,7})?", fullmatch=True)


def names(prefix: str = "k") -> st.SearchStrategy[str]:
    """Valid, unique object names: generated stems made unique per draw (the kit's examples
    share one server)."""
    stem = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
    return stem.map(lambda s: f"{prefix}{s}_{uuid.uuid4().hex[:8]}")


def strategies_for(
    model: type[Any],
    overrides: Mapping[str, Override] | None = None,
    *,
    prefix: str = "",
) -> st.SearchStrategy[dict[str, Any]]:
    """A strategy of valid wire inputs for ``model`` (a kind's inputs class); see the module
    doc for the rules. ``prefix`` starts generated names (default: the model's first
    letters)."""
    if not is_model(model):
        raise TypeError(f"{model!r} is not a model declared with prop()/output() fields")
    overrides = dict(overrides or {})
    stem = prefix or model.__name__.removesuffix("Inputs").lower()[:8] or "k"
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for field in input_fields(model):
        wire = wire_name(field)
        nested = {
            key.split(".", 1)[1]: value
            for key, value in overrides.items()
            if key.split(".", 1)[0] in (field.name, wire) and "." in key
        }
        if field.name in overrides or wire in overrides:
            chosen = overrides.get(field.name, overrides.get(wire))
            if chosen is not None:
                required[wire] = chosen
            continue
        meta = meta_of(field)
        if meta.keep_when_absent:
            continue
        strategy = _field_strategy(model, field, nested, stem)
        # a name is always drawn (a new object each example); a block overridden inside too
        if meta.check is check_name or nested or is_required_input(field):
            required[wire] = strategy
        else:
            optional[wire] = strategy
    return st.fixed_dictionaries(required, optional=optional)


def _field_strategy(
    model: type[Any], field: attrs.Attribute[Any], nested: dict[str, Override], stem: str
) -> st.SearchStrategy[Any]:
    meta = meta_of(field)
    tp, _ = strip_optional(resolved_type(model, field))
    if is_model(tp):
        return strategies_for(tp, nested, prefix=stem)
    strategy: st.SearchStrategy[Any]
    if meta.check is check_name:
        return names(stem)
    if meta.choices:
        strategy = st.sampled_from(_spellings(meta.choices, meta.normalize))
    elif tp is CoreSecret:
        passes = _passes(meta.check)
        return SECRET_TEXT.filter(lambda v: passes(CoreSecret(v))).map(Secret)
    else:
        strategy = _scalar(tp, f"{model.__name__}.{field.name}")
    return strategy.filter(_passes(meta.check))


def _scalar(tp: Any, where: str) -> st.SearchStrategy[Any]:
    if tp is str:
        return TEXT
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(min_value=0, max_value=10_000)
    if map_value_type(tp) is str:
        return st.dictionaries(_KEYS, TEXT, min_size=1, max_size=2)
    if list_item_type(tp) is str:
        return st.lists(TEXT, min_size=1, max_size=3)
    name = where.rsplit(".", 1)[-1]
    raise TypeError(
        f"cannot derive a strategy for {where} ({tp!r}); pass overrides={{{name!r}: …}}"
    )


def _spellings(choices: tuple[str, ...], normalize: Any) -> list[str]:
    """The choices, and their other-case spellings where ``normalize`` makes them equal."""
    found = list(choices)
    if normalize is None:
        return found
    for choice in choices:
        for other in (choice.upper(), choice.lower()):
            if other not in found and normalize(other) == normalize(choice):
                found.append(other)
    return found


def _passes(check: Any) -> Any:
    if check is None:
        return lambda value: True

    def passes(value: Any) -> bool:
        return check(value) is None

    return passes
