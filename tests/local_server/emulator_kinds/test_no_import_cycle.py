"""The catalog's modules form no cycle: a table module imports no statement module, and no
statement module imports another (each imported alone, in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import deltastream_local.engine.catalog as catalog

PACKAGE = "deltastream_local.engine.catalog"
ROOT = Path(catalog.__file__).parent
#: the modules that hold statement handlers and a kind (the rest are tables and helpers)
STATEMENT_MODULES = sorted(
    path.stem
    for path in ROOT.glob("*.py")
    if "\nKIND" in path.read_text() or "= CatalogKind(" in path.read_text()
)
TABLE_MODULES = sorted(
    path.stem for path in (ROOT / "tables").glob("*.py") if path.stem != "__init__"
)
HELPERS = ["base", "objects", "references", "registry", "relation_plans"]


def _imported_statement_modules(module: str) -> list[str]:
    code = (
        f"import importlib, json, sys; importlib.import_module({module!r}); "
        f"print(json.dumps(sorted(m.rsplit('.', 1)[1] for m in sys.modules "
        f"if m.rsplit('.', 1)[0] == {PACKAGE!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = json.loads(done.stdout)
    return [name for name in loaded if name in STATEMENT_MODULES]


def test_the_statement_modules_are_the_kinds() -> None:
    assert set(STATEMENT_MODULES) >= {"databases", "schemas", "stores", "relations", "queries"}
    assert {"databases", "schemas", "stores", "relations", "queries"} <= set(TABLE_MODULES)


@pytest.mark.parametrize("module", [f"tables.{m}" for m in TABLE_MODULES] + HELPERS)
def test_tables_and_helpers_import_no_statement_module(module: str) -> None:
    assert _imported_statement_modules(f"{PACKAGE}.{module}") == []


@pytest.mark.parametrize("module", STATEMENT_MODULES)
def test_a_statement_module_imports_no_other(module: str) -> None:
    assert _imported_statement_modules(f"{PACKAGE}.{module}") == [module]
