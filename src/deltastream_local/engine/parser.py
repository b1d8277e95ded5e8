"""Parse SQL text into the typed AST of :mod:`deltastream_local.engine.ast`.

The dialect is specified by ``grammar.lark`` (LALR(1), contextual lexer); this module only
builds the parser once, turns lark's tree into dataclasses and lark's exceptions into a
``42601`` :class:`SqlError` whose message names the offending token the way the service does
(``parse error: line 1:12 mismatched input 'foo' expecting ...``).
"""

from __future__ import annotations

import functools
import re
import threading
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)
from lark.tree import Meta

from deltastream_local.engine import ast
from deltastream_local.engine.errors import SqlError, bad_parameter, syntax

_IDENT_TYPES = frozenset({"NAME", "QUOTED_IDENT", "BACKTICK_IDENT"})

#: The service's object keywords the grammar knows (docs/reference/object-statements.md);
#: unless a kind claims one, its statements answer 0A000 "not supported" (the grammar's
#: ``unsupported`` rule). FUNCTION and ENTITY are not among them: their statements have rules
#: of their own (a function's signature; an entity's path in a store, ``entity_statement``).
SERVICE_OBJECT_KEYWORDS = (
    "secret",
    "function_source",
    "descriptor_source",
    "schema_registry",
    "compute_pool",
    "api_token",
    "role",
    "user",
)

# The block of grammar.lark that declares the object keywords, rewritten per set of claims.
_BLOCK = re.compile(r"^// ---- object keywords .*?^// ---- end of object keywords$", re.M | re.S)
_TERMINAL = re.compile(r"^([A-Z_][A-Z0-9_]*)(?:\.\d+)?\s*:", re.M)

_parsers: dict[frozenset[str], Lark] = {}
_parser_lock = threading.Lock()


def _grammar_text() -> str:
    grammar = resources.files("deltastream_local.engine").joinpath("grammar.lark")
    return grammar.read_text(encoding="utf-8")


@functools.cache
def grammar_keywords() -> frozenset[str]:
    """Every terminal name of the grammar outside the object-keyword block, lower case: an
    object keyword a kind claims must not be one of them."""
    return frozenset(name.lower() for name in _TERMINAL.findall(_BLOCK.sub("", _grammar_text())))


def _object_block(claimed: frozenset[str]) -> str:
    """The object-keyword block for these claims (the same as the file's when none)."""
    unclaimed = [word for word in SERVICE_OBJECT_KEYWORDS if word not in claimed]
    lines = []
    if unclaimed:
        lines.append("!unsupported_object: " + " | ".join(word.upper() for word in unclaimed))
    else:
        lines += ["unsupported_object: _NO_UNSUPPORTED_OBJECT", "%declare _NO_UNSUPPORTED_OBJECT"]
    if claimed:
        lines.append("!claimed_object: " + " | ".join(word.upper() for word in sorted(claimed)))
    else:
        lines += ["claimed_object: _NO_CLAIMED_OBJECT", "%declare _NO_CLAIMED_OBJECT"]
    for word in sorted(set(SERVICE_OBJECT_KEYWORDS) | claimed):
        lines.append(f'{word.upper()}: "{word}"i')
    return "\n".join(lines)


def _get_parser(claimed: frozenset[str] = frozenset()) -> Lark:
    """Build the LALR parser once per process and set of claimed object keywords (building
    costs ~150 ms, or less from lark's cache; parsing ~0.3 ms)."""
    with _parser_lock:
        parser = _parsers.get(claimed)
        if parser is None:
            text = _grammar_text()
            if claimed:
                text = _BLOCK.sub(lambda _: _object_block(claimed), text)
            parser = _parsers[claimed] = _build(text)
            # The contextual lexer builds its per-state scanners lazily; warm the common ones so
            # the first real requests do not pay for it.
            for warm in _WARM_UP:
                parser.parse(warm)
        return parser


def _build(grammar: str) -> Lark:
    options: dict[str, Any] = {
        "parser": "lalr",
        "lexer": "contextual",
        "propagate_positions": True,
    }
    try:
        # lark caches the LALR tables in the temp dir (keyed by grammar hash and lark
        # version): server start drops from ~200-400 ms to ~50 ms.
        return Lark(grammar, cache=True, **options)
    except OSError:
        return Lark(grammar, **options)


# Only the catalog-read path is warmed: each warmed lexer state costs a regex compile at
# start-up, and other statements pay it (a few ms) once, on first use.
_WARM_UP = (
    "SELECT name, \"owner\" FROM deltastream.sys.\"databases\" WHERE name = 'x' AND a IN ('b')"
    " ORDER BY name LIMIT 1",
)


def parse(text: str, claimed: frozenset[str] = frozenset()) -> list[ast.Statement]:
    """Parse a statement or a ``;``-separated batch; raise :class:`SqlError` on bad input.

    ``claimed`` are the object keywords the loaded catalog kinds claim: their statements parse
    as :class:`ast.ObjectStatement`. Parsed statements are cached by text: clients poll the
    same lookups over and over, and an LALR parse plus transform costs about a millisecond.
    ASTs are frozen, so sharing is safe.
    """
    return list(_parse_cached(text, claimed))


@functools.lru_cache(maxsize=2048)
def _parse_cached(text: str, claimed: frozenset[str]) -> tuple[ast.Statement, ...]:
    return tuple(_parse(text, claimed))


def _parse(text: str, claimed: frozenset[str]) -> list[ast.Statement]:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise syntax("parse error: statement is not valid UTF-8 text") from exc
    if not text.strip().strip(";").strip():
        raise syntax("parse error: empty statement")
    parser = _get_parser(claimed)
    try:
        tree = parser.parse(text)
    except UnexpectedInput as exc:
        raise syntax(_describe_parse_error(parser, exc)) from None
    except RecursionError:
        raise syntax("parse error: statement is nested too deeply") from None
    try:
        statements: list[ast.Statement] = _AstBuilder(text).transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, SqlError):
            raise exc.orig_exc from None
        if isinstance(exc.orig_exc, RecursionError):
            raise syntax("parse error: statement is nested too deeply") from None
        raise
    except RecursionError:
        raise syntax("parse error: statement is nested too deeply") from None
    return statements


# ---- error messages ------------------------------------------------------------------------------

_FRIENDLY_TERMINALS = {
    "NAME": "identifier",
    "QUOTED_IDENT": "identifier",
    "BACKTICK_IDENT": "identifier",
    "STRING": "string literal",
    "NUMBER": "number",
    "UUID": "query id",
    "SOUP_OP": "operator",
    "_SEMI": "';'",
    "$END": "<EOF>",
}


def _terminal_display(parser: Lark, name: str) -> str:
    if name in _FRIENDLY_TERMINALS:
        return _FRIENDLY_TERMINALS[name]
    try:
        pattern = parser.get_terminal(name).pattern
    except KeyError:
        return name
    if pattern.type == "str":
        value = pattern.value
        return value.upper() if value.isalpha() else f"'{value}'"
    return name.lower()


def _shorten(value: str) -> str:
    value = value.replace("\n", "\\n")
    return value if len(value) <= 40 else value[:37] + "..."


def _describe_parse_error(parser: Lark, exc: UnexpectedInput) -> str:
    # ANTLR (which the service uses) reports 0-based columns; lark's are 1-based.
    line = exc.line if isinstance(exc.line, int) and exc.line > 0 else 1
    column = exc.column - 1 if isinstance(exc.column, int) and exc.column > 0 else 0
    where = f"parse error: line {line}:{column}"
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        shown = "<EOF>" if token.type == "$END" else _shorten(str(token.value))
        expected = sorted({_terminal_display(parser, name) for name in exc.expected})
        expecting = ", ".join(expected[:8]) + (", ..." if len(expected) > 8 else "")
        return f"{where} mismatched input '{shown}' expecting {{{expecting}}}"
    if isinstance(exc, UnexpectedCharacters):
        return f"{where} token recognition error at: '{_shorten(exc.char)}'"
    if isinstance(exc, UnexpectedEOF):
        return f"{where} mismatched input '<EOF>'"
    return f"{where} no viable alternative at input"


# ---- tree → AST ---------------------------------------------------------------------------------


def _unquote(text: str, quote: str) -> str:
    return text[1:-1].replace(quote + quote, quote)


def _ident(token: Token) -> str:
    """Fold an identifier token: unquoted → lower case, quoted → as written."""
    if token.type == "QUOTED_IDENT":
        name = _unquote(token.value, '"')
    elif token.type == "BACKTICK_IDENT":
        name = _unquote(token.value, "`")
    else:
        return str(token.value).lower()
    if not name:
        raise syntax(
            f"parse error: line {token.line}:{(token.column or 1) - 1} zero-length delimited "
            "identifier"
        )
    return name


def _string(token: Token) -> str:
    return _unquote(token.value, "'")


def _is_ident(child: object) -> bool:
    return isinstance(child, Token) and child.type in _IDENT_TYPES


def _idents(children: list[Any]) -> list[str]:
    return [_ident(child) for child in children if _is_ident(child)]


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def _find(children: list[Any], kind: type[Any]) -> Any:
    for child in children:
        if isinstance(child, kind):
            return child
    return None


def _has_keyword(children: list[Any], keyword: str) -> bool:
    return any(isinstance(child, Token) and child.type == keyword for child in children)


class _ObjectWord(str):
    """The object word of an unsupported statement (``SECRET`` in ``CREATE SECRET``)."""


class _Signature(tuple[ast.FunctionArgument, ...]):
    """Marker for a function's ``(arg TYPE, ...)``."""


class _NotNull:
    """Marker for a ``NOT NULL`` column constraint."""


class _PrimaryKey(tuple[str, ...]):
    """Marker for a ``PRIMARY KEY (...)`` table element."""


