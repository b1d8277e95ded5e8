"""The Go SDK with its own toolchain: a program that imports it under the official path (through
a `replace`) passes `go build` and `go vet`, then runs under the real engine (Automation API)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import HERE, engine_env

PROGRAM = HERE / "programs" / "go"


def test_go_program_builds_vets_and_runs(tmp_path: Path) -> None:
    if shutil.which("go") is None:
        pytest.skip("no Go toolchain")
    go_env = {**os.environ, "GOFLAGS": "-mod=readonly"}
    binary = tmp_path / "program"
    subprocess.run(["go", "build", "-o", binary, "."], cwd=PROGRAM, env=go_env, check=True)
    subprocess.run(["go", "vet", "."], cwd=PROGRAM, env=go_env, check=True)
    listed = subprocess.run(
        [
            "go",
            "list",
            "-m",
            "-f",
            "{{.Replace.Dir}}",
            "github.com/deltastreaminc/pulumi-deltastream/sdk",
        ],
        cwd=PROGRAM,
        env=go_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(PROGRAM, listed).resolve() == (HERE.parents[1] / "sdk").resolve()

    (tmp_path / "work").mkdir()
    (tmp_path / "state").mkdir()
    env = {
        **engine_env(tmp_path),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
        "SDK_TEST_WORK_DIR": str(tmp_path / "work"),
    }
    done = subprocess.run([binary], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    outputs = json.loads(done.stdout.strip().splitlines()[-1])
    assert outputs == {
        "storeTypes": ["Kinesis", "ConfluentKafka"],
        "columns": ["viewtime", "userid"],
        "queryCount": 0,
    }
