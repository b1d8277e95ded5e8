"""Every lookup (function) of the registry has an example in Python, TypeScript, Go and YAML
somewhere in docs/ or the README (issue 13: a page per resource and function with examples in
the four languages). The blocks themselves run in tests/sdks/test_doc_blocks.py."""

from __future__ import annotations

import re
from pathlib import Path

from deltastream_core.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
LANGUAGES = ("python", "typescript", "go", "yaml")


def blocks() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {language: [] for language in LANGUAGES}
    for path in [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]:
        for m in BLOCK.finditer(path.read_text()):
            if m.group(1) in found:
                found[m.group(1)].append(m.group(2))
    return found


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def missing_languages(name: str, found: dict[str, list[str]]) -> list[str]:
    """The languages with no block calling the function `name` (e.g. getSecret)."""
    # The Go SDK names a lookup `LookupX` when a resource X exists, otherwise `GetX`.
    go_names = (name[0].upper() + name[1:] + "Output(", "Lookup" + name[3:] + "Output(")
    go_names += tuple(n.replace("Output(", "(") for n in go_names)
    calls = {
        # \b: get_secret must not count as an example of get_secrets, and vice versa
        "python": re.compile(rf"\b{snake(name)}(_output)?\("),
        "typescript": re.compile(rf"\b{name}(Output)?\("),
        "go": re.compile("|".join(rf"\.{re.escape(n)}" for n in go_names)),
        "yaml": re.compile(rf"function:\s*deltastream:(index:)?{name}\b"),
    }
    return [lang for lang in LANGUAGES if not any(calls[lang].search(b) for b in found[lang])]


def test_every_function_has_an_example_in_every_language() -> None:
    found = blocks()
    functions = sorted(token.rsplit(":", 1)[1] for token in load_registry().functions)
    assert len(functions) >= 20, functions
    gaps = {name: missing for name in functions if (missing := missing_languages(name, found))}
    assert not gaps, "functions without a doc example in these languages: " + "; ".join(
        f"{name}: {', '.join(langs)}" for name, langs in gaps.items()
    )


def test_the_check_sees_a_missing_language() -> None:
    found = {"python": ["ds.get_secret_output(name='x')"], "typescript": [], "go": [], "yaml": []}
    assert missing_languages("getSecret", found) == ["typescript", "go", "yaml"]
    assert missing_languages("getSecrets", found) == list(LANGUAGES)
