"""The only place SQL text is escaped: identifiers, literals, qualified names, name rules.

DeltaStream quotes identifiers with double quotes (an embedded ``"`` doubled) and strings with
single quotes (an embedded ``'`` doubled). Every name the provider sends is quoted, so names are
taken literally and keep their case.
"""

from __future__ import annotations

import unicodedata

#: Longest name accepted; DeltaStream has a NameTooLong sqlState (42622).
MAX_NAME_LENGTH = 255

NAME_RULE = (
    "1 to 255 characters; any printable characters (spaces, quotes and unicode are fine), "
    "no control characters and no leading or trailing whitespace"
)


def quote_identifier(name: str) -> str:
    '''``my "db"`` becomes ``"my ""db"""``.'''
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """``it's`` becomes ``'it''s'``; no other character is special in a DeltaStream string."""
    return "'" + value.replace("'", "''") + "'"


def qualified(*parts: str) -> str:
    """``"db"."schema"."name"`` from the unquoted parts."""
    return ".".join(quote_identifier(p) for p in parts)


def name_problem(value: str) -> str | None:
    """Why ``value`` cannot be a DeltaStream object name, or None if it can."""
    if not value:
        return f"must not be empty ({NAME_RULE})"
    if len(value) > MAX_NAME_LENGTH:
        return f"is {len(value)} characters long; the limit is {MAX_NAME_LENGTH}"
    if value != value.strip():
        return f"must not start or end with whitespace ({NAME_RULE})"
    for ch in value:
        if unicodedata.category(ch) in {"Cc", "Cs"}:
            code = f"U+{ord(ch):04X}"
            return f"contains the control character {code}, which is not allowed ({NAME_RULE})"
    return None


def unquote_identifier(text: str) -> str:
    """Inverse of :func:`quote_identifier` for one part; unquoted text is returned as is."""
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text


def split_qualified(text: str) -> list[str]:
    """Split ``"a"."b.c".d`` into ``["a", "b.c", "d"]`` honouring double quotes."""
    parts: list[str] = []
    current: list[str] = []
    i, quoted = 0, False
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"':
                if i + 1 < len(text) and text[i + 1] == '"':
                    current.append('"')
                    i += 1
                else:
                    quoted = False
            else:
                current.append(ch)
        elif ch == '"':
            quoted = True
        elif ch == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts
