"""The typed syntax tree the parser produces: one frozen dataclass per statement form.

Identifiers are already folded (unquoted → lower case, quoted → as written); string literals
are already unescaped. ``text`` on a statement is its exact source text (without the trailing
``;``), kept because queries store and echo their SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal as TypingLiteral

#: Kinds of relation a CREATE/DROP/ALTER can name.
RelationKind = TypingLiteral["stream", "changelog", "table", "materialized_view"]


@dataclass(frozen=True)
class QualifiedName:
    """A dotted name such as ``"db"."schema"."name"``; parts are folded identifiers."""

    parts: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join(quote_ident(part) for part in self.parts)


def quote_ident(name: str) -> str:
    """Render ``name`` as a double-quoted identifier (the form messages and fqns use)."""
    return '"' + name.replace('"', '""') + '"'


# ---- WITH properties --------------------------------------------------------------------------

PropertyKind = TypingLiteral["string", "identifier", "keyword", "number", "boolean", "null"]


@dataclass(frozen=True)
class PropertyValue:
    """One WITH value. ``value`` is the literal text (``None`` for NULL); booleans are
    ``"true"``/``"false"``, keywords keep the case they were written in."""

    kind: PropertyKind
    value: str | None


@dataclass(frozen=True)
class Property:
    key: str
    value: PropertyValue


@dataclass(frozen=True)
class Properties:
    """An ordered WITH clause; keys are unique (the parser rejects duplicates)."""

    items: tuple[Property, ...] = ()

    def get(self, key: str) -> PropertyValue | None:
        for item in self.items:
            if item.key == key:
                return item.value
        return None

    def keys(self) -> list[str]:
        return [item.key for item in self.items]


# ---- statements ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """Base of every statement; ``text`` is the statement's own source text."""

    text: str = field(default="", compare=False, kw_only=True)


@dataclass(frozen=True)
class Unsupported(Statement):
    """A statement of the service that the local server does not implement (→ 0A000)."""

    words: str


@dataclass(frozen=True)
class ObjectStatement(Statement):
    """``<VERB> <KEYWORD> name [WITH|SET (...) | OWNER TO role]`` for an object keyword a
    catalog kind claims (``catalog/objects.py``); ``verb`` and ``keyword`` are lower case."""

    verb: str
    keyword: str
    name: QualifiedName
    properties: Properties = Properties()
    owner: str | None = None


# ---- entities (catalog/entities.py): a path inside a store, not one qualified name ----------


@dataclass(frozen=True)
class EntityStatement(Statement):
    """``CREATE | DROP | DESCRIBE | PRINT ENTITY <path> [IN STORE s] [WITH (...)]`` and
    ``INSERT INTO ENTITY <path> [IN STORE s] VALUE('<record>')``; ``kind`` is the lower-case
    verb (``insert`` for INSERT INTO ENTITY). PRINT's WITH items may be bare keys
    (``'from_beginning'``): they are in ``flags``."""

    kind: str
    path: QualifiedName
    store: str | None = None
    properties: Properties = Properties()
    flags: tuple[str, ...] = ()
    value: str | None = None


@dataclass(frozen=True)
class ListEntities(Statement):
    """``LIST ENTITIES [IN <path>] [IN STORE s]``."""

    parent: QualifiedName | None = None
    store: str | None = None


@dataclass(frozen=True)
class CreateDatabase(Statement):
    name: str


@dataclass(frozen=True)
class DropDatabase(Statement):
    name: str


@dataclass(frozen=True)
class CreateSchema(Statement):
    name: QualifiedName
    database: str | None


@dataclass(frozen=True)
class DropSchema(Statement):
    name: QualifiedName


ObjectKind = TypingLiteral[
    "database", "schema", "store", "relation", "stream", "changelog", "table", "materialized_view"
]


@dataclass(frozen=True)
class AlterOwner(Statement):
    kind: ObjectKind
    name: QualifiedName
    role: str


@dataclass(frozen=True)
class AlterQueryOwner(Statement):
    query_id: str
    role: str


@dataclass(frozen=True)
class Use(Statement):
    kind: TypingLiteral["database", "schema", "store"]
    name: QualifiedName


@dataclass(frozen=True)
class ListObjects(Statement):
    """``LIST <what> [IN DATABASE|SCHEMA <scope>]`` (``SHOW`` is a synonym)."""

    what: str
    scope_kind: TypingLiteral["database", "schema"] | None = None
    scope: QualifiedName | None = None


@dataclass(frozen=True)
class DescribeObject(Statement):
    #: ``relation_columns`` is ``DESCRIBE RELATION COLUMNS`` (one row per column)
    kind: TypingLiteral["database", "schema", "relation", "relation_columns"]
    name: QualifiedName


@dataclass(frozen=True)
class CreateStore(Statement):
    name: str
    properties: Properties


@dataclass(frozen=True)
class UpdateStore(Statement):
    name: str
    properties: Properties


@dataclass(frozen=True)
class DropStore(Statement):
    name: str


@dataclass(frozen=True)
class DescribeStore(Statement):
    name: str


# ---- relations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnDef:
    name: str
    type: str
    not_null: bool = False


@dataclass(frozen=True)
class CreateRelation(Statement):
    """``CREATE STREAM|CHANGELOG|TABLE name (columns) [WITH (...)]``."""

    kind: RelationKind
    name: QualifiedName
    columns: tuple[ColumnDef, ...]
    primary_key: tuple[str, ...]
    properties: Properties


@dataclass(frozen=True)
class SourceRef:
    """A relation a streaming SELECT reads (FROM or JOIN), with its per-source WITH."""

    name: QualifiedName
    properties: Properties = Properties()


@dataclass(frozen=True)
class StreamSelect:
    """A streaming SELECT: only its sources are structured; ``text`` is the whole query."""

    text: str
    sources: tuple[SourceRef, ...]


@dataclass(frozen=True)
class CreateRelationAs(Statement):
    """``CREATE STREAM|CHANGELOG|TABLE|MATERIALIZED VIEW name [WITH (...)] AS SELECT ...``."""

    kind: RelationKind
    name: QualifiedName
    properties: Properties
    query: StreamSelect
    virtual: bool = False


@dataclass(frozen=True)
class DropRelation(Statement):
    kind: TypingLiteral["relation", "stream", "changelog", "table", "materialized_view"]
    name: QualifiedName


# ---- queries and applications -----------------------------------------------------------------


@dataclass(frozen=True)
class InsertInto(Statement):
    sink: QualifiedName
    query: StreamSelect


@dataclass(frozen=True)
class Application(Statement):
    name: str
    statements: tuple[Statement, ...]
    properties: Properties


@dataclass(frozen=True)
class TerminateQuery(Statement):
    query_id: str


@dataclass(frozen=True)
class RestartQuery(Statement):
    query_id: str


@dataclass(frozen=True)
class DescribeQuery(Statement):
    query_id: str
    history: bool = False


@dataclass(frozen=True)
class DescribeStatement(Statement):
    """``DESCRIBE <statement>``: the plan of ``statement`` without running it."""

    statement: Statement


# ---- SELECT from system tables -------------------------------------------------------------------

LiteralValue = str | int | float | bool | None


@dataclass(frozen=True)
class Literal:
    value: LiteralValue


@dataclass(frozen=True)
class ColumnRef:
    name: str


Operand = Literal | ColumnRef


@dataclass(frozen=True)
class Comparison:
    op: str
    left: Operand
    right: Operand


@dataclass(frozen=True)
class IsNull:
    operand: Operand
    negated: bool


@dataclass(frozen=True)
class InList:
    operand: Operand
    values: tuple[Operand, ...]
    negated: bool


@dataclass(frozen=True)
class Like:
    operand: Operand
    pattern: Operand
    negated: bool


@dataclass(frozen=True)
class And:
    left: Condition
    right: Condition


@dataclass(frozen=True)
class Or:
    left: Condition
    right: Condition


@dataclass(frozen=True)
class Not:
    operand: Condition


Condition = Comparison | IsNull | InList | Like | And | Or | Not


@dataclass(frozen=True)
class OrderItem:
    column: str
    descending: bool = False


@dataclass(frozen=True)
class SelectSystem(Statement):
    """``SELECT items FROM deltastream.sys."table" [WHERE] [ORDER BY] [LIMIT]``.

    ``items`` is ``None`` for ``*``; otherwise column references or literals (``SELECT 1``).
    """

    items: tuple[Operand, ...] | None
    source: QualifiedName
    where: Condition | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None


# ---- functions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionArgument:
    name: str
    #: the type as the engine renders it (``VARCHAR``, ``ARRAY<INTEGER>``)
    type: str


@dataclass(frozen=True)
class CreateFunction(Statement):
    """``CREATE FUNCTION name (arg TYPE, ...) RETURNS TYPE LANGUAGE lang [WITH (...)]``."""

    name: str
    arguments: tuple[FunctionArgument, ...]
    returns: str
    #: upper case (``JAVA``)
    language: str
    properties: Properties = Properties()


@dataclass(frozen=True)
class DropFunction(Statement):
    """``DROP FUNCTION name (arg TYPE, ...)``: the signature picks one of the overloads."""

    name: str
    arguments: tuple[FunctionArgument, ...]
