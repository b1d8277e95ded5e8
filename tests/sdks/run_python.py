"""Run one Python program under the real Pulumi engine (Automation API, inline program).

    python run_python.py SPEC.json    # prints one JSON line: {"ok", "outputs", "log", "error"}

Run by the SDK tests with the interpreter of a fresh virtualenv that has only this project's
Python SDK (and its dependency `pulumi`) installed, so the program imports that SDK. SPEC:
``program`` (a file whose source is the program), ``state``/``work_dir`` (folders), ``config``
(stack config, ``deltastream:server: local`` among it), ``env`` (for the CLI), ``pulumi_root``
(the folder whose bin/ has the pinned CLI) and ``destroy`` (run a destroy after the update).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pulumi import automation as auto


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    source = Path(spec["program"]).read_text()
    code = compile(source, spec["program"], "exec")

    def program() -> None:
        exec(code, {"__name__": "__main__"})

    log: list[str] = []
    opts = auto.LocalWorkspaceOptions(
        work_dir=spec["work_dir"],
        env_vars=spec["env"],
        pulumi_command=auto.PulumiCommand(spec["pulumi_root"], skip_version_check=True),
        project_settings=auto.ProjectSettings(
            name="sdk-test", runtime="python", backend=auto.ProjectBackend(url=spec["state"])
        ),
    )
    stack = auto.create_or_select_stack("test", project_name="sdk-test", program=program, opts=opts)
    stack.set_all_config({k: auto.ConfigValue(v) for k, v in spec["config"].items()})
    result: dict[str, object] = {"ok": False}
    try:
        up = stack.up(on_output=log.append, color="never")
        result["outputs"] = {k: v.value for k, v in up.outputs.items()}
        result["summary"] = up.summary.resource_changes
        if spec.get("destroy", True):
            stack.destroy(on_output=log.append, color="never")
        result["ok"] = True
    except auto.errors.CommandError as e:
        result["error"] = str(e)
    result["log"] = "".join(log)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
