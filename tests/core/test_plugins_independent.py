"""No built-in plugin imports another: each entry point's module is loadable (and can be
disabled) on its own; what two kinds share lives in helper modules (query_lifecycle, _plans,
_common, store/...)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from deltastream_core.registry import entry_points

OURS = "pulumi-deltastream-py"


def _plugin_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for ep, dist, _ in entry_points():
        if dist == OURS:
            spec = importlib.util.find_spec(ep.value)
            assert spec is not None and spec.origin is not None
            found[ep.value] = Path(spec.origin)
    return found


def test_no_plugin_module_imports_another() -> None:
    modules = _plugin_modules()
    assert {"deltastream_plugins.query", "deltastream_plugins.application"} <= set(modules)
    offenders = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        offenders += [
            f"{name} imports {other}" for other in sorted(imported & set(modules) - {name})
        ]
    assert not offenders, offenders
