"""``SELECT … FROM deltastream.sys."<table>" [WHERE] [ORDER BY] [LIMIT]`` over a kind's rows.

System tables are small, so rows are produced in full by their kind and then filtered,
sorted, limited and projected here. WHERE follows SQL three-valued logic (a comparison with
NULL is unknown, and unknown rows are filtered out). Numeric columns compare numerically.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deltastream_local.engine import ast
from deltastream_local.engine.api import Column
from deltastream_local.engine.catalog import Registry
from deltastream_local.engine.catalog.base import Execution, SystemTable
from deltastream_local.engine.errors import (
    FEATURE_NOT_SUPPORTED,
    INVALID_RELATION,
    SqlError,
    fqn,
    not_found,
    syntax,
)
from deltastream_local.engine.results import Result

SYSTEM_DATABASE = "deltastream"
SYSTEM_SCHEMA = "sys"
_NUMERIC_TYPES = frozenset({"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "DOUBLE", "FLOAT"})

SqlRow = dict[str, str | None]


def run(stmt: ast.SelectSystem, exe: Execution, registry: Registry) -> Result:
    table = _resolve_table(stmt.source, exe, registry)
    types = {column.name: column.type for column in table.columns}
    _check_columns(stmt, table, types)
    rows = table.rows(exe)
    if stmt.where is not None:
        condition = stmt.where
        rows = [row for row in rows if _evaluate(condition, row, types) is True]
    for item in reversed(stmt.order_by):
        rows = _sorted(rows, item, types)
    if stmt.limit is not None:
        rows = rows[: max(stmt.limit, 0)]
    return _project(stmt, table, rows)


def _resolve_table(name: ast.QualifiedName, exe: Execution, registry: Registry) -> SystemTable:
    parts = name.parts
    if len(parts) == 3 and parts[0] == SYSTEM_DATABASE and parts[1] == SYSTEM_SCHEMA:
        table = registry.system_table(parts[2])
        if table is not None:
            return table
        raise not_found(INVALID_RELATION, "relation", *parts)
    if len(parts) == 3 and registry.has("relation"):  # its table exists only when it is loaded
        row = exe.db.execute(
            "SELECT 1 FROM relations WHERE database_name = ? AND schema_name = ? AND name = ?",
            parts,
        ).fetchone()
        if row is not None:
            raise SqlError(
                FEATURE_NOT_SUPPORTED,
                f"cannot SELECT from relation {fqn(*parts)}: deltastream-local keeps the catalog"
                " only, no data flows through relations",
            )
    raise not_found(INVALID_RELATION, "relation", *parts)


def _check_columns(stmt: ast.SelectSystem, table: SystemTable, types: dict[str, str]) -> None:
    referenced: list[str] = [item.column for item in stmt.order_by]
    if stmt.items:
        referenced += [item.name for item in stmt.items if isinstance(item, ast.ColumnRef)]
    if stmt.where is not None:
        referenced += list(_columns_of(stmt.where))
    for column in referenced:
        if column not in types:
            raise syntax(
                f"column {ast.quote_ident(column)} does not exist in "
                f"{fqn(SYSTEM_DATABASE, SYSTEM_SCHEMA, table.name)}"
            )


def _columns_of(condition: ast.Condition) -> list[str]:
    """Every column a condition mentions (iterative: conditions can be deeply nested)."""
    found: list[str] = []
    stack: list[Any] = [condition]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ColumnRef):
            found.append(node.name)
        elif isinstance(node, ast.And | ast.Or):
            stack += [node.left, node.right]
        elif isinstance(node, ast.Not):
            stack.append(node.operand)
        elif isinstance(node, ast.Comparison):
            stack += [node.left, node.right]
        elif isinstance(node, ast.IsNull):
            stack.append(node.operand)
        elif isinstance(node, ast.InList):
            stack += [node.operand, *node.values]
        elif isinstance(node, ast.Like):
            stack += [node.operand, node.pattern]
    return found


# ---- WHERE --------------------------------------------------------------------------------------

Value = str | int | float | bool | None


def _value(operand: ast.Operand, row: SqlRow, types: dict[str, str]) -> tuple[Value, bool]:
    """The operand's value and whether it is numeric."""
    if isinstance(operand, ast.Literal):
        value = operand.value
        return value, isinstance(value, int | float) and not isinstance(value, bool)
    text = row.get(operand.name)
    if text is not None and types.get(operand.name) in _NUMERIC_TYPES:
        try:
            return float(text), True
        except ValueError:
            return text, False
    return text, False


_ORDERINGS: dict[str, Callable[[int], bool]] = {
    "=": lambda c: c == 0,
    "<>": lambda c: c != 0,
    "<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
    ">": lambda c: c > 0,
    ">=": lambda c: c >= 0,
}


def _compare(op: str, left: Value, right: Value) -> bool | None:
    if left is None or right is None:
        return None
    return _ORDERINGS[op](_three_way(left, right))


