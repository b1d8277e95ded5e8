"""The SDK tests (docs/sdks.md): each generated SDK under the real Pulumi engine.

They need the pinned Pulumi CLI (`make pulumi`, in .tools/pulumi/bin) and skip, with one line,
without it. Programs run against the embedded local server (`deltastream:server: local`), with
offline settings: a file state backend, no update check, and the provider found as the ambient
plugin `pulumi-resource-deltastream` of this repository's virtualenv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "sdk"
PULUMI_ROOT = ROOT / ".tools" / "pulumi"
PULUMI = PULUMI_ROOT / "bin" / "pulumi"
#: The folder with this repository's `pulumi-resource-deltastream` (the virtualenv's bin).
PLUGIN_DIR = Path(sys.executable).parent
HERE = Path(__file__).parent

SKIPPED = "" if PULUMI.exists() else "tests/sdks skipped: no pinned Pulumi CLI (run `make pulumi`)"
if SKIPPED:
    collect_ignore_glob = ["test_*.py"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SKIPPED:
        terminalreporter.write_line(SKIPPED)


def base_path(with_plugin: bool) -> str:
    """PATH for the CLI: system tools, plus (or minus) the folder with our plugin."""
    parts = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) != PLUGIN_DIR]
    if shutil.which("pulumi-resource-deltastream", path=os.pathsep.join(parts)):
        pytest.fail("another pulumi-resource-deltastream is on PATH; the tests need control of it")
    ours = [str(PLUGIN_DIR)] if with_plugin else []
    return os.pathsep.join([*ours, str(PULUMI.parent), *parts])


def engine_env(tmp: Path, *, with_plugin: bool = True, acquisition: bool = False) -> dict[str, str]:
    env = {
        "PATH": base_path(with_plugin),
        "PULUMI_HOME": str(tmp / "pulumi-home"),  # an empty plugin cache
        "PULUMI_CONFIG_PASSPHRASE": "",
        "PULUMI_SKIP_UPDATE_CHECK": "1",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "false" if acquisition else "true",
    }
    return env


def stack_config(**extra: str) -> dict[str, str]:
    return {"deltastream:server": "local", **extra}


@pytest.fixture(scope="session")
def python_sdk_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with only sdk/python (and what it depends on) installed."""
    venv = tmp_path_factory.mktemp("python-sdk-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    source = venv.parent / "python-sdk-source"  # setuptools builds in the source folder
    shutil.copytree(SDK / "python", source)
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(source)],
        check=True,
    )
    return python


def run_python_programs(
    python: Path,
    programs: list[Path | tuple[Path, Path]],
    tmp: Path,
    *,
    config: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    destroy: bool = True,
) -> list[dict[str, Any]]:
    """Run each program (a file, or a file and the program that sets up what its lookups find)
    in turn on one stack under the real engine, with the fresh venv's interpreter; one result
    per program."""
    work = tmp / "work"
    state = tmp / "state"
    for d in (work, state):
        d.mkdir(parents=True, exist_ok=True)
    spec = {
        "programs": [
            {"path": str(p[0]), "given": str(p[1])} if isinstance(p, tuple) else {"path": str(p)}
            for p in programs
        ],
        "work_dir": str(work),
        "state": f"file://{state}",
        "config": dict(config if config is not None else stack_config()),
        "env": dict(env if env is not None else engine_env(tmp)),
        "pulumi_root": str(PULUMI_ROOT),
        "destroy": destroy,
    }
    spec_file = tmp / "spec.json"
    spec_file.write_text(json.dumps(spec))
    done = subprocess.run(
        [python, HERE / "run_python.py", spec_file],
        capture_output=True,
        text=True,
        cwd=work,
        env={"PATH": spec["env"]["PATH"], "HOME": os.environ.get("HOME", str(tmp))},
    )
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or len(results) != len(programs):
        pytest.fail(f"run_python.py failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return results


def run_python_program(python: Path, program: Path, tmp: Path, **kwargs: Any) -> dict[str, Any]:
    return run_python_programs(python, [program], tmp, **kwargs)[0]


NPM = ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"]
NODE_PROGRAMS = HERE / "programs" / "nodejs"


@pytest.fixture(scope="session")
def nodejs_sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdk/nodejs built as docs/sdks.md says: npm install, tsc, package.json into bin/."""
    build = tmp_path_factory.mktemp("nodejs-sdk") / "sdk"
    shutil.copytree(SDK / "nodejs", build)
    subprocess.run(NPM, cwd=build, check=True)
    subprocess.run(["npx", "tsc"], cwd=build, check=True)
    shutil.copy(build / "package.json", build / "bin" / "package.json")
    return build / "bin"


@pytest.fixture(scope="session")
def nodejs_project(nodejs_sdk: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/sdks/programs/nodejs with its dependencies installed: the built SDK as
    `@deltastream/pulumi-deltastream` (a `file:` dependency; --install-links copies it, so it
    shares the program's @pulumi/pulumi), @pulumi/pulumi and typescript from npm."""
    prog = tmp_path_factory.mktemp("nodejs-program") / "prog"
    shutil.copytree(NODE_PROGRAMS, prog)
    manifest = (prog / "package.json").read_text().replace("SDK_BIN", str(nodejs_sdk))
    (prog / "package.json").write_text(manifest)
    subprocess.run([*NPM, "--install-links"], cwd=prog, check=True)
    return prog
