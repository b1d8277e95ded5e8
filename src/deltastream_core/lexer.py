"""Where DeltaStream SQL statements begin and end: a lexer that knows the dialect's quoting.

The service runs every statement of a request, so a user's ``sql`` input must be split
*before* anything is sent (docs/reference/sql-lexing.md has the rules):

* ``'strings'`` double an embedded ``'`` and may span lines;
* ``"identifiers"`` and ```identifiers``` double their quote character inside;
* ``-- comments`` run to the end of the line, ``/* comments */`` to the first ``*/``; a
  comment glued to an operator character (``<--``) is refused, since lexers disagree on it;
* ``;`` ends a statement, except between ``BEGIN APPLICATION`` and ``END APPLICATION``, where
  it ends one of the application's own statements.

Anything this lexer cannot delimit with certainty (an unterminated quote, comment or
application) is a :class:`LexError`: callers refuse the text rather than guess.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Sequence

import attrs


class TokenKind(enum.Enum):
    WORD = "word"  # keywords, unquoted identifiers, numbers
    STRING = "string"  # 'single-quoted'
    QUOTED = "quoted"  # "double-quoted" or `backtick-quoted` identifier
    COMMENT = "comment"
    SPACE = "space"
    SEMICOLON = "semicolon"
    SYMBOL = "symbol"  # any other character: punctuation, operators


@attrs.frozen
class Token:
    kind: TokenKind
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def significant(self) -> bool:
        return self.kind not in (TokenKind.COMMENT, TokenKind.SPACE)

    def is_word(self, *words: str) -> bool:
        return self.kind is TokenKind.WORD and self.text.upper() in words


class LexError(ValueError):
    """The text cannot be split with certainty; ``offset`` is where the problem starts."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offset = offset


def line_of(text: str, offset: int) -> int:
    """1-based line number of ``offset`` (for messages)."""
    return text.count("\n", 0, offset) + 1


#: opening quote → (what it quotes, the token it makes); the quote is doubled inside
_QUOTES = {
    "'": ("string", TokenKind.STRING),
    '"': ("identifier", TokenKind.QUOTED),
    "`": ("identifier", TokenKind.QUOTED),
}


def tokenize(sql: str) -> list[Token]:
    """Every token of ``sql`` in order; their texts concatenate back to ``sql``."""
    tokens: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in _QUOTES:
            end = _closing_quote(sql, i)
            what, kind = _QUOTES[ch]
            if end < 0:
                raise LexError(
                    f"the quoted {what} opened with {ch} on line {line_of(sql, i)} is never "
                    f"closed (write {ch}{ch} for a {ch} inside it)",
                    i,
                )
            tokens.append(Token(kind, sql[i:end], i))
            i = end
        elif sql.startswith(("--", "/*"), i) and _glued_to_operator(tokens):
            raise LexError(
                f"the comment on line {line_of(sql, i)} starts right after "
                f"{tokens[-1].text!r}; put a space before {sql[i : i + 2]} so that it cannot "
                "be read as part of an operator",
                i,
            )
        elif sql.startswith("--", i):
            newline = sql.find("\n", i)
            end = n if newline < 0 else newline
            tokens.append(Token(TokenKind.COMMENT, sql[i:end], i))
            i = end
        elif sql.startswith("/*", i):
            close = sql.find("*/", i + 2)
            if close < 0:
                raise LexError(
                    f"the /* comment opened on line {line_of(sql, i)} is never closed with */", i
                )
            tokens.append(Token(TokenKind.COMMENT, sql[i : close + 2], i))
            i = close + 2
        elif ch.isspace():
            end = i
            while end < n and sql[end].isspace():
                end += 1
            tokens.append(Token(TokenKind.SPACE, sql[i:end], i))
            i = end
        elif ch.isalnum() or ch == "_":
            end = i
            while end < n and (sql[end].isalnum() or sql[end] == "_"):
                end += 1
            tokens.append(Token(TokenKind.WORD, sql[i:end], i))
            i = end
        else:
            kind = TokenKind.SEMICOLON if ch == ";" else TokenKind.SYMBOL
            tokens.append(Token(kind, ch, i))
            i += 1
    return tokens


#: symbols that never join an operator, so a comment right after them is unambiguous
_STANDALONE = set("(),.*")


def _glued_to_operator(tokens: Sequence[Token]) -> bool:
    """A comment opener right after an operator character (``<--``, ``=/*``): some SQL lexers
    read the whole run as one operator, and then the "comment" hides nothing from them."""
    last = tokens[-1] if tokens else None
    return last is not None and last.kind is TokenKind.SYMBOL and last.text not in _STANDALONE


def _closing_quote(text: str, start: int) -> int:
    """Index just past the quoted token opening at ``start``; -1 if it never closes."""
    quote = text[start]
    i = start + 1
    while True:
        i = text.find(quote, i)
        if i < 0:
            return -1
        if text.startswith(quote * 2, i):
            i += 2
            continue
        return i + 1


@attrs.frozen
class SqlStatement:
    """One top-level statement: its text (first to last token, without the ``;`` ending it,
    comments inside kept verbatim), where it starts in the input, and its tokens."""

    text: str
    start: int
    tokens: tuple[Token, ...]

    @property
    def words(self) -> tuple[Token, ...]:
        """The significant tokens (no spaces, no comments)."""
        return tuple(t for t in self.tokens if t.significant)

    def starts_with(self, *words: str) -> bool:
        head = self.words[: len(words)]
        if len(head) != len(words):
            return False
        return all(t.is_word(w) for t, w in zip(head, words, strict=True))

    @property
    def is_application(self) -> bool:
        return self.starts_with("BEGIN", "APPLICATION")


def split_statements(sql: str) -> list[SqlStatement]:
    """The top-level statements of ``sql``; empty ones (``;;``, comments only) are skipped.

    An application block is one statement, its inner ``;`` included. Raises
    :class:`LexError` when a quote, comment or application block is never closed.
    """
    statements: list[SqlStatement] = []
    current: list[Token] = []
    words: list[Token] = []  # the significant tokens of ``current``
    app_start: int | None = None  # offset of an open BEGIN APPLICATION

    def flush() -> None:
        if words:
            first = current.index(words[0])
            last = len(current) - current[::-1].index(words[-1])
            body = tuple(current[first:last])
            text = sql[body[0].start : body[-1].end]
            statements.append(SqlStatement(text, body[0].start, body))
        current.clear()
        words.clear()

    for token in tokenize(sql):
        if token.kind is TokenKind.SEMICOLON and app_start is None:
            flush()
            continue
        current.append(token)
        if not token.significant:
            continue
        words.append(token)
        if app_start is None and _opens_application(words):
            app_start = words[-2].start
        elif app_start is not None and _closes_application(words):
            app_start = None
    if app_start is not None:
        raise LexError(
            f"the BEGIN APPLICATION on line {line_of(sql, app_start)} is never closed with "
            "END APPLICATION",
            app_start,
        )
    flush()
    return statements


def _opens_application(words: Sequence[Token]) -> bool:
    """``BEGIN APPLICATION`` opens a block only at the start of a statement (optionally after
    ``DESCRIBE``): anywhere else the words are ordinary identifiers, and must not hide a ``;``."""
    if len(words) == 2:
        return words[0].is_word("BEGIN") and words[1].is_word("APPLICATION")
    if len(words) == 3:
        return words[0].is_word("DESCRIBE") and _opens_application(words[1:])
    return False


def _closes_application(words: Sequence[Token]) -> bool:
    return len(words) >= 2 and words[-2].is_word("END") and words[-1].is_word("APPLICATION")


def application_parts(statement: SqlStatement) -> tuple[list[SqlStatement], list[Token]]:
    """The inner statements of a ``BEGIN APPLICATION <name> … END APPLICATION [WITH …]``
    statement, and the significant tokens after ``END APPLICATION`` (its WITH clause)."""
    tokens = list(statement.tokens)
    significant = [i for i, t in enumerate(tokens) if t.significant]
    # BEGIN APPLICATION <name>: the body starts after the third significant token
    body_from = significant[2] + 1 if len(significant) > 2 else len(tokens)
    end_at = len(tokens)
    for a, b in itertools.pairwise(significant):
        if tokens[a].is_word("END") and tokens[b].is_word("APPLICATION"):
            end_at = a
            tail = [t for t in tokens[b + 1 :] if t.significant]
            break
    else:
        tail = []
    body = tokens[body_from:end_at]
    if not body:
        return [], tail
    base = body[0].start
    text = "".join(t.text for t in body)
    inner = [
        SqlStatement(
            s.text, s.start + base, tuple(attrs.evolve(t, start=t.start + base) for t in s.tokens)
        )
        for s in split_statements(text)
    ]
    return inner, tail


def qualified_parts(tokens: Sequence[Token]) -> list[tuple[str, bool]] | None:
    """A dotted name at the start of ``tokens`` (significant tokens): ``[(part, quoted)]``.

    Quoted parts are unquoted (their case kept); None when the tokens do not start with one.
    """
    parts: list[tuple[str, bool]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind is TokenKind.WORD:
            parts.append((token.text, False))
        elif token.kind is TokenKind.QUOTED:
            quote = token.text[0]
            parts.append((token.text[1:-1].replace(quote * 2, quote), True))
        else:
            return None
        if i + 1 < len(tokens) and tokens[i + 1].text == ".":
            i += 2
            continue
        return parts
    return None


#: how much of an extra statement a message quotes
_QUOTED_LENGTH = 120


def _quoted(sql: str, statement: SqlStatement) -> str:
    text = statement.text
    if len(text) > _QUOTED_LENGTH:
        text = text[: _QUOTED_LENGTH - 1] + "…"
    return f"{text!r} (line {line_of(sql, statement.start)})"


def single_statement_problem(
    sql: str, *, allow_empty: bool = False, expected: str = "exactly one statement"
) -> str | None:
    """Why ``sql`` is not exactly one statement (quoting the extra ones), or None;
    ``expected`` words what one statement must be."""
    try:
        statements = split_statements(sql)
    except LexError as exc:
        return exc.reason
    if not statements:
        if allow_empty:
            return None
        return "must not be empty (whitespace, comments and semicolons alone are not a statement)"
    if len(statements) == 1:
        return None
    extra = statements[1:]
    listed = ", ".join(_quoted(sql, s) for s in extra[:3])
    if len(extra) > 3:
        listed += f" and {len(extra) - 3} more"
    noun = "statement" if len(extra) == 1 else "statements"
    return (
        f"holds {len(statements)} statements but must be {expected} (DeltaStream runs every "
        f"statement it is sent); remove the extra {noun} {listed}"
    )
