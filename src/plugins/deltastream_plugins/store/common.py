"""What every store type shares: key specs, the :class:`StoreType` base, raw-input rules.

A store type is declared as an ordered tuple of
:class:`~deltastream_core.withclause.KeySpec` (input attribute → WITH key and value form).
From that one declaration come the ``CREATE STORE`` pairs (in a fixed order), the
``UPDATE STORE`` change set, the secret values to redact, and import (DESCRIBE properties
back to inputs). Types add their cross-field rules in :meth:`StoreType.rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import attrs

from deltastream_core.kinds import CheckFailure
from deltastream_core.model import input_fields, meta_of, wire_name
from deltastream_core.secrets import Secret, reveal
from deltastream_core.unknown import UNKNOWN
from deltastream_core.withclause import Form, KeySpec, Pair, pairs_of

__all__ = ["KeySpec", "StoreType", "forbid", "require"]

_TRUE = {"true", "1", "yes"}
#: what DeltaStream assumes for a boolean key that was never set
BOOL_DEFAULTS = {"tls.disabled": False, "tls.verify_server_hostname": True}


def details_key(key: str) -> str:
    """``kafka.sasl.hash_function`` → ``details:sasl_hash_function`` (DESCRIBE's short form)."""
    short = key.split(".", 1)[1] if "." in key else key
    return "details:" + short.replace(".", "_")


def is_set(value: Any) -> bool:
    """Present in raw inputs: not absent, null or empty (an unknown value counts as set)."""
    return value is UNKNOWN or value not in (None, "")


def known_text(value: Any) -> str | None:
    """The plain text of a known string (secrets revealed), else None."""
    if value is UNKNOWN or value is None:
        return None
    if isinstance(value, Secret):
        return value.reveal()
    return value if isinstance(value, str) else None


def one_of(allowed: tuple[str, ...]) -> Callable[[Any], str | None]:
    """A ``Prop.check`` accepting ``allowed`` case-insensitively."""

    def check(value: Any) -> str | None:
        if isinstance(value, str) and value.strip().upper() in allowed:
            return None
        return f"must be one of {', '.join(allowed)} (case-insensitive), got {value!r}"

    return check


def upper(value: Any) -> Any:
    """Comparison form of keywords: ``sha512`` and ``SHA512`` are the same setting."""
    return value.strip().upper() if isinstance(value, str) else value


class StoreType:
    """One kind of store: its input block, type keyword and WITH keys."""

    #: the block's wire name in the Store resource (``kafka``, ``confluentKafka``, …)
    block: ClassVar[str]
    #: the bare keyword of ``'type' = …``
    keyword: ClassVar[str]
    #: the ``type`` values of ``deltastream.sys."stores"`` meaning this type (any case)
    catalog_types: ClassVar[tuple[str, ...]]
    #: the attrs model of the block
    model: ClassVar[type[Any]]
    keys: ClassVar[tuple[KeySpec, ...]]
    #: the secret input (wire name) a password belongs in, instead of the ``uris``
    credential_input: ClassVar[str]
    #: non-secret inputs DeltaStream does not return (DESCRIBE hides them like secrets), so an
    #: import cannot rebuild them
    unreturned: ClassVar[tuple[str, ...]] = ()
    #: why the type is experimental (the only evidence for its keys), or "" when it is not
    experimental: ClassVar[str] = ""

    @classmethod
    def attr(cls) -> str:
        """The block's attribute in the Store models (``confluentKafka`` → ``confluent_kafka``)."""
        return "".join(f"_{c.lower()}" if c.isupper() else c for c in cls.block)

    # -- check ----------------------------------------------------------------------------
    def rules(self, raw: Mapping[str, Any], prefix: str) -> list[CheckFailure]:
        """Cross-field rules on the raw block (unknowns allowed); every failure at once."""
        return []

    # -- SQL --------------------------------------------------------------------------------
    def pairs(self, block: Any) -> list[Pair]:
        """The WITH pairs of a configured block, in the type's fixed order."""
        return pairs_of(self.keys, block, self.secret_attrs())

    def secret_values(self, block: Any) -> tuple[str, ...]:
        """Every secret input value of the block (for redaction of anything logged)."""
        found = []
        for field in attrs.fields(type(block)):
            if meta_of(field).secret:
                text = reveal(getattr(block, field.name))
                if text:
                    found.append(text)
        return tuple(found)

    # -- metadata -----------------------------------------------------------------------------
    @classmethod
    def secret_attrs(cls) -> set[str]:
        return {f.name for f in input_fields(cls.model) if meta_of(f).secret}

    @classmethod
    def secret_inputs(cls) -> list[str]:
        """Wire paths (``kafka.saslPassword``) of the secret inputs, for import hints."""
        return [f"{cls.block}.{wire_name(f)}" for f in input_fields(cls.model) if meta_of(f).secret]

    # -- import -------------------------------------------------------------------------------
    def inputs_from_properties(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Wire inputs of the block rebuilt from catalog properties (secrets are left out).

        ``props`` maps WITH keys (or ``details:<short key>``, see
        :func:`details_key`) to values. Booleans equal to
        the service default are left out so an import of a store created without them diffs
        clean.
        """
        names = {f.name: wire_name(f) for f in input_fields(self.model)}
        secret = self.secret_attrs()
        out: dict[str, Any] = {}
        for spec in self.keys:
            if spec.attr in secret or spec.form is Form.ATTACHMENT:
                continue
            value = props.get(spec.key, props.get(details_key(spec.key)))
            if value is None or value == "":
                continue
            if spec.form is Form.BOOL:
                flag = value if isinstance(value, bool) else str(value).lower() in _TRUE
                if flag != BOOL_DEFAULTS.get(spec.key):
                    out[names[spec.attr]] = flag
            elif spec.form is Form.NUMBER:
                out[names[spec.attr]] = int(value)
            else:
                out[names[spec.attr]] = str(value)
        return out

    def matches(self, catalog_type: str | None) -> bool:
        return (catalog_type or "").replace("_", "").lower() in {
            t.replace("_", "").lower() for t in (*self.catalog_types, self.keyword)
        }


def require(
    raw: Mapping[str, Any], prefix: str, keys: tuple[str, ...], why: str
) -> list[CheckFailure]:
    """A failure for each of ``keys`` that is not set."""
    return [
        CheckFailure(f"{prefix}{k}", f"is required {why}") for k in keys if not is_set(raw.get(k))
    ]


def forbid(
    raw: Mapping[str, Any], prefix: str, keys: tuple[str, ...], why: str
) -> list[CheckFailure]:
    """A failure for each of ``keys`` that is set."""
    return [
        CheckFailure(f"{prefix}{k}", f"must not be set {why}") for k in keys if is_set(raw.get(k))
    ]
