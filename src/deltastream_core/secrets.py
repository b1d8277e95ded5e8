"""An explicit wrapper for secret values: it never prints itself."""

from __future__ import annotations

import attrs


@attrs.frozen(repr=False)
class Secret:
    """A secret string (password, key, token). ``str``/``repr`` render ``<redacted>``.

    Call :meth:`reveal` at the one place the value must leave the process (SQL text or an
    attachment); the SQL tracer redacts revealed values again before logging.
    """

    _value: str = attrs.field(alias="value")

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret(<redacted>)"

    def __str__(self) -> str:
        return "<redacted>"


def reveal(value: str | Secret | None) -> str | None:
    """The plain text of a value that may or may not be wrapped."""
    if isinstance(value, Secret):
        return value.reveal()
    return value