@v_args(meta=True)
class _AstBuilder(Transformer[Token, Any]):
    """Transforms lark's tree bottom-up; each method is named after a grammar rule."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self._source = source

    def _text(self, meta: Meta) -> str:
        if getattr(meta, "empty", True):
            return ""
        return self._source[meta.start_pos : meta.end_pos]

    # -- batch & shared pieces

    def start(self, meta: Meta, children: list[Any]) -> list[ast.Statement]:
        return [child for child in children if isinstance(child, ast.Statement)]

    def qualified_name(self, meta: Meta, children: list[Any]) -> ast.QualifiedName:
        return ast.QualifiedName(tuple(_idents(children)))

    def with_clause(self, meta: Meta, children: list[Any]) -> ast.Properties:
        return _find(children, ast.Properties)  # type: ignore[no-any-return]

    def properties(self, meta: Meta, children: list[Any]) -> ast.Properties:
        items = tuple(child for child in children if isinstance(child, ast.Property))
        seen: set[str] = set()
        for item in items:
            if item.key in seen:
                raise bad_parameter(f"property '{item.key}' is given more than once")
            seen.add(item.key)
        return ast.Properties(items)

    def property(self, meta: Meta, children: list[Any]) -> ast.Property:
        key, value = children
        return ast.Property(key, value)

    def property_key(self, meta: Meta, children: list[Any]) -> str:
        if len(children) == 1 and children[0].type == "STRING":
            return _string(children[0])
        return ".".join(_idents(children))

    def property_value(self, meta: Meta, children: list[Any]) -> ast.PropertyValue:
        (token,) = children
        kind = token.type
        if kind == "STRING":
            return ast.PropertyValue("string", _string(token))
        if kind == "QUOTED_IDENT":
            return ast.PropertyValue("identifier", _unquote(token.value, '"'))
        if kind == "BACKTICK_IDENT":
            return ast.PropertyValue("identifier", _unquote(token.value, "`"))
        if kind == "NUMBER":
            return ast.PropertyValue("number", str(token.value))
        if kind in ("TRUE", "FALSE"):
            return ast.PropertyValue("boolean", kind.lower())
        if kind == "NULL":
            return ast.PropertyValue("null", None)
        return ast.PropertyValue("keyword", str(token.value))

    def negative_number(self, meta: Meta, children: list[Any]) -> ast.PropertyValue:
        return ast.PropertyValue("number", "-" + str(children[0].value))

    def relation_kind(self, meta: Meta, children: list[Any]) -> str:
        if _has_keyword(children, "MATERIALIZED"):
            return "materialized_view"
        return str(children[0].type).lower()

    def object_kind(self, meta: Meta, children: list[Any]) -> str:
        (child,) = children
        if isinstance(child, Token):
            return child.type.lower()
        return str(child)

    def unsupported(self, meta: Meta, children: list[Any]) -> ast.Unsupported:
        # Only the verb and the object word go in the message: never literal values.
        words = [str(children[0].value).upper()]
        if len(children) > 1 and isinstance(children[1], _ObjectWord):
            words.append(children[1].upper())
        return ast.Unsupported(" ".join(words), text=self._text(meta))

    def unsupported_object(self, meta: Meta, children: list[Any]) -> _ObjectWord:
        return _ObjectWord(children[0].value)

    # -- the object statements of claimed keywords (catalog/objects.py)

    def object_statement(self, meta: Meta, children: list[Any]) -> ast.ObjectStatement:
        verb, keyword, name = children[0], children[1], children[2]
        clause = children[3] if len(children) > 3 else None
        return ast.ObjectStatement(
            verb,
            keyword,
            name,
            clause if isinstance(clause, ast.Properties) else ast.Properties(),
            clause.role if isinstance(clause, _Owner) else None,
            text=self._text(meta),
        )

    def object_verb(self, meta: Meta, children: list[Any]) -> str:
        return str(children[0].value).lower()

    def claimed_object(self, meta: Meta, children: list[Any]) -> str:
        return str(children[0].value).lower()

    def object_properties(self, meta: Meta, children: list[Any]) -> ast.Properties:
        return _find(children, ast.Properties)  # type: ignore[no-any-return]

    def object_owner(self, meta: Meta, children: list[Any]) -> _Owner:
        return _Owner(_ident(children[-1]))

    # -- entities (catalog/entities.py)

    def _entity(self, meta: Meta, children: list[Any], kind: str, **extra: Any) -> Any:
        names = [c for c in children if isinstance(c, ast.QualifiedName)]
        store = next((c.name for c in children if isinstance(c, _InStore)), None)
        props = _find(children, ast.Properties) or ast.Properties()
        return ast.EntityStatement(kind, names[0], store, props, text=self._text(meta), **extra)

    def create_entity(self, meta: Meta, children: list[Any]) -> ast.EntityStatement:
        return self._entity(meta, children, "create")  # type: ignore[no-any-return]

    def drop_entity(self, meta: Meta, children: list[Any]) -> ast.EntityStatement:
        return self._entity(meta, children, "drop")  # type: ignore[no-any-return]

    def describe_entity(self, meta: Meta, children: list[Any]) -> ast.EntityStatement:
        return self._entity(meta, children, "describe")  # type: ignore[no-any-return]

    def print_entity(self, meta: Meta, children: list[Any]) -> ast.EntityStatement:
        options = [c for c in children if isinstance(c, _PrintOption)]
        flags = tuple(o.key for o in options if o.value is None)
        props = ast.Properties(
            tuple(ast.Property(o.key, o.value) for o in options if o.value is not None)
        )
        names = [c for c in children if isinstance(c, ast.QualifiedName)]
        store = next((c.name for c in children if isinstance(c, _InStore)), None)
        return ast.EntityStatement(
            "print", names[0], store, props, flags=flags, text=self._text(meta)
        )

    def insert_entity(self, meta: Meta, children: list[Any]) -> ast.EntityStatement:
        value = next(_string(c) for c in children if isinstance(c, Token) and c.type == "STRING")
        return self._entity(meta, children, "insert", value=value)  # type: ignore[no-any-return]

    def list_entities(self, meta: Meta, children: list[Any]) -> ast.ListEntities:
        parent = _find(children, ast.QualifiedName)
        store = next((c.name for c in children if isinstance(c, _InStore)), None)
        return ast.ListEntities(parent, store, text=self._text(meta))

    def in_store(self, meta: Meta, children: list[Any]) -> _InStore:
        return _InStore(_ident(children[-1]))

    def print_option(self, meta: Meta, children: list[Any]) -> _PrintOption:
        key = children[0]
        return _PrintOption(key, children[1] if len(children) > 1 else None)

    # -- functions (catalog/functions.py)

    def create_function(self, meta: Meta, children: list[Any]) -> ast.CreateFunction:
        names = _idents(children)
        return ast.CreateFunction(
            names[0],
            _find(children, _Signature),
            str(children[5]),
            names[-1].upper(),
            _find(children, ast.Properties) or ast.Properties(),
            text=self._text(meta),
        )

    def drop_function(self, meta: Meta, children: list[Any]) -> ast.DropFunction:
        return ast.DropFunction(
            _idents(children)[0], _find(children, _Signature), text=self._text(meta)
        )

    def function_signature(self, meta: Meta, children: list[Any]) -> _Signature:
        return _Signature(c for c in children if isinstance(c, ast.FunctionArgument))

    def function_argument(self, meta: Meta, children: list[Any]) -> ast.FunctionArgument:
        return ast.FunctionArgument(_ident(children[0]), str(children[1]))

    def unsupported_function(self, meta: Meta, children: list[Any]) -> ast.Unsupported:
        return ast.Unsupported(f"{str(children[0].value).upper()} FUNCTION", text=self._text(meta))

    # -- databases, schemas, ownership, context

    def create_database(self, meta: Meta, children: list[Any]) -> ast.CreateDatabase:
        return ast.CreateDatabase(_idents(children)[0], text=self._text(meta))

    def drop_database(self, meta: Meta, children: list[Any]) -> ast.DropDatabase:
        return ast.DropDatabase(_idents(children)[0], text=self._text(meta))

    def create_schema(self, meta: Meta, children: list[Any]) -> ast.CreateSchema:
        database = _idents(children)
        return ast.CreateSchema(
            _find(children, ast.QualifiedName),
            database[0] if database else None,
            text=self._text(meta),
        )

    def drop_schema(self, meta: Meta, children: list[Any]) -> ast.DropSchema:
        return ast.DropSchema(_find(children, ast.QualifiedName), text=self._text(meta))

    def alter_owner(self, meta: Meta, children: list[Any]) -> ast.AlterOwner:
        kind = children[1]
        return ast.AlterOwner(
            kind, _find(children, ast.QualifiedName), _ident(children[-1]), text=self._text(meta)
        )

    def alter_query_owner(self, meta: Meta, children: list[Any]) -> ast.AlterQueryOwner:
        return ast.AlterQueryOwner(
            self._query_id(children[2]), _ident(children[-1]), text=self._text(meta)
        )

    def use(self, meta: Meta, children: list[Any]) -> ast.Use:
        return ast.Use(
            children[1].type.lower(), _find(children, ast.QualifiedName), text=self._text(meta)
        )

    def list_objects(self, meta: Meta, children: list[Any]) -> ast.ListObjects:
        what = _ident(children[1])
        scope = _find(children, ast.QualifiedName)
        scope_kind = children[3].type.lower() if scope is not None else None
        return ast.ListObjects(what, scope_kind, scope, text=self._text(meta))

    def describe_object(self, meta: Meta, children: list[Any]) -> ast.DescribeObject:
        kind = children[1].type.lower()
        if _has_keyword(children, "COLUMNS"):
            kind = "relation_columns"
        return ast.DescribeObject(kind, _find(children, ast.QualifiedName), text=self._text(meta))

    # -- stores

    def create_store(self, meta: Meta, children: list[Any]) -> ast.CreateStore:
        return ast.CreateStore(
            _idents(children)[0], _find(children, ast.Properties), text=self._text(meta)
        )

    def update_store(self, meta: Meta, children: list[Any]) -> ast.UpdateStore:
        return ast.UpdateStore(
            _idents(children)[0], _find(children, ast.Properties), text=self._text(meta)
        )

    def drop_store(self, meta: Meta, children: list[Any]) -> ast.DropStore:
        return ast.DropStore(_idents(children)[0], text=self._text(meta))

    def describe_store(self, meta: Meta, children: list[Any]) -> ast.DescribeStore:
        return ast.DescribeStore(_idents(children)[0], text=self._text(meta))

    # -- relations

    def create_relation(self, meta: Meta, children: list[Any]) -> ast.CreateRelation:
        kind = children[1]
        if kind == "materialized_view":
            raise syntax("parse error: CREATE MATERIALIZED VIEW requires AS SELECT")
        columns = tuple(child for child in children if isinstance(child, ast.ColumnDef))
        keys = [child for child in children if isinstance(child, _PrimaryKey)]
        if len(keys) > 1:
            raise syntax("parse error: more than one PRIMARY KEY clause")
        names = [column.name for column in columns]
        for name in names:
            if names.count(name) > 1:
                raise bad_parameter(f"column {ast.quote_ident(name)} is defined more than once")
        primary_key = tuple(keys[0]) if keys else ()
        for key in primary_key:
            if key not in names:
                raise bad_parameter(f"primary key column {ast.quote_ident(key)} is not defined")
        return ast.CreateRelation(
            kind,
            _find(children, ast.QualifiedName),
            columns,
            primary_key,
            _find(children, ast.Properties) or ast.Properties(),
            text=self._text(meta),
        )

    def primary_key(self, meta: Meta, children: list[Any]) -> _PrimaryKey:
        return _PrimaryKey(_idents(children))

    def column_def(self, meta: Meta, children: list[Any]) -> ast.ColumnDef:
        return ast.ColumnDef(
            _ident(children[0]), children[1], any(isinstance(c, _NotNull) for c in children)
        )

    def not_null(self, meta: Meta, children: list[Any]) -> _NotNull:
        return _NotNull()

    def array_type(self, meta: Meta, children: list[Any]) -> str:
        return f"ARRAY<{children[1]}>"

    def map_type(self, meta: Meta, children: list[Any]) -> str:
        return f"MAP<{children[1]}, {children[2]}>"

    def struct_type(self, meta: Meta, children: list[Any]) -> str:
        return "STRUCT<" + ", ".join(c for c in children[1:] if isinstance(c, str)) + ">"

    def struct_field(self, meta: Meta, children: list[Any]) -> str:
        rendered = f"{ast.quote_ident(_ident(children[0]))} {children[1]}"
        if any(isinstance(c, _NotNull) for c in children):
            rendered += " NOT NULL"
        return rendered

    def simple_type(self, meta: Meta, children: list[Any]) -> str:
        words = [str(c.value).upper() for c in children if c.type == "NAME"]
        numbers = [str(c.value) for c in children if c.type == "NUMBER"]
        return " ".join(words) + (f"({', '.join(numbers)})" if numbers else "")

    def create_relation_as(self, meta: Meta, children: list[Any]) -> ast.CreateRelationAs:
        return ast.CreateRelationAs(
            children[1],
            _find(children, ast.QualifiedName),
            _find(children, ast.Properties) or ast.Properties(),
            _find(children, ast.StreamSelect),
            text=self._text(meta),
        )

    def create_virtual(self, meta: Meta, children: list[Any]) -> ast.CreateRelationAs:
        return ast.CreateRelationAs(
            children[2],
            _find(children, ast.QualifiedName),
            _find(children, ast.Properties) or ast.Properties(),
            _find(children, ast.StreamSelect),
            virtual=True,
            text=self._text(meta),
        )

    def drop_relation(self, meta: Meta, children: list[Any]) -> ast.DropRelation:
        kind: Any = "relation" if isinstance(children[1], Token) else children[1]
        return ast.DropRelation(kind, _find(children, ast.QualifiedName), text=self._text(meta))

    # -- queries and applications

    def _query_id(self, token: Token) -> str:
        if token.type == "STRING":
            return _string(token)
        if token.type == "UUID":
            return str(token.value).lower()
        return _ident(token)

    def insert_into(self, meta: Meta, children: list[Any]) -> ast.InsertInto:
        return ast.InsertInto(
            _find(children, ast.QualifiedName),
            _find(children, ast.StreamSelect),
            text=self._text(meta),
        )

    def terminate_query(self, meta: Meta, children: list[Any]) -> ast.TerminateQuery:
        return ast.TerminateQuery(self._query_id(children[-1]), text=self._text(meta))

    def restart_query(self, meta: Meta, children: list[Any]) -> ast.RestartQuery:
        return ast.RestartQuery(self._query_id(children[-1]), text=self._text(meta))

    def describe_query(self, meta: Meta, children: list[Any]) -> ast.DescribeQuery:
        return ast.DescribeQuery(
            self._query_id(children[-1]),
            history=_has_keyword(children, "HISTORY"),
            text=self._text(meta),
        )

    def application(self, meta: Meta, children: list[Any]) -> ast.Application:
        statements = tuple(child for child in children if isinstance(child, ast.Statement))
        return ast.Application(
            _ident(children[2]),
            statements,
            _find(children, ast.Properties) or ast.Properties(),
            text=self._text(meta),
        )

    def describe_statement(self, meta: Meta, children: list[Any]) -> ast.DescribeStatement:
        return ast.DescribeStatement(_find(children, ast.Statement), text=self._text(meta))

    # -- streaming SELECT

    def stream_select(self, meta: Meta, children: list[Any]) -> ast.StreamSelect:
        sources = tuple(child for child in children if isinstance(child, ast.SourceRef))
        return ast.StreamSelect(self._text(meta), sources)

    def relation_source(self, meta: Meta, children: list[Any]) -> ast.SourceRef:
        return ast.SourceRef(
            _find(children, ast.QualifiedName), _find(children, ast.Properties) or ast.Properties()
        )

    def window_source(self, meta: Meta, children: list[Any]) -> ast.SourceRef:
        return _find(children, ast.SourceRef)  # type: ignore[no-any-return]

    def join(self, meta: Meta, children: list[Any]) -> ast.SourceRef:
        return _find(children, ast.SourceRef)  # type: ignore[no-any-return]

    def alias(self, meta: Meta, children: list[Any]) -> None:
        return None

    def join_type(self, meta: Meta, children: list[Any]) -> None:
        return None

    def tail_clause(self, meta: Meta, children: list[Any]) -> None:
        return None

    # -- SELECT from system tables

    def select_system(self, meta: Meta, children: list[Any]) -> ast.SelectSystem:
        items = children[1]
        where = None
        order_by: tuple[ast.OrderItem, ...] = ()
        limit = None
        for child in children[4:]:
            if isinstance(child, _Where):
                where = child.condition
            elif isinstance(child, _OrderBy):
                order_by = child.items
            elif isinstance(child, _Limit):
                limit = child.count
        return ast.SelectSystem(items, children[3], where, order_by, limit, text=self._text(meta))

    def select_star(self, meta: Meta, children: list[Any]) -> None:
        return None

    def select_items(self, meta: Meta, children: list[Any]) -> tuple[ast.Operand, ...]:
        return tuple(children)

    def select_column(self, meta: Meta, children: list[Any]) -> ast.ColumnRef:
        return ast.ColumnRef(_ident(children[0]))

    def select_literal(self, meta: Meta, children: list[Any]) -> ast.Literal:
        return children[0]  # type: ignore[no-any-return]

    def column_ref(self, meta: Meta, children: list[Any]) -> ast.ColumnRef:
        return ast.ColumnRef(_ident(children[0]))

    def literal(self, meta: Meta, children: list[Any]) -> ast.Literal:
        (token,) = children
        if token.type == "STRING":
            return ast.Literal(_string(token))
        if token.type == "NUMBER":
            return ast.Literal(_number(token.value))
        if token.type == "NULL":
            return ast.Literal(None)
        return ast.Literal(token.type == "TRUE")

    def negative(self, meta: Meta, children: list[Any]) -> ast.Literal:
        return ast.Literal(-_number(children[0].value))

    def comp_op(self, meta: Meta, children: list[Any]) -> str:
        return "<>" if children[0].value == "!=" else str(children[0].value)

    def comparison(self, meta: Meta, children: list[Any]) -> ast.Comparison:
        left, op, right = children
        return ast.Comparison(op, left, right)

    def is_null(self, meta: Meta, children: list[Any]) -> ast.IsNull:
        return ast.IsNull(children[0], _has_keyword(children, "NOT"))

    def in_list(self, meta: Meta, children: list[Any]) -> ast.InList:
        values = tuple(c for c in children[1:] if isinstance(c, ast.Literal | ast.ColumnRef))
        return ast.InList(children[0], values, _has_keyword(children, "NOT"))

    def like(self, meta: Meta, children: list[Any]) -> ast.Like:
        return ast.Like(children[0], children[-1], _has_keyword(children, "NOT"))

    def or_expr(self, meta: Meta, children: list[Any]) -> ast.Or:
        return ast.Or(children[0], children[-1])

    def and_expr(self, meta: Meta, children: list[Any]) -> ast.And:
        return ast.And(children[0], children[-1])

    def not_expr(self, meta: Meta, children: list[Any]) -> ast.Not:
        return ast.Not(children[-1])

    def where_clause(self, meta: Meta, children: list[Any]) -> _Where:
        return _Where(children[-1])

    def order_clause(self, meta: Meta, children: list[Any]) -> _OrderBy:
        return _OrderBy(tuple(c for c in children if isinstance(c, ast.OrderItem)))

    def order_item(self, meta: Meta, children: list[Any]) -> ast.OrderItem:
        return ast.OrderItem(_ident(children[0]), _has_keyword(children, "DESC"))

    def limit_clause(self, meta: Meta, children: list[Any]) -> _Limit:
        value = _number(children[-1].value)
        if not isinstance(value, int):
            raise syntax(f"parse error: LIMIT must be an integer, got {children[-1].value}")
        return _Limit(value)


class _Owner:
    def __init__(self, role: str) -> None:
        self.role = role


class _Where:
    def __init__(self, condition: ast.Condition) -> None:
        self.condition = condition


class _OrderBy:
    def __init__(self, items: tuple[ast.OrderItem, ...]) -> None:
        self.items = items


class _Limit:
    def __init__(self, count: int) -> None:
        self.count = count


class _InStore:
    def __init__(self, name: str) -> None:
        self.name = name


class _PrintOption:
    def __init__(self, key: str, value: ast.PropertyValue | None) -> None:
        self.key = key
        self.value = value
