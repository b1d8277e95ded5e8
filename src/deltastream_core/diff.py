"""Diffs derived from field metadata: none / update / replace, per property path.

Old values come from the *old inputs* (the Pulumi adapter restores them, working around the
SDK dropping ``old_inputs``); unknown new values (preview) always count as changed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs

from deltastream_core.model import (
    input_fields,
    is_model,
    meta_of,
    resolved_type,
    strip_optional,
    wire_name,
)
from deltastream_core.secrets import Secret
from deltastream_core.unknown import UNKNOWN


class DiffKind(enum.Enum):
    """Mirrors Pulumi's PropertyDiff.Kind without importing it."""

    ADD = "add"
    ADD_REPLACE = "add_replace"
    DELETE = "delete"
    DELETE_REPLACE = "delete_replace"
    UPDATE = "update"
    UPDATE_REPLACE = "update_replace"

    @property
    def replaces(self) -> bool:
        return self.value.endswith("_replace")

    def with_replace(self) -> DiffKind:
        return self if self.replaces else DiffKind(self.value + "_replace")


@attrs.frozen
class DiffResult:
    """What changed: top-level keys, replacements, and a detailed diff by property path."""

    detailed: Mapping[str, DiffKind] = attrs.field(factory=dict)
    delete_before_replace: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.detailed)

    @property
    def diffs(self) -> list[str]:
        return sorted({_top(path) for path in self.detailed})

    @property
    def replaces(self) -> list[str]:
        return sorted({_top(p) for p, k in self.detailed.items() if k.replaces})


def _top(path: str) -> str:
    for i, ch in enumerate(path):
        if ch in ".[":
            return path[:i]
    return path


def _plain(value: Any) -> Any:
    if isinstance(value, Secret):
        return value.reveal()
    return value


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {}


def _same(a: Any, b: Any, normalize: Any) -> bool:
    a, b = _plain(a), _plain(b)
    if normalize is not None and a is not None and b is not None:
        return bool(normalize(a) == normalize(b))
    return bool(a == b)


def diff_inputs(
    model: type,
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    *,
    delete_before_replace: bool,
    prefix: str = "",
    force_replace: bool = False,
) -> DiffResult:
    """Compare old and new *inputs* (wire-named dicts, unknowns allowed in ``news``)."""
    detailed: dict[str, DiffKind] = {}
    for field in input_fields(model):
        meta = meta_of(field)
        key = wire_name(field)
        path = f"{prefix}{key}"
        old, new = olds.get(key), news.get(key)
        replace = force_replace or meta.replace
        inner, _ = strip_optional(resolved_type(model, field))
        if new is UNKNOWN:
            detailed[path] = DiffKind.UPDATE_REPLACE if replace else DiffKind.UPDATE
            continue
        if _empty(new) and (_empty(old) or meta.keep_when_absent):
            continue
        if is_model(inner) and isinstance(old, Mapping) and isinstance(new, Mapping):
            nested = diff_inputs(
                inner, old, new, delete_before_replace=False, prefix=f"{path}.",
                force_replace=replace,
            )  # fmt: skip
            detailed.update(nested.detailed)
            continue
        if _empty(old):
            kind = DiffKind.ADD
        elif _empty(new):
            kind = DiffKind.DELETE
        elif _same(old, new, meta.normalize):
            continue
        else:
            kind = DiffKind.UPDATE
        detailed[path] = kind.with_replace() if replace else kind
    replaces = any(k.replaces for k in detailed.values())
    return DiffResult(detailed, delete_before_replace=delete_before_replace and replaces)
