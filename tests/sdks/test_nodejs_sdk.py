"""The Node.js SDK with its own toolchain: sdk/nodejs builds with `tsc`; a strict TypeScript
program that imports it as `@deltastream/pulumi-deltastream` (an npm `file:` dependency on the
build, our distribution under the official name) compiles with `tsc --strict` and runs under the
real engine (Automation API). npm reaches its registry for @pulumi/pulumi and typescript."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import HERE, SDK, engine_env

PROGRAM = HERE / "programs" / "nodejs"
NPM = ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"]

if shutil.which("npm") is None:
    pytest.skip("no Node.js toolchain (npm)", allow_module_level=True)


@pytest.fixture(scope="module")
def nodejs_sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdk/nodejs built as its README says: npm install, tsc, package.json into bin/."""
    build = tmp_path_factory.mktemp("nodejs-sdk") / "sdk"
    shutil.copytree(SDK / "nodejs", build)
    subprocess.run(NPM, cwd=build, check=True)
    subprocess.run(["npx", "tsc"], cwd=build, check=True)
    shutil.copy(build / "package.json", build / "bin" / "package.json")
    return build / "bin"


def test_sdk_builds_with_tsc(nodejs_sdk: Path) -> None:
    assert (nodejs_sdk / "index.js").exists() and (nodejs_sdk / "index.d.ts").exists()
    assert (
        json.loads((nodejs_sdk / "package.json").read_text())["name"] == "pulumi-deltastream-py-sdk"
    )


def test_strict_typescript_program_runs(nodejs_sdk: Path, tmp_path: Path) -> None:
    prog = tmp_path / "prog"
    prog.mkdir()
    for name in ("index.ts", "tsconfig.json"):
        shutil.copy(PROGRAM / name, prog / name)
    manifest = (PROGRAM / "package.json").read_text().replace("SDK_BIN", str(nodejs_sdk))
    (prog / "package.json").write_text(manifest)
    # --install-links copies the file: dependency, so it shares the program's @pulumi/pulumi
    subprocess.run([*NPM, "--install-links"], cwd=prog, check=True)
    installed = prog / "node_modules" / "@deltastream" / "pulumi-deltastream" / "package.json"
    assert json.loads(installed.read_text())["name"] == "pulumi-deltastream-py-sdk"
    tsc = subprocess.run(["npx", "tsc", "-p", "."], cwd=prog, capture_output=True, text=True)
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr

    (tmp_path / "work").mkdir()
    (tmp_path / "state").mkdir()
    env = {
        **engine_env(tmp_path),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
        "SDK_TEST_WORK_DIR": str(tmp_path / "work"),
    }
    node = shutil.which("node")
    assert node is not None
    env["PATH"] = f"{Path(node).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run([node, "bin/index.js"], cwd=prog, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    outputs = json.loads(done.stdout.strip().splitlines()[-1])
    assert outputs == {
        "storeTypes": ["Kinesis", "ConfluentKafka"],
        "columns": ["viewtime", "userid"],
        "queryCount": 0,
    }
