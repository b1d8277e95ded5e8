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

from conftest import engine_env

if shutil.which("npm") is None:
    pytest.skip("no Node.js toolchain (npm)", allow_module_level=True)


def test_sdk_builds_with_tsc(nodejs_sdk: Path) -> None:
    assert (nodejs_sdk / "index.js").exists() and (nodejs_sdk / "index.d.ts").exists()
    assert (
        json.loads((nodejs_sdk / "package.json").read_text())["name"] == "pulumi-deltastream-py-sdk"
    )


def test_strict_typescript_program_runs(nodejs_project: Path, tmp_path: Path) -> None:
    prog = nodejs_project
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
