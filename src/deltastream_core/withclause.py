"""WITH clauses (``CREATE STORE x WITH ('k' = v, …)``, ``UPDATE …``): declared, not written.

A kind declares an ordered tuple of :class:`KeySpec` (input attribute → WITH key and value
form); :func:`pairs_of` turns a configured model into :class:`Pair` values in that fixed
order, and :func:`with_statement` renders them with the attachments and secrets that travel
along. Value forms: keywords (a type, a hash function), booleans and numbers
(:attr:`Form.NUMBER`) go bare, ``NULL`` unsets a key in an update, everything else is a
string literal escaped by
:func:`deltastream_core.sql.quote_literal`, the only place literals are escaped. A keyword is
only ever rendered from a fixed allow-list, so no user text reaches the SQL unquoted. Part of
the public authoring API.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from deltastream_core.ports import Statement
from deltastream_core.secrets import reveal
from deltastream_core.sql import quote_literal


class Form(enum.Enum):
    """How a key's value is written in the WITH clause."""

    TEXT = "text"  # 'quoted string'
    BOOL = "bool"  # TRUE / FALSE
    KEYWORD = "keyword"  # bare word from an allow-list (SHA512, KAFKA)
    ATTACHMENT = "attachment"  # '@name' naming a multipart attachment
    NUMBER = "number"  # a bare integer (a port)


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
    def number(cls, key: str, value: int) -> Pair:
        return cls(key, str(int(value)), int(value))

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


def clause(pairs: Iterable[Pair]) -> str:
    return ", ".join(f"{quote_literal(p.key)} = {p.sql}" for p in pairs)


def attachments(pairs: Iterable[Pair]) -> dict[str, bytes]:
    return {p.attachment: p.load() for p in pairs if p.attachment and p.load is not None}


def secrets(pairs: Iterable[Pair]) -> tuple[str, ...]:
    return tuple(p.secret for p in pairs if p.secret)


@attrs.frozen
class KeySpec:
    """One input attribute and the WITH key it becomes."""

    attr: str
    key: str
    form: Form = Form.TEXT
    #: keywords allowed for :attr:`Form.KEYWORD`
    allowed: tuple[str, ...] = ()
    #: the attachment name the WITH clause uses for :attr:`Form.ATTACHMENT` (e.g. ``@cacert``)
    attachment: str = ""
    #: turns the input value into the attachment bytes (read a file, decode base64, …)
    loader: Callable[[str], bytes] | None = None


def pair_for(spec: KeySpec, value: Any, secret: bool) -> Pair:
    """The pair of one configured value."""
    if spec.form is Form.BOOL:
        return Pair.boolean(spec.key, bool(value))
    if spec.form is Form.KEYWORD:
        return Pair.keyword(spec.key, str(value), spec.allowed)
    if spec.form is Form.NUMBER:
        return Pair.number(spec.key, int(value))
    text = reveal(value) or ""
    if spec.form is Form.ATTACHMENT:
        loader = spec.loader or (lambda s: s.encode())
        return Pair.attached(spec.key, spec.attachment, text, lambda: loader(text), secret=secret)
    return Pair.text(spec.key, text, secret=secret)


def pairs_of(keys: Iterable[KeySpec], values: Any, secret_attrs: Iterable[str] = ()) -> list[Pair]:
    """The pairs of ``values`` (a model) in the declared order; unset attributes are left out."""
    secret = set(secret_attrs)
    out: list[Pair] = []
    for spec in keys:
        value = getattr(values, spec.attr)
        if value is None or value == "":
            continue
        out.append(pair_for(spec, value, spec.attr in secret))
    return out


def with_statement(head: str, pairs: list[Pair], **kw: Any) -> Statement:
    """``<head> WITH ( <pairs> );`` with the pairs' attachments and redacted secrets."""
    return Statement(
        f"{head} WITH ( {clause(pairs)} );",
        attachments=attachments(pairs),
        secrets=secrets(pairs),
        **kw,
    )


def changed_pairs(old: list[Pair], new: list[Pair]) -> list[Pair]:
    """Keys to send in an update: changed or added ones (new order), then removed ones as
    ``NULL`` (old order). Switching e.g. Kafka's auth mode thus clears the other mode's keys.
    """
    before: Mapping[str, Pair] = {p.key: p for p in old}
    after = {p.key for p in new}
    changed = [p for p in new if p.key not in before or before[p.key].compare != p.compare]
    removed = [Pair.null(p.key) for p in old if p.key not in after]
    return changed + removed
