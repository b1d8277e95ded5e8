"""Every hook spec is documented in docs/plugins.md with its exact signature (datasette's rule)."""

import inspect
from pathlib import Path

from deltastream_core import hookspecs

DOCS = Path(__file__).parents[2] / "docs" / "plugins.md"


def _hook_specs() -> list[tuple[str, str]]:
    return [
        (name, f"{name}({', '.join(inspect.signature(fn).parameters)})")
        for name, fn in vars(hookspecs).items()
        if name.startswith("deltastream_") and callable(fn)
    ]


def test_there_are_hooks() -> None:
    assert {n for n, _ in _hook_specs()} == {
        "deltastream_register_resource_kinds",
        "deltastream_register_functions",
    }


def test_every_hook_has_a_heading_with_its_signature() -> None:
    text = DOCS.read_text()
    for _, signature in _hook_specs():
        assert f"### `{signature}`" in text, f"docs/plugins.md lacks a section for {signature}"


def test_every_hook_spec_has_a_docstring_with_params() -> None:
    for name, _ in _hook_specs():
        doc = getattr(hookspecs, name).__doc__ or ""
        assert ":param registry:" in doc and "Use in third-party plugins" in doc, name
