"""The WITH clause of ``CREATE STORE`` / ``UPDATE STORE``: one :class:`Pair` per key.

Value forms (contract §5.3): keywords (the store type, the SASL hash function) and booleans
go bare, ``NULL`` unsets a key in ``UPDATE STORE``, everything else is a string literal
escaped by :func:`deltastream_core.sql.quote_literal` — the only place literals are escaped.
A keyword is only ever rendered from a fixed allow-list, so no user text reaches the SQL
unquoted.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from deltastream_core.ports import Statement
from deltastream_core.sql import quote_identifier, quote_literal


class Form(enum.Enum):
    """How a key's value is written in the WITH clause."""

    TEXT = "text"  # 'quoted string'
    BOOL = "bool"  # TRUE / FALSE
    KEYWORD = "keyword"  # bare word from an allow-list (SHA512, KAFKA)
    ATTACHMENT = "attachment"  # '@name' naming a multipart attachment


@attrs.frozen
class Pair:
    """One ``'key' = value`` of the WITH clause and what travels with it.

    ``compare`` is what decides whether the key changed between two configurations (for an
    attachment: the input value, never the loaded bytes, so a vanished old file does not
    matter); ``load`` produces the attachment bytes only when the key is actually sent.
    """

    key: str
    sql: str
    compare: Any
    secret: str | None = None
    attachment: str | None = None
    load: Callable[[], bytes] | None = attrs.field(default=None, eq=False)

    @classmethod
    def text(cls, key: str, value: str, *, secret: bool = False) -> Pair:
        return cls(key, quote_literal(value), value, secret=value if secret else None)

    @classmethod
    def boolean(cls, key: str, value: bool) -> Pair:
        return cls(key, "TRUE" if value else "FALSE", value)

    @classmethod
    def keyword(cls, key: str, value: str, allowed: Iterable[str]) -> Pair:
        word = value.strip().upper()
        if word not in set(allowed):  # Check rejects these first; this guards the SQL anyway
            raise ValueError(f"{key}: {value!r} is not one of {sorted(allowed)}")
        return cls(key, word, word)

    @classmethod
    def attached(
        cls, key: str, name: str, compare: Any, load: Callable[[], bytes], *, secret: bool
    ) -> Pair:
        return cls(
            key,
            quote_literal(name),
            compare,
            secret=compare if secret and isinstance(compare, str) else None,
            attachment=name,
            load=load,
        )

    @classmethod
    def null(cls, key: str) -> Pair:
        return cls(key, "NULL", None)


def _clause(pairs: Iterable[Pair]) -> str:
    return ", ".join(f"{quote_literal(p.key)} = {p.sql}" for p in pairs)


def _attachments(pairs: Iterable[Pair]) -> dict[str, bytes]:
    return {p.attachment: p.load() for p in pairs if p.attachment and p.load is not None}


def _secrets(pairs: Iterable[Pair]) -> tuple[str, ...]:
    return tuple(p.secret for p in pairs if p.secret)


def create_statement(name: str, type_keyword: str, pairs: list[Pair], **kw: Any) -> Statement:
    """``CREATE STORE "name" WITH ( 'type' = KEYWORD, <pairs in their fixed order> );``"""
    everything = [Pair("type", type_keyword, type_keyword), *pairs]
    return Statement(
        f"CREATE STORE {quote_identifier(name)} WITH ( {_clause(everything)} );",
        attachments=_attachments(pairs),
        secrets=_secrets(pairs),
        **kw,
    )


def changed_pairs(old: list[Pair], new: list[Pair]) -> list[Pair]:
    """Keys to send in ``UPDATE STORE``: changed or added ones (new order), then removed ones
    as ``NULL`` (old order). Switching e.g. Kafka's auth mode thus clears the other mode's keys.
    """
    before: Mapping[str, Pair] = {p.key: p for p in old}
    after = {p.key for p in new}
    changed = [p for p in new if p.key not in before or before[p.key].compare != p.compare]
    removed = [Pair.null(p.key) for p in old if p.key not in after]
    return changed + removed


def update_statement(name: str, pairs: list[Pair]) -> Statement:
    """``UPDATE STORE "name" WITH ( <changed pairs> );`` with changed attachments re-sent."""
    return Statement(
        f"UPDATE STORE {quote_identifier(name)} WITH ( {_clause(pairs)} );",
        attachments=_attachments(pairs),
        secrets=_secrets(pairs),
    )