def _three_way(left: Value, right: Value) -> int:
    """-1/0/1 after making the values comparable: numbers with numbers, else text with text."""
    pair = _as_numbers(left, right)
    if pair is not None:
        a, b = pair
        return (a > b) - (a < b)
    x, y = _text(left), _text(right)
    return (x > y) - (x < y)


def _as_numbers(left: Value, right: Value) -> tuple[float, float] | None:
    if isinstance(left, bool) or isinstance(right, bool):
        return None
    if not (isinstance(left, int | float) or isinstance(right, int | float)):
        return None
    try:
        return float(left), float(right)  # type: ignore[arg-type]
    except ValueError:
        return None


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _like(value: str, pattern: str) -> bool:
    """SQL LIKE (``%`` any run, ``_`` one character), matched without regular expressions."""
    # Classic two-pointer wildcard match with backtracking to the last ``%``.
    v = p = 0
    star_p, star_v = -1, 0
    while v < len(value):
        if p < len(pattern) and (pattern[p] == "_" or pattern[p] == value[v]) and pattern[p] != "%":
            v += 1
            p += 1
        elif p < len(pattern) and pattern[p] == "%":
            star_p, star_v = p, v
            p += 1
        elif star_p != -1:
            p = star_p + 1
            star_v += 1
            v = star_v
        else:
            return False
    while p < len(pattern) and pattern[p] == "%":
        p += 1
    return p == len(pattern)


def _evaluate(condition: ast.Condition, row: SqlRow, types: dict[str, str]) -> bool | None:
    if isinstance(condition, ast.And):
        left = _evaluate(condition.left, row, types)
        if left is False:
            return False
        right = _evaluate(condition.right, row, types)
        if right is False:
            return False
        return None if left is None or right is None else True
    if isinstance(condition, ast.Or):
        left = _evaluate(condition.left, row, types)
        if left is True:
            return True
        right = _evaluate(condition.right, row, types)
        if right is True:
            return True
        return None if left is None or right is None else False
    if isinstance(condition, ast.Not):
        inner = _evaluate(condition.operand, row, types)
        return None if inner is None else not inner
    if isinstance(condition, ast.Comparison):
        return _compare(
            condition.op,
            _value(condition.left, row, types)[0],
            _value(condition.right, row, types)[0],
        )
    if isinstance(condition, ast.IsNull):
        operand, _ = _value(condition.operand, row, types)
        return (operand is not None) if condition.negated else (operand is None)
    if isinstance(condition, ast.InList):
        needle, _ = _value(condition.operand, row, types)
        if needle is None:
            return None
        results = [_compare("=", needle, _value(item, row, types)[0]) for item in condition.values]
        found: bool | None = True if True in results else (None if None in results else False)
        return found if not condition.negated or found is None else not found
    value, _ = _value(condition.operand, row, types)
    pattern, _ = _value(condition.pattern, row, types)
    if value is None or pattern is None:
        return None
    matched = _like(_text(value), _text(pattern))
    return not matched if condition.negated else matched


# ---- ORDER BY and projection ---------------------------------------------------------------


def _sorted(rows: list[SqlRow], item: ast.OrderItem, types: dict[str, str]) -> list[SqlRow]:
    numeric = types.get(item.column) in _NUMERIC_TYPES

    def key(row: SqlRow) -> tuple[int, Any]:
        value = row.get(item.column)
        if value is None:
            return (1, "")  # NULLs last in ascending order (PostgreSQL's default)
        if numeric:
            try:
                return (0, float(value))
            except ValueError:
                return (0, 0.0)
        return (0, value)

    with_values = [row for row in rows if row.get(item.column) is not None]
    nulls = [row for row in rows if row.get(item.column) is None]
    ordered = sorted(with_values, key=key, reverse=item.descending)
    return nulls + ordered if item.descending else ordered + nulls


def _project(stmt: ast.SelectSystem, table: SystemTable, rows: list[SqlRow]) -> Result:
    if stmt.items is None:
        names = [column.name for column in table.columns]
        return Result(table.columns, [[row.get(name) for name in names] for row in rows])
    by_name = {column.name: column for column in table.columns}
    out_columns: list[Column] = []
    #: per output column: the row key to read, or a constant (for literals)
    sources: list[tuple[str | None, str | None]] = []
    for index, item in enumerate(stmt.items):
        if isinstance(item, ast.ColumnRef):
            out_columns.append(by_name[item.name])
            sources.append((item.name, None))
        else:
            value = item.value
            text = None if value is None else _text(value)
            kind = (
                "BOOLEAN"
                if isinstance(value, bool)
                else "INTEGER"
                if isinstance(value, int)
                else "DOUBLE"
                if isinstance(value, float)
                else "VARCHAR"
            )
            # Calcite/Flink (which the service builds on) names unnamed expressions EXPR$n.
            out_columns.append(Column(f"EXPR${index}", kind, value is None))
            sources.append((None, text))
    return Result(
        tuple(out_columns),
        [[constant if key is None else row.get(key) for key, constant in sources] for row in rows],
    )
