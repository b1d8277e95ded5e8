"""The example programs run, without the Pulumi CLI, against the real provider process and its
embedded local server (see example_runner.py): every resource is created and ready, a second
`up` changes nothing, and destroy leaves nothing behind. TypeScript and Go examples need their
toolchains; tests/engine runs every example through the real Pulumi CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RUNNER = Path(__file__).with_name("example_runner.py")
READY = {"ready", "created", "running"}


def run(example: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(RUNNER), str(EXAMPLES / example)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_quickstart_python() -> None:
    result = run("quickstart-python")
    assert result["resources"] == {
        "analytics": "deltastream:index:Database",
        "raw": "deltastream:index:Namespace",
    }
    assert sorted(result["invokes"]) == [
        "deltastream:index:getDatabases",
        "deltastream:index:getNamespace",
        "deltastream:index:getNamespaces",
    ]
    assert result["second_up"] == {"same": 2}
    assert result["destroyed"] == {"delete": 2}
    assert result["databases_left"] == [] and result["errors"] == []


@pytest.mark.parametrize("example", ["pipeline-python", "pipeline-yaml"])
def test_pipeline(example: str) -> None:
    result = run(example)
    kinds = sorted(set(result["resources"].values()))
    assert kinds == [
        "deltastream:index:Application",
        "deltastream:index:Database",
        "deltastream:index:DeltaStreamObject",
        "deltastream:index:Query",
        "deltastream:index:Store",
    ]
    assert set(result["states"].values()) <= READY, result["states"]
    count = len(result["resources"])
    assert result["second_up"] == {"same": count}
    assert result["destroyed"] == {"delete": count}
    assert result["databases_left"] == [] and result["errors"] == []


def test_platform_python() -> None:
    result = run("platform-python")
    assert sorted(result["resources"].values()) == [
        "deltastream:index:Database",
        "deltastream:index:DeltaStreamObject",
        "deltastream:index:DescriptorSource",
        "deltastream:index:Entity",
        "deltastream:index:Function",
        "deltastream:index:FunctionSource",
        "deltastream:index:SchemaRegistry",
        "deltastream:index:Secret",
        "deltastream:index:Store",
    ]
    assert set(result["states"].values()) <= READY, result["states"]
    assert sorted(result["invokes"]) == [
        "deltastream:index:getEntities",
        "deltastream:index:getEntityData",
    ]
    assert result["second_up"] == {"same": 9} and result["destroyed"] == {"delete": 9}
    assert result["databases_left"] == [] and result["errors"] == []
