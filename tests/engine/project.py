"""One example project run through the real Pulumi CLI, in a copy of the repository's layout.

The copy (``<tmp>/root/examples/<name>``) keeps the example's files exactly as committed and
sits next to symlinks to the repository's ``.venv``, ``.tools``, ``sdk`` and ``schema.json``, so the
relative paths the example uses (the provider plugin path, the generated SDKs) resolve as they
do in the repository, while its embedded server data (``.deltastream-local/``), installed
packages and compiled drivers stay out of the working tree.

``preview`` and ``up`` run the program: YAML through ``pulumi`` and the real YAML language
host, the others through their Automation API inline driver (the real ``pulumi`` with
``--client``; their language hosts cannot be built here). Every other command (refresh,
import, destroy, state, stack) is ``pulumi`` itself: none of them runs the program.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
INLINE_PYTHON = REPO / "tools" / "pulumi_inline.py"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: copied files and folders the copy must not take from the working tree
_NOT_COPIED = shutil.ignore_patterns(
    "node_modules", "bin", ".deltastream-local", "inline", "__pycache__", "*.pyc"
)


@dataclass(frozen=True)
class Run:
    """One finished CLI (or driver) run."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """stdout then stderr, without ANSI colour codes."""
        return _ANSI.sub("", self.stdout + self.stderr)

    def expect(self, code: int = 0) -> Run:
        assert self.returncode == code, (
            f"{' '.join(self.argv)} exited {self.returncode}, expected {code}:\n"
            f"{self.output[-6000:]}"
        )
        return self


def engine_env(cli: Path, home: Path, state: Path) -> dict[str, str]:
    """The environment of every CLI run: offline, file state, no plugin downloads."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PULUMI_", "DELTASTREAM_")) or k == "DELTASTREAM_SLOW_TESTS"
    }
    env.update(
        PATH=os.pathsep.join([str(cli.parent), str(Path(sys.executable).parent), env["PATH"]]),
        PULUMI_HOME=str(home),
        PULUMI_BACKEND_URL=state.as_uri(),
        PULUMI_CONFIG_PASSPHRASE="",
        PULUMI_SKIP_UPDATE_CHECK="1",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        PULUMI_SKIP_CONFIRMATIONS="true",
        NO_COLOR="1",  # plain output (ANSI codes are stripped from what is read anyway)
    )
    return env


class Project:
    """An example (or an ad-hoc project) in a copy of the repository layout."""

    def __init__(
        self,
        source: Path,
        root: Path,
        cli: Path,
        env: Mapping[str, str],
        *,
        stack: str = "dev",
        timeout: float = 600,
    ) -> None:
        self.root = root
        for link in (".venv", ".tools", "schema.json", "sdk"):
            target = root / link
            if not target.exists():
                root.mkdir(parents=True, exist_ok=True)
                target.symlink_to(REPO / link)
        self.dir = root / "examples" / source.name
        if not self.dir.exists():
            shutil.copytree(source, self.dir, ignore=_NOT_COPIED)
        self.cli = cli
        self.env = dict(env)
        self.stack = stack
        self.timeout = timeout
        settings = yaml.safe_load((self.dir / "Pulumi.yaml").read_text(encoding="utf-8"))
        self.name: str = settings["name"]
        runtime = settings["runtime"]
        self.runtime: str = runtime["name"] if isinstance(runtime, dict) else runtime
        self.program_file = (
            self.dir
            / {
                "python": "__main__.py",
                "nodejs": "index.ts",
                "go": "program.go",
                "yaml": "Pulumi.yaml",
            }[self.runtime]
        )
        self._built = False

    # -- running ------------------------------------------------------------------------------
    def run(
        self, argv: Sequence[str], *, cwd: Path | None = None, timeout: float | None = None
    ) -> Run:
        done = subprocess.run(
            list(argv),
            cwd=cwd or self.dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout or self.timeout,
            check=False,
        )
        return Run(tuple(argv), done.returncode, done.stdout, done.stderr)

    def pulumi(self, *args: str, timeout: float | None = None) -> Run:
        """``pulumi <args> --stack <stack>`` in the project folder."""
        return self.run([str(self.cli), *args, "--stack", self.stack], timeout=timeout)

    def init_stack(self) -> None:
        self.run([str(self.cli), "stack", "init", self.stack]).expect()

    def build(self) -> None:
        """Install and compile what the example needs, once (and after each program edit)."""
        if self.runtime == "nodejs":
            if not self._built:
                self.run(["npm", "ci", "--no-audit", "--no-fund"], timeout=900).expect()
            self.run(["npx", "--no-install", "tsc"], timeout=300).expect()
        elif self.runtime == "go":
            self.run(["go", "build", "-tags", "inline", "-o", "inline", "."], timeout=1800).expect()
        self._built = True

    def program_argv(self, operation: str, *flags: str) -> list[str]:
        if self.runtime == "python":
            return [
                sys.executable,
                str(INLINE_PYTHON),
                str(self.dir),
                self.stack,
                operation,
                *flags,
            ]
        if self.runtime == "nodejs":
            return ["node", "bin/automation.js", self.stack, operation, *flags]
        if self.runtime == "go":
            return ["./inline", self.stack, operation, *flags]
        extra = ["--yes", "--skip-preview"] if operation == "up" else []
        return [str(self.cli), operation, *extra, "--stack", self.stack, *flags]

    def preview(self, *flags: str) -> Run:
        return self.run(self.program_argv("preview", *flags))

    def up(self, *flags: str) -> Run:
        return self.run(self.program_argv("up", *flags))

    # -- program edits ------------------------------------------------------------------------
    def edit(self, old: str, new: str) -> None:
        """Replace one occurrence of ``old`` in the program file, then rebuild."""
        text = self.program_file.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} is not exactly once in {self.program_file.name}"
        self.program_file.write_text(text.replace(old, new), encoding="utf-8")
        self.build()

    # -- state --------------------------------------------------------------------------------
    def resources(self) -> list[dict[str, Any]]:
        """The stack's resources other than the stack and its providers."""
        exported = json.loads(self.pulumi("stack", "export").expect().stdout)
        return [
            r
            for r in exported["deployment"].get("resources") or []
            if not r["type"].startswith("pulumi:")
        ]

    def outputs(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(
            self.pulumi("stack", "output", "--json").expect().stdout
        )
        return result
