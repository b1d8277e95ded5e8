"""The Python SDK, installed into a fresh virtualenv, under the real engine; and how the engine
finds (or, without it, fails to find) this project's plugin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import HERE, SDK, engine_env, run_python_program, stack_config

PROGRAM = HERE / "programs" / "pipeline.py"
TINY = "import pulumi_deltastream as ds\nds.Database('db', name='tiny_db')\n"
VERSION = json.loads((SDK / "python" / "pulumi_deltastream" / "pulumi-plugin.json").read_text())[
    "version"
]


def test_installs_as_its_own_distribution_with_the_official_import_name(
    python_sdk_venv: Path,
) -> None:
    shown = subprocess.run(
        [python_sdk_venv, "-m", "pip", "show", "-f", "pulumi-deltastream-py-sdk"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Version: {VERSION}" in shown
    assert "pulumi_deltastream/__init__.py" in shown
    official = subprocess.run(
        [python_sdk_venv, "-m", "pip", "show", "pulumi-deltastream"], capture_output=True
    )
    assert official.returncode != 0  # the official distribution is not what got installed


def test_pipeline_with_what_only_ours_has(python_sdk_venv: Path, tmp_path: Path) -> None:
    result = run_python_program(python_sdk_venv, PROGRAM, tmp_path)
    assert result["ok"], result.get("error", "") + result["log"]
    out = result["outputs"]
    assert out["store_types"] == ["ConfluentKafka", "Kinesis"]
    assert out["columns"] == [["viewtime", "BIGINT"], ["userid", "VARCHAR"], ["pageid", "VARCHAR"]]
    assert out["query_id"] in out["query_ids"]
    assert out["sdk_version"] == VERSION
    assert "using pulumi-resource-deltastream from $PATH" in result["log"]
    assert "expected to have version" not in result["log"]  # the SDK asked for our version


def test_acquisition_on_with_our_plugin_on_path_uses_it(
    python_sdk_venv: Path, tmp_path: Path
) -> None:
    program = tmp_path / "tiny.py"
    program.write_text(TINY)
    env = engine_env(tmp_path, with_plugin=True, acquisition=True)
    result = run_python_program(python_sdk_venv, program, tmp_path, env=env)
    assert result["ok"], result.get("error", "") + result["log"]
    assert "Downloading provider" not in result["log"]
    assert not (tmp_path / "pulumi-home" / "plugins").exists() or not any(
        (tmp_path / "pulumi-home" / "plugins").glob("resource-deltastream*")
    )


def test_acquisition_on_without_our_plugin_says_how_to_get_it(
    python_sdk_venv: Path, tmp_path: Path
) -> None:
    program = tmp_path / "tiny.py"
    program.write_text(TINY)
    env = engine_env(tmp_path, with_plugin=False, acquisition=True)
    result = run_python_program(python_sdk_venv, program, tmp_path, env=env, destroy=False)
    assert not result["ok"]
    error = result["error"]
    assert (
        "Could not automatically download and install resource plugin "
        f"'pulumi-resource-deltastream' at version v{VERSION}"
    ) in error
    assert "--server pip://pulumi-deltastream-py" in error
    assert "deltastreaminc" not in error + result["log"]  # never the official binary's source
    assert not any((tmp_path / "pulumi-home").glob("plugins/resource-deltastream*"))


def test_acquisition_off_without_our_plugin_says_how_to_get_it(
    python_sdk_venv: Path, tmp_path: Path
) -> None:
    program = tmp_path / "tiny.py"
    program.write_text(TINY)
    env = engine_env(tmp_path, with_plugin=False, acquisition=False)
    result = run_python_program(
        python_sdk_venv, program, tmp_path, env=env, config=stack_config(), destroy=False
    )
    assert not result["ok"]
    assert (
        f"no resource plugin 'pulumi-resource-deltastream' found in the workspace at version "
        f"v{VERSION} or on your $PATH from pip://pulumi-deltastream-py"
    ) in result["error"]


OFFICIAL = "1.0.3"  # the official Python SDK the migration starts from (PyPI)


@pytest.fixture(scope="module")
def official_sdk_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("official-sdk-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, f"pulumi-deltastream=={OFFICIAL}"], check=True)
    return python


def test_a_stack_moves_from_the_official_sdk_unchanged(
    official_sdk_venv: Path, python_sdk_venv: Path, tmp_path: Path
) -> None:
    """The same program, first on the official SDK (with our plugin), then on ours: the second
    update changes nothing."""
    program = tmp_path / "tiny.py"
    program.write_text(TINY)
    first = run_python_program(official_sdk_venv, program, tmp_path, destroy=False)
    assert first["ok"], first.get("error", "") + first["log"]
    assert first["summary"] == {"create": 2}
    assert f"expected to have version >={OFFICIAL}" in first["log"]  # the official SDK's ask
    second = run_python_program(python_sdk_venv, program, tmp_path)
    assert second["ok"], second.get("error", "") + second["log"]
    assert second["summary"] == {"same": 2}
