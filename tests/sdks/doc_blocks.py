"""The code blocks of docs/resources/*.md, docs/functions/*.md and README.md, per page and language.

A page's blocks of one language form one program, in page order (later blocks use the names of
earlier ones, as a reader would). What a page's program uses without defining it (a fragment's
`pageviews`, say) comes from a fixed preamble per language: imports, a `cfg`, and small stand-ins
(a database, a Kafka store, streams, a query) under the names the docs use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    *sorted((ROOT / "docs" / "resources").glob("*.md")),
    *sorted((ROOT / "docs" / "functions").glob("*.md")),
    ROOT / "README.md",
]
LANGUAGES = ("python", "typescript", "go", "yaml")
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


@dataclass(frozen=True)
class Page:
    path: Path
    language: str
    blocks: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.language}"

    @property
    def source(self) -> str:
        return "\n".join(self.blocks)


def pages(language: str) -> list[Page]:
    found = []
    for path in PAGES:
        blocks = tuple(
            m.group(2) for m in BLOCK.finditer(path.read_text()) if m.group(1) == language
        )
        if blocks:
            found.append(Page(path, language, blocks))
    return found


def all_blocks() -> dict[str, int]:
    """How many blocks each language has, over every page (to show none is left out)."""
    counts: dict[str, int] = {}
    for path in PAGES:
        for m in BLOCK.finditer(path.read_text()):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts
