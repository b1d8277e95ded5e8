"""sdk/ is what `make sdks` makes from schema.json now: regenerated into a temporary folder, it
must be byte for byte the committed tree (run `make sdks` after `make schema` to fix)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def generated(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def committed() -> dict[str, bytes]:
    """sdk/ as git sees it: tracked files and new ones it does not ignore (not build output)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "sdk"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {
        str(Path(name).relative_to("sdk")): (ROOT / name).read_bytes()
        for name in listed
        if (ROOT / name).exists()
    }


def test_committed_sdks_are_up_to_date(tmp_path: Path) -> None:
    out = tmp_path / "sdk"
    subprocess.run([sys.executable, ROOT / "tools" / "sdkgen" / "generate.py", out], check=True)
    fresh, ours = generated(out), committed()
    assert sorted(fresh) == sorted(ours), "sdk/ has other files than `make sdks` writes"
    stale = [name for name in fresh if fresh[name] != ours[name]]
    assert not stale, f"stale against schema.json (run `make sdks`): {stale[:10]}"
    assert {p.split("/")[0] for p in fresh} >= {"python", "nodejs", "go", "dotnet", "java"}
