"""Suggested commands are shell-safe: bash, given the printed line, runs a stub `pulumi` with
exactly the intended argument vector, whatever the names hold (quotes, $(…), backticks,
newlines, leading dashes, unicode)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deltastream_core.commands import (
    pulumi_import,
    pulumi_targeted,
    pulumi_up_replace,
    shell_command,
)

HOSTILE = [
    "a'; echo X; '",
    "two  spaces",
    "$(echo X)",
    "`echo X`",
    "line\nbreak; echo X",
    "",
    "-rf",
    '"; echo X; "',
    "东西 \\ $HOME ~ * ?",
]


@pytest.fixture(scope="module")
def stub_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("stub")
    stub = directory / "pulumi"
    stub.write_text('#!/bin/sh\nfor a in "$@"; do printf \'%s\\0\' "$a"; done > "$ARGV_RECORD"\n')
    stub.chmod(0o755)
    return directory


def argv_of(command: str, stub_dir: Path) -> list[str]:
    record = stub_dir / "argv"
    record.write_bytes(b"")
    done = subprocess.run(
        ["bash", "-c", command],
        env={"PATH": f"{stub_dir}:/usr/bin:/bin", "ARGV_RECORD": str(record), "HOME": "/h"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and done.stdout == "", (command, done.stdout, done.stderr)
    return record.read_bytes().decode().split("\0")[:-1]


@pytest.mark.parametrize("value", HOSTILE)
def test_every_hint_runs_with_exactly_its_arguments(stub_dir: Path, value: str) -> None:
    token = "deltastream:index:Database"
    assert argv_of(pulumi_import(token, value or "r", value), stub_dir) == [
        "import",
        token,
        value or "r",
        value,
    ]
    urn = f"urn:pulumi:dev::proj::{token}::{value}"
    assert argv_of(pulumi_up_replace(urn), stub_dir) == ["up", "--replace", urn]
    assert argv_of(pulumi_targeted("refresh", urn), stub_dir) == ["refresh", "--target", urn]


def test_a_missing_resource_name_is_a_visible_placeholder(stub_dir: Path) -> None:
    assert argv_of(pulumi_import("t", "", "id"), stub_dir)[2] == "<resource name>"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(st.characters(exclude_characters="\0", codec="utf-8")), max_size=4))
def test_shell_command_round_trips_any_arguments(argv: list[str]) -> None:
    # printf is a bash builtin: each argument comes back NUL-terminated
    line = shell_command("printf", "%s\\0", *argv) if argv else "true"
    done = subprocess.run(["bash", "-c", line], capture_output=True, check=False)
    assert done.returncode == 0
    assert done.stdout.decode("utf-8", "surrogateescape").split("\0")[:-1] == argv
