"""The WITH clause of ``CREATE STORE`` / ``UPDATE STORE`` (see :mod:`deltastream_core.withclause`;
the value forms are in ``docs/reference/deltastream-sql.md``)."""

from __future__ import annotations

from typing import Any

from deltastream_core.ports import Statement
from deltastream_core.sql import quote_identifier
from deltastream_core.withclause import Form, Pair, changed_pairs, with_statement

__all__ = ["Form", "Pair", "changed_pairs", "create_statement", "update_statement"]


def create_statement(name: str, type_keyword: str, pairs: list[Pair], **kw: Any) -> Statement:
    """``CREATE STORE "name" WITH ( 'type' = KEYWORD, <pairs in their fixed order> );``"""
    everything = [Pair("type", type_keyword, type_keyword), *pairs]
    return with_statement(f"CREATE STORE {quote_identifier(name)}", everything, **kw)


def update_statement(name: str, pairs: list[Pair]) -> Statement:
    """``UPDATE STORE "name" WITH ( <changed pairs> );`` with changed attachments re-sent."""
    return with_statement(f"UPDATE STORE {quote_identifier(name)}", pairs)
