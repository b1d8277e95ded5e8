"""The catalog registry: loads the kinds from the ``deltastream_local.catalog`` entry-point
group, validates them and merges their statements, LISTs, planners and system tables.

The built-in kinds are entry points of this project's distribution, exactly like a plugin's:
``[project.entry-points."deltastream_local.catalog"]`` maps a kind's name to its
:class:`CatalogKind` object (``warehouse = "corp_warehouses.emulation:KIND"``). Loading is
strict: a kind that fails to import, is not a ``CatalogKind``, collides with another kind or
needs a kind that is not loaded stops the server with one :class:`CatalogKindError` line naming
it, its distribution and ``DELTASTREAM_LOCAL_DISABLED_KINDS``.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from deltastream_local.engine import ast
from deltastream_local.engine.catalog.base import (
    CatalogKind,
    Execution,
    Handler,
    Planner,
    Reference,
    StatementKey,
    SystemTable,
)
from deltastream_local.engine.catalog.objects import VERBS, ObjectStatements, option_problems

ENTRY_POINT_GROUP = "deltastream_local.catalog"
#: comma-separated kind names (entry-point names) not to load, built-in kinds included
DISABLED_ENV = "DELTASTREAM_LOCAL_DISABLED_KINDS"

_BUILTIN_PREFIX = "deltastream_local."
_KEYWORD = re.compile(r"[a-z][a-z0-9_]*\Z")


class CatalogKindError(Exception):
    """An emulator kind failed to load or breaks a rule; the message is one line naming the
    kind, its distribution and how to run without it."""


@dataclass(frozen=True)
class LoadedKind:
    """A kind with the entry point and distribution it came from (for messages and listings)."""

    kind: CatalogKind
    distribution: str = ""
    version: str = ""
    #: one of deltastream-local's own kinds (loaded first, so a clash names the plugin's)
    builtin: bool = False

    @property
    def name(self) -> str:
        return self.kind.name

    @property
    def label(self) -> str:
        return f"{self.name} ({self.distribution})" if self.distribution else self.name


def _hint(name: str) -> str:
    return f"fix or uninstall it, or run without it: {DISABLED_ENV}={name}"


def disabled_from_env() -> list[str]:
    """The kind names ``DELTASTREAM_LOCAL_DISABLED_KINDS`` blocks."""
    return [n.strip() for n in os.environ.get(DISABLED_ENV, "").split(",") if n.strip()]


def entry_points() -> Iterator[tuple[importlib.metadata.EntryPoint, str, str]]:
    """Every entry point of the group with its distribution's name and version."""
    seen: set[tuple[str, str, str]] = set()
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"] or ""
        for ep in dist.entry_points:
            # an editable install may list the same distribution twice
            if ep.group == ENTRY_POINT_GROUP and (ep.name, ep.value, name) not in seen:
                seen.add((ep.name, ep.value, name))
                yield ep, name, dist.version or ""


def discover(disabled: Iterable[str] | None = None) -> list[LoadedKind]:
    """Load every kind of the entry-point group except the disabled ones: the built-in ones
    first, each group ordered by name."""
    blocked = set(disabled_from_env() if disabled is None else disabled)
    found: list[LoadedKind] = []
    points = list(entry_points())
    if not any(ep.value.startswith(_BUILTIN_PREFIX) for ep, _, _ in points):
        # installed from a checkout older than its pyproject.toml's entry points
        raise CatalogKindError(
            f"deltastream-local's own catalog kinds are missing from the {ENTRY_POINT_GROUP!r}"
            " entry-point group: reinstall the distribution (pip install -e .)"
        )
    for ep, dist, version in points:
        if ep.name in blocked:
            continue
        label = f"{ep.name} ({dist})" if dist else ep.name
        try:
            loaded: Any = ep.load()
        except Exception as exc:  # any import-time failure: one line, never a traceback
            raise CatalogKindError(
                f"emulator kind {label} failed to load from {ep.value!r}: "
                f"{type(exc).__name__}: {exc}; {_hint(ep.name)}"
            ) from exc
        if not isinstance(loaded, CatalogKind):
            raise CatalogKindError(
                f"emulator kind {label}: entry point {ep.value!r} is a "
                f"{type(loaded).__name__}, not a CatalogKind (point it at the kind object, "
                f"e.g. 'module:KIND'); {_hint(ep.name)}"
            )
        if loaded.name != ep.name:
            raise CatalogKindError(
                f"emulator kind {label}: the entry point is named {ep.name!r} but the kind "
                f"{loaded.name!r}; name the entry point after the kind; {_hint(ep.name)}"
            )
        builtin = ep.value.startswith(_BUILTIN_PREFIX)
        found.append(LoadedKind(loaded, dist, version, builtin))
    return sorted(found, key=lambda item: (not item.builtin, item.name))


