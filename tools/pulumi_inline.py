"""Run a Python Pulumi project through the real Pulumi CLI without ``pulumi-language-python``.

    python tools/pulumi_inline.py <project dir> <stack> preview|up|refresh|destroy [options]

``pulumi up`` of a ``runtime: python`` project needs the Python language host, a Go program
that cannot be built here (docs/reference/pulumi-cli-build.md). The Automation API's inline
programs are the real engine's other way in: this process runs the project's ``__main__.py``
as the program, serves it as a language runtime, and starts the real ``pulumi`` CLI with
``--client`` pointing at it, so the CLI, its engine, the provider plugin (from the project's
``plugins.providers`` path) and the state backend are exactly those of ``pulumi up``. The
project folder (``Pulumi.yaml``, ``Pulumi.<stack>.yaml``) is the working directory.

The deltastream SDK the program imports is this repository's (``sdk/python``, installed into
the virtualenv by ``make``: the official ``pulumi_deltastream`` import at this provider's
version).

Options: ``--expect-no-changes``, ``--diff``, ``--yes`` (accepted and implied; the Automation
API never prompts). Exit code 0 on success, 1 when the CLI failed (its output is printed as it
ran), 2 on bad usage. The CLI is the ``pulumi`` on PATH (``make pulumi`` builds one into
``.tools/pulumi/bin``).
"""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path

import yaml
from pulumi import automation as auto

OPERATIONS = ("preview", "up", "refresh", "destroy")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("stack")
    parser.add_argument("operation", choices=OPERATIONS)
    parser.add_argument("--expect-no-changes", action="store_true")
    parser.add_argument("--diff", action="store_true")
    parser.add_argument("--yes", "-y", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="no line saying which path runs")
    args = parser.parse_args(argv)

    sdk = "this repository's sdk/python"
    project = args.project.resolve()
    settings = yaml.safe_load((project / "Pulumi.yaml").read_text(encoding="utf-8"))
    main_file = project / "__main__.py"

    def program() -> None:
        # The program's own folder first on sys.path, as the language host would set it.
        sys.path.insert(0, str(project))
        runpy.run_path(str(main_file), run_name="__main__")

    if not args.quiet:
        print(
            "No pulumi-language-python here: running the program in this process through the "
            f"Pulumi Automation API (the real `{auto.PulumiCommand().command} {args.operation}`, "
            f"with --client); SDK: {sdk}.",
            flush=True,
        )

    def echo(line: str) -> None:
        print(line, end="" if line.endswith("\n") else "\n", flush=True)

    try:
        stack = auto.create_or_select_stack(
            stack_name=args.stack,
            project_name=settings["name"],
            program=program,
            # the project folder: its Pulumi.yaml (plugin path) and Pulumi.<stack>.yaml (config)
            opts=auto.LocalWorkspaceOptions(work_dir=str(project)),
        )
        if args.operation == "preview":
            stack.preview(on_output=echo, expect_no_changes=args.expect_no_changes, diff=args.diff)
        elif args.operation == "up":
            stack.up(on_output=echo, expect_no_changes=args.expect_no_changes, diff=args.diff)
        elif args.operation == "refresh":
            stack.refresh(on_output=echo, expect_no_changes=args.expect_no_changes)
        else:
            stack.destroy(on_output=echo)
    except auto.errors.CommandError as error:
        # stdout was echoed as it came; stderr holds the CLI's error lines.
        print(_stderr_of(error), file=sys.stderr, flush=True)
        return 1
    return 0


def _stderr_of(error: auto.errors.CommandError) -> str:
    text = str(error)
    marker = "\n stderr: "
    return text.split(marker, 1)[1].strip() if marker in text else text


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
