"""A third-party distribution's plugin, installed next to ours: how the provider loads it,
lists it, and stops with one readable line when it is broken (real processes, a real
``*.dist-info`` on the path)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from deltastream_core.registry import DISABLED_ENV

GOOD = """
import attrs
from deltastream_core import hookimpl, prop
from deltastream_core.kinds import ResourceKind


@attrs.frozen
class Args:
    name: str = prop("The pool's name.", replace=True)


class Pool(ResourceKind[Args, Args]):
    token = "deltastream:index:CorpPool"
    description = "A pool of the company's own."
    inputs = Args
    outputs = Args

    def resource_id(self, outputs):
        return outputs.name

    async def create(self, ctx, args):
        return args

    async def read(self, ctx, resource_id, state):
        return None

    async def delete(self, ctx, resource_id, state):
        return None


@hookimpl
def deltastream_register_resource_kinds(registry):
    registry.add_kind(Pool())
"""


def _install(site: Path, module_source: str) -> None:
    """A distribution ``corp-kinds`` 1.2.3 whose entry point ``corp`` is ``corp_kinds``."""
    info = site / "corp_kinds-1.2.3.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: corp-kinds\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text("[deltastream]\ncorp = corp_kinds\n")
    (site / "corp_kinds.py").write_text(module_source)


def _provider(site: Path, *args: str, disabled: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), DISABLED_ENV: disabled}
    return subprocess.run(
        [sys.executable, "-m", "deltastream_pulumi.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_listing_shows_a_third_party_plugin_and_its_registrations(tmp_path: Path) -> None:
    _install(tmp_path, GOOD)
    done = _provider(tmp_path, "--plugins")
    assert done.returncode == 0, done.stderr
    assert "corp  [corp-kinds 1.2.3]\n    deltastream:index:CorpPool" in done.stdout
    assert "database  [pulumi-deltastream-py" in done.stdout


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("raise ImportError('no module named corp_sdk')", "ImportError: no module named corp_sdk"),
        (GOOD.replace("deltastream:index:CorpPool", "corp:index:CorpPool"), "outside the"),
        (GOOD.replace("async def create", "def create"), "`create` must be `async def`"),
        (GOOD.replace("@hookimpl\n", ""), "without @hookimpl"),
    ],
)
def test_a_broken_plugin_stops_the_provider_with_one_line(
    tmp_path: Path, source: str, says: str
) -> None:
    _install(tmp_path, source)
    # the engine's address as the last argument, as the engine starts a provider
    done = _provider(tmp_path, "127.0.0.1:1")
    assert done.returncode == 1
    assert done.stdout == ""  # no port line: the engine reports the plugin failed to start
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("pulumi-resource-deltastream:")]
    assert len(lines) == 1, done.stderr
    assert "corp (corp-kinds)" in lines[0]
    assert says in lines[0]
    assert f"{DISABLED_ENV}=corp" in lines[0]
    assert "Traceback" not in done.stderr


def test_a_broken_plugin_can_be_disabled_by_name(tmp_path: Path) -> None:
    _install(tmp_path, "raise ImportError('broken')")
    done = _provider(tmp_path, "--plugins", disabled="corp")
    assert done.returncode == 0, done.stderr
    assert "corp-kinds" not in done.stdout
    assert f"disabled by {DISABLED_ENV}: corp" in done.stdout
