"""Values not known yet (Pulumi preview): one sentinel the core understands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final


class _Unknown:
    """A value computed later; only seen during preview (Check, Diff, preview Create/Update)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Final = _Unknown()


def is_known(value: Any) -> bool:
    """True if ``value`` holds no unknown anywhere inside it."""
    if value is UNKNOWN:
        return False
    if isinstance(value, Mapping):
        return all(is_known(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(is_known(v) for v in value)
    return True