class Registry:
    """Dispatch tables built from the kinds, and who references whom."""

    def __init__(self, kinds: Sequence[LoadedKind | CatalogKind]) -> None:
        self.loaded = tuple(k if isinstance(k, LoadedKind) else LoadedKind(k) for k in kinds)
        self.kinds = tuple(item.kind for item in self.loaded)
        self._owners: dict[str, LoadedKind] = {}
        self._statements: dict[StatementKey, Handler] = {}
        self._planners: dict[StatementKey, Planner] = {}
        self._lists: dict[str, Handler] = {}
        self._tables: dict[str, SystemTable] = {}
        self._objects: dict[str, ObjectStatements] = {}
        self._references: dict[str, list[Reference]] = {}
        claims: dict[str, LoadedKind] = {}
        for item in self.loaded:
            kind = item.kind
            self._claim(claims, f"kind {kind.name!r}", item)
            self._merge(claims, self._statements, kind.statements, item, _statement_text)
            self._merge(claims, self._planners, kind.planners, item, _planner_text)
            self._merge(claims, self._lists, kind.lists, item, lambda w: f"LIST {w.upper()}")
            tables = {table.name: table for table in kind.system_tables}
            self._merge(claims, self._tables, tables, item, _table_text)
            _check_words(kind, item)
            if kind.objects is not None:
                self._check_objects(kind.objects, item)
                objects = {kind.objects.keyword: kind.objects}
                self._merge(claims, self._objects, objects, item, _keyword_text)
        names = {item.name for item in self.loaded}
        for item in self.loaded:
            for needed in [*item.kind.requires, *(ref.target for ref in item.kind.references)]:
                if needed not in names:
                    raise CatalogKindError(
                        f"emulator kind {item.label} needs kind {needed!r}, which is not loaded"
                        f" (not installed, or disabled by {DISABLED_ENV}); {_hint(item.name)}"
                    )
            for reference in item.kind.references:
                self._references.setdefault(reference.target, []).append(reference)

    @staticmethod
    def _claim(claims: dict[str, LoadedKind], what: str, item: LoadedKind) -> None:
        if what in claims:
            raise CatalogKindError(
                f"emulator kind {item.label} registers {what}, which kind "
                f"{claims[what].label} already registers; disable one with "
                f"{DISABLED_ENV}={item.name}"
            )
        claims[what] = item

    def _merge(
        self,
        claims: dict[str, LoadedKind],
        target: dict[K, V],
        source: Mapping[K, V],
        item: LoadedKind,
        describe: Any,
    ) -> None:
        for key, value in source.items():
            self._claim(claims, describe(key), item)
            target[key] = value

    @staticmethod
    def _check_objects(objects: ObjectStatements, item: LoadedKind) -> None:
        from deltastream_local.engine.parser import grammar_keywords

        problems = []
        if not _KEYWORD.match(objects.keyword):
            problems.append(f"object keyword {objects.keyword!r} is not a lower-case word")
        elif objects.keyword in grammar_keywords():
            problems.append(f"object keyword {objects.keyword!r} is a keyword of the grammar")
        unknown = sorted(set(objects.handlers) - set(VERBS))
        if unknown:
            problems.append(f"unknown verbs {unknown} (known: {', '.join(VERBS)})")
        problems += option_problems(objects.options)
        if problems:
            raise CatalogKindError(
                f"emulator kind {item.label} is refused: {'; '.join(problems)}; {_hint(item.name)}"
            )

    # -- what the engine asks

    def schema(self) -> Iterator[str]:
        for kind in self.kinds:
            yield from kind.schema

    def before_statement(self, exe: Execution) -> None:
        """Run every kind's ``before_statement`` hook, in registry order."""
        for kind in self.kinds:
            if kind.before_statement is not None:
                kind.before_statement(exe)

    def handler(self, statement: ast.Statement) -> Handler | None:
        return _lookup(self._statements, statement)

    def planner(self, statement: ast.Statement) -> Planner | None:
        return _lookup(self._planners, statement)

    def list_handler(self, what: str) -> Handler | None:
        return self._lists.get(what.lower())

    def list_names(self) -> list[str]:
        return sorted(self._lists)

    def system_table(self, name: str) -> SystemTable | None:
        return self._tables.get(name)

    def objects(self, keyword: str) -> ObjectStatements | None:
        """The generic statement family a kind claims by its object keyword."""
        return self._objects.get(keyword)

    def keywords(self) -> frozenset[str]:
        """The object keywords the kinds claim (the parser accepts them after the verbs)."""
        return frozenset(self._objects)

    def has(self, kind: str) -> bool:
        """Whether a kind of this name is loaded."""
        return any(item.name == kind for item in self.loaded)

    def referencing(self, kind: str) -> Sequence[Reference]:
        """The references the kinds declare to objects of ``kind`` (``base.Catalog``)."""
        return tuple(self._references.get(kind, ()))


def _check_words(kind: CatalogKind, item: LoadedKind) -> None:
    # The engine looks LIST words up in lower case: another spelling could never match.
    for word in kind.lists:
        if not _KEYWORD.match(word):
            raise CatalogKindError(
                f"emulator kind {item.label} is refused: LIST word {word!r} is not a lower-case"
                f" word; {_hint(item.name)}"
            )


T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


def _statement_text(key: StatementKey) -> str:
    statement, kind = key
    return f"statement {statement.__name__}" + (f" for {kind!r}" if kind else "")


def _planner_text(key: StatementKey) -> str:
    return "DESCRIBE of " + _statement_text(key)


def _table_text(name: str) -> str:
    return f'system table deltastream.sys."{name}"'


def _keyword_text(keyword: str) -> str:
    return f"object keyword {keyword.upper()}"


def _lookup(table: dict[StatementKey, T], statement: ast.Statement) -> T | None:
    kind = getattr(statement, "kind", None)
    if isinstance(kind, str) and (type(statement), kind) in table:
        return table[(type(statement), kind)]
    return table.get((type(statement), None))


def default_registry(disabled: Iterable[str] | None = None) -> Registry:
    """The registry of every installed kind not disabled (by ``disabled`` or the env var)."""
    return Registry(discover(disabled))
