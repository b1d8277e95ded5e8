"""Run an example program without the Pulumi CLI, against the real provider process.

    python tests/examples/example_runner.py <example dir>   # prints a JSON summary

Python examples run under Pulumi's own mock runtime (``pulumi.runtime.set_mocks``): every
resource the program registers and every invoke it makes is forwarded into the engine-faithful
harness (``deltastream_pulumi.testing.Stack``), so it goes through the real
``pulumi-resource-deltastream`` process — Check, Diff, Create, Invoke — configured, like the
examples, with ``deltastream:server: local`` (the embedded local server). YAML examples are
read by a small interpreter of the subset they use (``${resource.output}`` and ``${config}``
interpolation). Then a second ``up`` of the same program must change nothing, and a
``destroy`` removes everything. Each example runs in its own process because the Pulumi
runtime keeps global state.
"""

from __future__ import annotations

import json
import re
import runpy
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from deltastream_pulumi.testing import (
    EngineLogServer,
    ProviderConfig,
    ProviderProcess,
    Resource,
    Stack,
)
from deltastream_pulumi.testing.wire import reveal

PACKAGE = "deltastream"


class Program:
    """The resources an example registered so far, created through the harness one by one."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.resources: list[Resource] = []
        self.invokes: list[str] = []
        self._lock = threading.Lock()  # the mock monitor may call from several threads

    def register(
        self, token: str, name: str, inputs: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        with self._lock:
            # The mock runtime does not pass dependencies on; registration order is causal
            # (inputs resolve first), so depending on everything earlier is a safe order and
            # destroy runs in reverse creation order, as the engine's dependency order would.
            earlier = tuple(self.resources)
            self.resources.append(Resource(token, name, dict(inputs), depends_on=earlier))
            self.stack.up(self.resources)  # the earlier ones are "same": Check + Diff only
            state = self.stack.state[self.stack.urn(token, name)]
            return state.id, reveal(state.outputs)

    def invoke(self, token: str, args: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.invokes.append(token)
            result: dict[str, Any] = reveal(self.stack.invoke(token, dict(args)))
            return result


def run_python(program: Program, example: Path) -> None:
    import pulumi
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    class Bridge(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
            return program.register(args.typ, args.name, args.inputs)

        def call(
            self, args: pulumi.runtime.MockCallArgs
        ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
            return program.invoke(args.token, args.args), []

    pulumi.runtime.set_mocks(Bridge(), project=example.name, stack="dev", preview=False)
    sys.path.insert(0, str(example))

    def program_main() -> None:
        runpy.run_path(str(example / "__main__.py"))

    _sync_await(run_pulumi_func(program_main))


_REF = re.compile(r"\$\{([^}]+)\}")


def run_yaml(program: Program, example: Path) -> None:
    spec = yaml.safe_load((example / "Pulumi.yaml").read_text())
    config = {k: v.get("default") for k, v in (spec.get("config") or {}).items()}
    pending = dict(spec.get("resources") or {})
    outputs: dict[str, dict[str, Any]] = {}

    def refs(value: Any) -> set[str]:
        if isinstance(value, str):
            return {m.split(".")[0] for m in _REF.findall(value)} - set(config)
        if isinstance(value, list):
            return set().union(*map(refs, value)) if value else set()
        if isinstance(value, dict):
            return set().union(*map(refs, value.values())) if value else set()
        return set()

    def lookup(path: str) -> Any:
        head, *rest = path.split(".")
        value: Any = config[head] if head in config else outputs[head]
        for key in rest:
            value = value[key]
        return value

    def resolve(value: Any) -> Any:
        if isinstance(value, str):
            whole = _REF.fullmatch(value)
            if whole:
                return lookup(whole[1])
            return _REF.sub(lambda m: str(lookup(m[1])), value)
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return value

    while pending:  # create in dependency order, as the engine would
        ready = [n for n, r in pending.items() if refs(r.get("properties") or {}) <= set(outputs)]
        if not ready:
            raise RuntimeError(f"unresolvable references among {sorted(pending)}")
        for name in ready:
            res = pending.pop(name)
            pkg, _, kind = res["type"].partition(":")
            token = res["type"] if kind.count(":") else f"{pkg}:index:{kind}"
            resource_id, outs = program.register(token, name, resolve(res.get("properties") or {}))
            outputs[name] = {"id": resource_id, **outs}
    for value in (spec.get("outputs") or {}).values():
        resolve(value)  # every declared output must exist


def main(example: Path) -> dict[str, Any]:
    with (
        EngineLogServer() as engine,
        ProviderProcess(engine, config=ProviderConfig({"server": "local"}), log_flags=()) as proc,
    ):
        proc.configure()
        stack = Stack(proc)
        program = Program(stack)
        runtime = yaml.safe_load((example / "Pulumi.yaml").read_text())["runtime"]
        runtime_name = runtime["name"] if isinstance(runtime, dict) else runtime
        (run_python if runtime_name == "python" else run_yaml)(program, example)
        created = {
            r.name: stack.state[stack.urn(r.type, r.name)].outputs for r in program.resources
        }
        again = stack.up(program.resources)  # a second `up` of the same program
        destroyed = stack.destroy()
        leftovers = stack.invoke(f"{PACKAGE}:index:getDatabases", {})["databases"]
        return {
            "resources": {r.name: r.type for r in program.resources},
            "states": {n: o.get("state") for n, o in created.items() if "state" in o},
            "invokes": program.invokes,
            "second_up": again.summary(),
            "destroyed": destroyed.summary(),
            "databases_left": sorted(d["name"] for d in reveal(leftovers)),
            "warnings": [r.message for r in engine.records("WARNING")],
            "errors": [r.message for r in engine.records("ERROR")],
        }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]).resolve())))
