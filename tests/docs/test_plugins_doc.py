"""docs/plugins.md's blocks work as written: the distribution's entry-point table parses, and
the complete kind registers through the validating registry and appears in the schema."""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from pathlib import Path
from types import ModuleType

from deltastream_core.registry import load_registry
from deltastream_pulumi.schema import build_schema

DOC = Path(__file__).parents[2] / "docs" / "plugins.md"
BLOCK = re.compile(r"```(?P<lang>\w+)\n# (?P<name>[\w/.]+)[^\n]*\n(?P<body>.*?)```", re.S)


def blocks() -> dict[str, str]:
    return {m["name"]: m["body"] for m in BLOCK.finditer(DOC.read_text())}


def load_kind_module(tmp_path: Path) -> ModuleType:
    path = tmp_path / "warehouse.py"
    path.write_text(blocks()["my_package/warehouse.py"])
    spec = importlib.util.spec_from_file_location("doc_warehouse", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_entry_point_table_parses() -> None:
    table = tomllib.loads(blocks()["pyproject.toml"])
    assert table["project"]["entry-points"]["deltastream"] == {"my_kind": "my_package.my_kind"}


def test_the_documented_kind_registers_and_is_in_the_schema(tmp_path: Path) -> None:
    module = load_kind_module(tmp_path)
    registry = load_registry([module])
    assert "deltastream:index:Warehouse" in registry.kinds
    assert {"deltastream:index:getWarehouse", "deltastream:index:getWarehouses"} <= set(
        registry.functions
    )
    schema = build_schema(registry)
    warehouse = schema["resources"]["deltastream:index:Warehouse"]
    assert warehouse["inputProperties"]["name"]["replaceOnChanges"] is True
    assert "replaceOnChanges" not in warehouse["inputProperties"]["size"]
    assert set(warehouse["required"]) >= {"name", "size", "owner", "state", "createdAt"}
