"""A plugin distribution's emulator kind on a throw-away ``PYTHONPATH``: its module and a
``*.dist-info`` whose ``entry_points.txt`` registers it in the ``deltastream_local.catalog``
group, as ``pip install`` would leave them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from deltastream_local.engine.catalog import DISABLED_ENV, ENTRY_POINT_GROUP


def install(
    site: Path,
    modules: Mapping[str, str],
    entry_points: Mapping[str, str],
    distribution: str = "corp-warehouses",
    version: str = "1.0",
) -> Path:
    """Write ``modules`` (name → source) and a distribution registering ``entry_points``."""
    site.mkdir(parents=True, exist_ok=True)
    for name, source in modules.items():
        (site / f"{name}.py").write_text(source)
    info = site / f"{distribution.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n"
    )
    lines = [f"[{ENTRY_POINT_GROUP}]", *(f"{k} = {v}" for k, v in entry_points.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    return site


def env(site: Path, disabled: str = "") -> dict[str, str]:
    """The environment of a server process that sees the site and disables ``disabled`` (as
    well as what the suite already disables: other distributions' kinds)."""
    already = [name for name in os.environ.get(DISABLED_ENV, "").split(",") if name]
    return {"PYTHONPATH": str(site), DISABLED_ENV: ",".join([*already, *disabled.split(",")])}


def run_cli(site: Path, *args: str, disabled: str = "") -> subprocess.CompletedProcess[str]:
    """``deltastream-local <args>`` in a real process that sees the site."""
    return subprocess.run(
        [sys.executable, "-m", "deltastream_local", *args],
        env={**os.environ, **env(site, disabled)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
