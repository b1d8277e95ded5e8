"""DESCRIBE plans, relation names and SQL bodies: what Object, Query and Application share.

* :func:`normalize_sql` is the comparison form of a ``sql`` input: whitespace-only edits are
  not changes (docs/reference/requirements.md#fr-023).
* :func:`parse_fqn` / :func:`fqn_key` read the ``"db"."namespace"."name"`` form users declare
  sources and sinks in, so comparisons do not depend on quoting style.
* :func:`describe` runs ``DESCRIBE <statement>`` and parses the plan
(docs/reference/deltastream-sql.md#describe-plans);
  :func:`plan_check_failures` turns the server's refusal into Check failures.
* :func:`body_diff` renders the short old-vs-new diff of the immutability error
(docs/reference/requirements.md#fr-024).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from deltastream_core.errors import (
    AlreadyExistsError,
    AuthenticationError,
    NotFoundError,
    StatementError,
    TimeoutError_,
    TransientError,
)
from deltastream_core.kinds import CheckFailure, OperationContext
from deltastream_core.lexer import single_statement_problem
from deltastream_core.ports import Statement, StatementContext
from deltastream_core.rows import describe_properties as describe_properties
from deltastream_core.sql import qualified
from deltastream_core.unknown import UNKNOWN, is_known
from deltastream_core.waiting import Backoff

#: readiness polls: a poll lands at most ~15 % after the relation or query got ready (the
#: default 1.6 growth can overshoot by 60 %, which adds up along a pipeline's chain of waits)
POLL = Backoff(first=0.05, factor=1.15, cap=0.5)

# -- SQL bodies ----------------------------------------------------------------------------

#: characters around which whitespace carries no meaning in DeltaStream SQL
_TIGHT = set("(),;=.<>")

WHITESPACE_RULE = (
    "leading and trailing whitespace, trailing semicolons, runs of spaces, tabs and newlines "
    "(outside quotes), and whitespace next to ( ) , ; = . < >"
)


def normalize_sql(sql: Any) -> Any:
    """The comparison form of a SQL body: whitespace that cannot change its meaning removed.

    Quoted text (``'…'``, ``"…"``, backticks) is kept verbatim; outside quotes a run of
    whitespace becomes one space, or nothing next to punctuation; trailing ``;`` are dropped.
    Non-strings are returned unchanged (unknowns, None).
    """
    if not isinstance(sql, str):
        return sql
    out: list[str] = []
    i, n = 0, len(sql)
    pending_space = False
    while i < n:
        ch = sql[i]
        if ch in "'\"`" or sql.startswith("--", i):
            # quoted text and line comments are kept verbatim (a comment keeps its newline,
            # so the text after it is not swallowed into it)
            end = _quote_end(sql, i) if ch != "-" else _line_end(sql, i)
            if pending_space and _needs_space(out, ""):
                out.append(" ")
            pending_space = False
            out.append(sql[i:end])
            i = end
            continue
        if ch.isspace():
            pending_space = True
            i += 1
            continue
        if pending_space and _needs_space(out, ch):
            out.append(" ")
        pending_space = False
        out.append(ch)
        i += 1
    return "".join(out).rstrip("; \t\r\n\f\v")


def _needs_space(out: list[str], nxt: str) -> bool:
    """Whether a whitespace run between what was emitted and ``nxt`` must stay (as one space)."""
    if not out or nxt in _TIGHT:
        return False
    last = out[-1][-1:]
    return last not in _TIGHT and not last.isspace()


def _quote_end(text: str, start: int) -> int:
    """Index just past the quoted token opening at ``start`` (doubled quotes escape)."""
    quote = text[start]
    i = start + 1
    while i < len(text):
        if text[i] == quote:
            if i + 1 < len(text) and text[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return len(text)  # unterminated: the server will say so; keep the rest verbatim


def _line_end(text: str, start: int) -> int:
    """Index just past the newline ending the ``--`` comment at ``start``."""
    end = text.find("\n", start)
    return len(text) if end < 0 else end + 1


def sql_problem(value: Any) -> str | None:
    """Check rule for ``sql`` inputs: exactly one statement (the service runs every statement
    of a request, so a second one would run too, even inside Check's DESCRIBE)."""
    if isinstance(value, str):
        return single_statement_problem(value)
    return None


def body_diff(old: str, new: str, *, max_lines: int = 12, width: int = 160) -> str:
    """A short, readable diff of two SQL bodies for the immutability error
    (docs/reference/requirements.md#fr-024)."""
    old_lines = [line.rstrip() for line in old.strip().splitlines() if line.strip()]
    new_lines = [line.rstrip() for line in new.strip().splitlines() if line.strip()]
    if len(old_lines) == 1 and len(new_lines) == 1:
        return _one_line_diff(old_lines[0], new_lines[0], width)
    lines = [
        line
        for line in difflib.unified_diff(old_lines, new_lines, lineterm="", n=1)
        if not line.startswith(("---", "+++"))
    ]
    if len(lines) > max_lines:
        lines = [*lines[:max_lines], f"… ({len(lines) - max_lines} more diff lines)"]
    return "\n".join(_clip(line, width) for line in lines)


def _one_line_diff(old: str, new: str, width: int) -> str:
    """``- old`` / ``+ new`` around the first difference of two long one-line statements."""
    first = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), None)
    if first is None:
        first = min(len(old), len(new))
    start = max(0, first - width // 3)

    def window(text: str) -> str:
        piece = text[start : start + width]
        return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")

    return f"- {window(old)}\n+ {window(new)}"


def _clip(line: str, width: int) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


# -- relation names ------------------------------------------------------------------------

RelationPath = tuple[str, str, str]


def _parts(text: str) -> list[tuple[str, bool]]:
    """Split ``"a".b."c.d"`` into ``[("a", True), ("b", False), ("c.d", True)]``."""
    parts: list[tuple[str, bool]] = []
    current: list[str] = []
    quoted_part = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            end = _quote_end(text, i)
            current.append(text[i + 1 : end - 1].replace('""', '"'))
            quoted_part = True
            i = end
            continue
        if ch == ".":
            parts.append(("".join(current), quoted_part))
            current, quoted_part = [], False
        else:
            current.append(ch)
        i += 1
    parts.append(("".join(current), quoted_part))
    return parts


def parse_fqn(text: str) -> RelationPath | None:
    """``"db"."ns"."name"`` (or ``db.ns.name``) → ``(db, ns, name)``; None if not 3 parts.

    Unquoted parts fold to lower case, as DeltaStream folds unquoted identifiers.
    """
    text = text.strip()
    if not text:
        return None
    parts = [(p if quoted else p.strip().lower()) for p, quoted in _parts(text)]
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


def fqn_problem(value: Any) -> str | None:
    """Check rule for a declared relation name."""
    if isinstance(value, str) and parse_fqn(value) is None:
        return (
            f"{value!r} is not a fully qualified relation name; write it as "
            '"database"."namespace"."name" (the fqn output of a DeltaStreamObject)'
        )
    return None


def fqns_problem(values: Any) -> str | None:
    """Check rule for a list of declared relation names (unknown elements are skipped)."""
    if not isinstance(values, list):
        return None
    for value in values:
        problem = fqn_problem(value)
        if problem:
            return problem
    return None


def fqn_key(text: Any) -> Any:
    """The comparison form of one declared name (quoting style does not matter)."""
    if isinstance(text, str):
        return parse_fqn(text) or text
    return text


def fqn_set_key(values: Any) -> Any:
    """The comparison form of a declared list: order and duplicates do not matter."""
    if isinstance(values, list | tuple) and is_known(values):
        return frozenset(fqn_key(v) for v in values)
    return values


def show(path: RelationPath) -> str:
    """How messages spell a relation: ``"db"."ns"."name"``."""
    return qualified(*path)


# -- DESCRIBE plans ------------------------------------------------------------------------


@attrs.frozen
class PlannedRelation:
    """A relation as a DESCRIBE plan names it."""

    database: str
    namespace: str
    name: str
    store: str | None = None
    type: str | None = None
    is_virtual: bool = False

    @property
    def path(self) -> RelationPath:
        return (self.database, self.namespace, self.name)

    @property
    def fqn(self) -> str:
        return show(self.path)


@attrs.frozen
class Plan:
    """The plan of one statement: its ``kind`` and the relations it creates, reads, writes."""

    kind: str
    ddl: PlannedRelation | None = None
    ddls: tuple[PlannedRelation, ...] = ()
    sink: PlannedRelation | None = None
    sinks: tuple[PlannedRelation, ...] = ()
    sources: tuple[PlannedRelation, ...] = ()

    def virtual_paths(self) -> set[RelationPath]:
        return {r.path for r in self.ddls if r.is_virtual}


class PlanFormatError(ValueError):
    """DESCRIBE answered something that is not a plan (a provider/server mismatch)."""


def _relation(raw: Any) -> PlannedRelation:
    if not isinstance(raw, Mapping):
        raise PlanFormatError(f"expected a relation object, got {raw!r}")
    try:
        return PlannedRelation(
            database=str(raw["db_name"]),
            namespace=str(raw["schema_name"]),
            name=str(raw["name"]),
            store=raw.get("store_name") or None,
            type=(str(raw["type"]).lower() if raw.get("type") else None),
            is_virtual=bool(raw.get("is_virtual", False)),
        )
    except KeyError as exc:
        raise PlanFormatError(f"relation without {exc.args[0]!r}: {raw!r}") from None


def _relations(raw: Any) -> tuple[PlannedRelation, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise PlanFormatError(f"expected a list of relations, got {raw!r}")
    return tuple(_relation(item) for item in raw)


def parse_plan(kind: str, text: str) -> Plan:
    """Parse a DESCRIBE row (``kind``, JSON plan) as
    docs/reference/deltastream-sql.md#describe-plans describes it."""
    try:
        body = json.loads(text) if text else {}
    except json.JSONDecodeError as exc:
        raise PlanFormatError(f"the plan is not JSON: {exc}") from None
    if not isinstance(body, Mapping):
        raise PlanFormatError(f"the plan is not a JSON object: {text[:200]!r}")
    ddl = body.get("ddl")
    sink = body.get("sink")
    return Plan(
        kind=kind.strip().upper(),
        ddl=_relation(ddl) if ddl is not None else None,
        ddls=_relations(body.get("ddls")),
        sink=_relation(sink) if sink is not None else None,
        sinks=_relations(body.get("sinks")),
        sources=_relations(body.get("sources")),
    )


async def describe(ctx: OperationContext, sql: str, context: StatementContext) -> Plan:
    """``DESCRIBE <sql>`` in ``context`` (read-only, retried freely) and its parsed plan.

    The statement text is sent unchanged after the ``DESCRIBE`` prefix, as the official
    providers do; nothing is interpolated, so nothing needs quoting.
    """
    result = await ctx.require_runner().run(Statement.read(f"DESCRIBE {sql}"), context)
    if not result.rows or len(result.rows[0]) < 2:
        raise PlanFormatError(f"DESCRIBE returned no plan row ({len(result.rows)} rows)")
    kind, text = result.rows[0][0], result.rows[0][1]
    return parse_plan(kind or "", text or "")


@attrs.frozen
class PlanOutcome:
    """A DESCRIBE attempted by Check: the plan, or failures, or nothing (skipped)."""

    plan: Plan | None = None
    failures: tuple[CheckFailure, ...] = ()


async def describe_for_check(
    ctx: OperationContext, sql: str, context: StatementContext, what: str
) -> PlanOutcome:
    """DESCRIBE for Check: a refusal becomes a failure on ``sql``; unknowables are skipped.

    Skipped (no failure, a log line instead): a provider that is not configured; objects the
    statement names that do not exist *yet* (NotFound: typically created by the same update,
    and the statement itself will report them if they never appear); a relation that exists
    *still* (AlreadyExists: the old one of a delete-before-replace); and DeltaStream being
    unreachable — Check then says nothing rather than something false.
    """
    if ctx.runner is None:
        return PlanOutcome()
    try:
        return PlanOutcome(plan=await describe(ctx, sql, context))
    except NotFoundError as exc:
        ctx.log.info(
            f"{what}: sql not validated yet, it names an object that does not exist yet "
            f"({exc.server_message}); it is checked again before it runs"
        )
        return PlanOutcome()
    except AlreadyExistsError as exc:
        # a replacement: the old relation still exists until it is deleted (delete before
        # replace); create plans the statement again once it is gone
        ctx.log.info(
            f"{what}: sql not validated yet ({exc.server_message}); it is checked again "
            "before it runs"
        )
        return PlanOutcome()
    except StatementError as exc:
        return PlanOutcome(
            failures=(
                CheckFailure(
                    "sql",
                    f"DeltaStream cannot plan this statement: {exc.server_message} "
                    f"(sqlState {exc.sql_state})",
                ),
            )
        )
    except (TransientError, TimeoutError_, AuthenticationError, PlanFormatError) as exc:
        ctx.log.warning(f"{what}: could not validate sql with DESCRIBE ({exc}); skipped")
        return PlanOutcome()


# -- Check helpers -------------------------------------------------------------------------


def unchanged(olds: Mapping[str, Any], news: Mapping[str, Any], keys: Iterable[str]) -> bool:
    """True when every key has the same (comparison-form) value in ``olds`` and ``news``."""
    normalizers = {"sql": normalize_sql}
    for key in keys:
        old, new = olds.get(key), news.get(key)
        if new is UNKNOWN or old is UNKNOWN or not is_known(new):
            return False
        norm = normalizers.get(key)
        if norm is not None:
            old, new = norm(old), norm(new)
        elif isinstance(new, list) or isinstance(old, list):
            old, new = fqn_set_key(old or []), fqn_set_key(new or [])
        elif isinstance(new, str) and key.endswith("Fqn"):
            old, new = fqn_key(old), fqn_key(new)
        if old != new:
            return False
    return True


def known_str(value: Any) -> str | None:
    """The value when it is a known, non-empty string; None otherwise."""
    return value if isinstance(value, str) and value else None


def compare_relations(
    prop_name: str,
    declared: Any,
    planned: Sequence[PlannedRelation],
    *,
    role: str,
    virtual: set[RelationPath] | None = None,
) -> list[CheckFailure]:
    """Declared names vs the plan's, both directions; unknown declared elements are skipped.

    ``role`` words the relation's part in the statement ("reads from", "writes to").
    """
    if not isinstance(declared, list):
        return []  # unknown list: nothing can be said
    failures: list[CheckFailure] = []
    virtual = virtual or set()
    known = [d for d in declared if isinstance(d, str)]
    all_known = len(known) == len(declared)
    declared_paths = {parse_fqn(d): d for d in known}
    planned_paths = {r.path for r in planned}
    for path, text in declared_paths.items():
        if path is None:
            continue  # the field rule already reported it
        if path in virtual:
            failures.append(
                CheckFailure(
                    prop_name,
                    f"{text} is a virtual relation created inside the application; declare "
                    "only physical relations (virtual ones are not visible outside it)",
                )
            )
        elif path not in planned_paths:
            failures.append(
                CheckFailure(prop_name, f"{text} is declared but the sql never {role} it")
            )
    if all_known:
        for relation in planned:
            if relation.path not in declared_paths:
                failures.append(
                    CheckFailure(
                        prop_name,
                        f"the sql {role} {relation.fqn}, which is not declared here; add it",
                    )
                )
    return failures
