"""docs/reference/requirements.md#nfr-004: every resource and function the provider registers is
documented under docs/."""

from pathlib import Path

import pytest

from deltastream_core.registry import load_registry

DOCS = Path(__file__).parents[2] / "docs"
REGISTRY = load_registry()
TEXT = "\n".join(p.read_text() for p in DOCS.rglob("*.md"))


@pytest.mark.parametrize("token", sorted(REGISTRY.kinds))
def test_every_resource_has_a_page(token: str) -> None:
    assert f"`{token}`" in TEXT, f"no page under docs/ names {token}"


@pytest.mark.parametrize("token", sorted(REGISTRY.functions))
def test_every_function_is_documented(token: str) -> None:
    name = token.rsplit(":", 1)[-1]
    assert f"`{name}" in TEXT, f"no page under docs/ documents {name}"
