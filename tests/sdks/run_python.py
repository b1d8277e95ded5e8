"""Run one Python program under the real Pulumi engine (Automation API, inline program).

    python run_python.py SPEC.json    # one JSON line per program: {"ok", "outputs", "log", "error"}

Run by the SDK tests with the interpreter of a fresh virtualenv that has only this project's
Python SDK (and its dependency `pulumi`) installed, so the programs import that SDK. SPEC:
``programs`` (``path``: a file with one program's source, run in turn on one stack; ``given``:
one run before it that makes what its lookups find), ``state`` and
``work_dir`` (folders), ``config`` (stack config, ``deltastream:server: local`` among it),
``env`` (for the CLI), ``pulumi_root`` (the folder whose bin/ has the pinned CLI) and
``destroy`` (destroy after each update).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pulumi import automation as auto


def run(stack: auto.Stack, destroy: bool) -> dict[str, object]:
    log: list[str] = []
    result: dict[str, object] = {"ok": False}
    try:
        up = stack.up(on_output=log.append, color="never")
        result["outputs"] = {k: v.value for k, v in up.outputs.items()}
        result["summary"] = up.summary.resource_changes
        if destroy:
            stack.destroy(on_output=log.append, color="never")
        result["ok"] = True
    except auto.errors.CommandError as e:
        result["error"] = str(e)
        if destroy:  # leave nothing behind for the next program on this stack
            stack.destroy(on_output=log.append, color="never")
    result["log"] = "".join(log)
    return result


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    current: dict[str, object] = {}

    def program() -> None:
        exec(current["code"], {"__name__": "__main__"})

    opts = auto.LocalWorkspaceOptions(
        work_dir=spec["work_dir"],
        env_vars=spec["env"],
        pulumi_command=auto.PulumiCommand(spec["pulumi_root"], skip_version_check=True),
        project_settings=auto.ProjectSettings(
            name="sdk-test", runtime="python", backend=auto.ProjectBackend(url=spec["state"])
        ),
    )
    stack = auto.create_or_select_stack("test", project_name="sdk-test", program=program, opts=opts)
    config = {k: auto.ConfigValue(v) for k, v in spec["config"].items()}
    # One stack, one program after the other (each destroyed before the next, when asked). A
    # program's "given" (what its lookups find) is set up just before it on the same stack (the
    # embedded local server keeps one catalog per stack); the program's own update then runs
    # its lookups before it deletes what the given made.
    for each in spec["programs"]:
        stack.set_all_config(config)
        if each.get("given"):
            current["code"] = compile(Path(each["given"]).read_text(), each["given"], "exec")
            setup = run(stack, destroy=False)
            if not setup["ok"]:
                print(json.dumps(setup, default=str), flush=True)
                continue
        current["code"] = compile(Path(each["path"]).read_text(), each["path"], "exec")
        print(json.dumps(run(stack, spec.get("destroy", True)), default=str), flush=True)


if __name__ == "__main__":
    main()
