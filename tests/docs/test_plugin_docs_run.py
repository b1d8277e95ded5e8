"""The Python blocks of docs/testing-plugins.md run as written: they are pytest files, run in
a fresh pytest process against the real provider and a real deltastream-local."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).parents[2] / "docs" / "testing-plugins.md"
BLOCK = re.compile(r"```python\n# (?P<file>[\w.]+\.py)\n(?P<body>.*?)```", re.S)


def test_the_documented_test_files_pass(tmp_path: Path) -> None:
    blocks = {m["file"]: m["body"] for m in BLOCK.finditer(DOC.read_text())}
    assert {"conftest.py", "test_namespace.py", "test_database_contract.py"} <= set(blocks)
    for name, body in blocks.items():
        (tmp_path / name).write_text(body)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert re.search(r"\b2 passed\b", done.stdout), done.stdout[-2000:]
