"""sdk/ is what `make sdks` makes from schema.json now: regenerated into a temporary folder, it
must be byte for byte the committed tree (run `make sdks` after `make schema` to fix)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SDK


def tree(root: Path) -> dict[str, bytes]:
    skip = {"node_modules", "bin", "__pycache__"}
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not skip.intersection(p.relative_to(root).parts)
    }


def test_committed_sdks_are_up_to_date(tmp_path: Path) -> None:
    out = tmp_path / "sdk"
    subprocess.run([sys.executable, ROOT / "tools" / "sdkgen" / "generate.py", out], check=True)
    fresh, committed = tree(out), tree(SDK)
    assert sorted(fresh) == sorted(committed), "sdk/ has other files than `make sdks` writes"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale against schema.json (run `make sdks`): {stale[:10]}"
    assert {p.split("/")[0] for p in fresh} >= {"python", "nodejs", "go", "dotnet", "java"}
