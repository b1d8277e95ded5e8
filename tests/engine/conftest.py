"""Real-engine tests: the real Pulumi CLI, the real provider process, a real deltastream-local.

The CLI is ``.tools/pulumi/bin/pulumi`` (``make pulumi``), else a ``pulumi`` 3.x on PATH.
Without either, every test here is skipped and the report header says how to get them, in
one line. ``DELTASTREAM_ENGINE_TESTS=require`` (set by ``.ci/run``) turns that into a failure:
CI never skips them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.project import REPO, Project, engine_env

BUILT = REPO / ".tools" / "pulumi" / "bin" / "pulumi"
HOW = "run `make pulumi` (needs Go 1.26+) or put a pulumi 3.x on PATH"


def _find_cli() -> tuple[Path | None, str]:
    candidates = [BUILT] if BUILT.exists() else []
    on_path = shutil.which("pulumi")
    if on_path:
        candidates.append(Path(on_path))
    for cli in candidates:
        try:
            version = subprocess.run(
                [str(cli), "version"], capture_output=True, text=True, timeout=60, check=True
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        if (
            version.lstrip("v").split(".")[0].isdigit()
            and int(version.lstrip("v").split(".")[0]) >= 3
        ):
            return cli, version
    return None, ""


CLI, CLI_VERSION = _find_cli()
REQUIRED = os.environ.get("DELTASTREAM_ENGINE_TESTS") == "require"


_SKIPPED: list[pytest.Item] = []


def pytest_report_header() -> str | None:
    return f"real-engine tests (tests/engine): pulumi {CLI_VERSION} at {CLI}" if CLI else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    engine = [item for item in items if here in Path(str(item.fspath)).parents]
    for item in engine:
        item.add_marker(pytest.mark.engine)
    if CLI is None and not REQUIRED and engine:
        # deselected, not skipped one by one: the terminal summary says why, in one line
        _SKIPPED.extend(engine)
        items[:] = [item for item in items if item not in engine]
        config.hook.pytest_deselected(items=engine)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _SKIPPED:
        terminalreporter.write_line(
            f"real-engine tests skipped ({len(_SKIPPED)}): no Pulumi CLI; {HOW}", yellow=True
        )


@pytest.fixture(scope="session")
def pulumi_cli() -> Path:
    if CLI is None:
        pytest.fail(f"DELTASTREAM_ENGINE_TESTS=require but no Pulumi CLI: {HOW}")
    return CLI


@pytest.fixture(scope="session")
def example_sdks(pulumi_cli: Path) -> None:
    """What the examples need of this repository's SDKs (``make example-sdks``: the Node.js
    SDK compiled into sdk/nodejs/bin), brought up to date."""
    done = subprocess.run(
        [str(REPO / "tools" / "example-sdks.sh")],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={**os.environ, "PYTHON": sys.executable},
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def engine_home(tmp_path_factory: pytest.TempPathFactory, pulumi_cli: Path) -> dict[str, str]:
    """A PULUMI_HOME and a file:// state backend of this module's own."""
    base = tmp_path_factory.mktemp("engine")
    (base / "home").mkdir()
    (base / "state").mkdir()
    return engine_env(pulumi_cli, base / "home", base / "state")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The root of this module's copy of the repository layout."""
    return tmp_path_factory.mktemp("root")


@contextlib.contextmanager
def example(
    name: str, workspace: Path, cli: Path, env: dict[str, str], **kwargs: object
) -> Iterator[Project]:
    """The copy of ``examples/<name>``, built, with its stack created; destroyed afterwards
    if a test left resources behind."""
    project = Project(REPO / "examples" / name, workspace, cli, env, **kwargs)  # type: ignore[arg-type]
    project.build()
    project.init_stack()
    try:
        yield project
    finally:
        project.pulumi("destroy", "--yes", "--skip-preview")
