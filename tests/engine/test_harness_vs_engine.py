"""The harness (deltastream_pulumi.testing) checked against the real engine.

The pipeline scenario (preview, up, no-change up, refresh, destroy) of examples/pipeline-yaml
runs twice: through the real CLI with ``PULUMI_DEBUG_GRPC`` recording every call the engine
makes to the provider, and through the harness's ``Stack`` with the same resources. Per
operation, the two must agree on the provider RPCs made for each resource and their order,
and on the request fields: which fields are set, ``name``/``type``, ``preview``, ``timeout``,
``ignoreChanges``, the keys of ``oldInputs``, and where secrets and unknowns appear (and how
they are encoded). Values that differ run to run (ids, timestamps, random seeds, ports) are
not compared.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from deltastream_pulumi.testing import (
    EngineLogServer,
    ProviderConfig,
    ProviderProcess,
    Resource,
    Secret,
    Stack,
    Unknown,
)
from deltastream_pulumi.testing.stack import OutputRef
from engine.conftest import example
from engine.project import Project

OPERATIONS = ("preview", "up", "up again", "refresh", "destroy")
PROVIDER_RPC = "/pulumirpc.ResourceProvider/"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SIG = "4dabf18193072939515e22adb298388d"
#: request fields whose values must agree exactly
EXACT = ("name", "type", "preview", "timeout", "ignoreChanges")
#: request fields whose keys (not values) must agree
KEYED = ("olds", "news", "oldInputs", "properties", "inputs", "args")
#: request fields the harness does not send, on purpose: the address of the engine's
#: ResourceStatus service (for views), which the harness does not serve and this provider
#: does not use
NOT_SENT_BY_HARNESS = ("resourceStatusAddress", "resourceStatusToken")
_REF = re.compile(r"\$\{([^}.]+)\.([^}]+)\}")


# -- the harness's version of the YAML program ------------------------------------------------


def harness_program(spec: Mapping[str, Any], config: Mapping[str, str]) -> list[Resource]:
    """The YAML program's resources as harness Resources (``${res.out}`` → OutputRef)."""
    resources: dict[str, Resource] = {}
    state: dict[str, Stack] = {}  # filled in by the caller: interpolations read other outputs

    def resolve(value: Any) -> Any:
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if not isinstance(value, str):
            return value
        value = re.sub(r"\$\{(\w+)\}", lambda m: config.get(m[1], m[0]), value)
        refs = _REF.findall(value)
        if not refs:
            return value
        whole = _REF.fullmatch(value)
        if whole:
            return OutputRef(resources[whole[1]], whole[2])
        # an interpolation: the first reference carries it, the others are read from the
        # harness's results (they are dependencies too, so they finished first)
        first = resources[refs[0][0]]
        text = value

        def interpolate(_: Any, text: str = text) -> Any:
            out = text
            for res_name, key in _REF.findall(text):
                stack = state["stack"]
                done = stack.state.get(stack.urn(resources[res_name].type, res_name))
                got = done.outputs.get(key) if done else None
                if got is None or isinstance(got, Unknown):
                    return Unknown()
                out = out.replace(f"${{{res_name}.{key}}}", str(got))
            return out

        return OutputRef(first, refs[0][1], interpolate)

    for name, body in (spec.get("resources") or {}).items():
        token = body["type"]
        pkg, _, kind = token.partition(":")
        token = token if ":" in kind else f"{pkg}:index:{kind}"
        props = body.get("properties") or {}
        deps = sorted({n for n, _ in _REF.findall(json.dumps(props))})
        options = body.get("options") or {}
        timeouts = {_seconds(v) for v in (options.get("customTimeouts") or {}).values()}
        assert len(timeouts) <= 1, "the harness has one timeout per resource"
        resources[name] = Resource(
            token,
            name,
            resolve(props),
            depends_on=tuple(resources[d] for d in deps),
            ignore_changes=tuple(options.get("ignoreChanges") or ()),
            timeout=timeouts.pop() if timeouts else 0.0,
        )
    harness_program.state = state  # type: ignore[attr-defined]
    return list(resources.values())


def _seconds(duration: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return float(duration[:-1]) * units[duration[-1]]


# -- comparing calls ----------------------------------------------------------------------------


def provider_calls(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The completed ResourceProvider calls, in order."""
    return [
        {"method": e["method"].removeprefix(PROVIDER_RPC), "request": e.get("request") or {}}
        for e in entries
        if e["method"].startswith(PROVIDER_RPC) and e.get("progress") == "response_completed"
    ]


def read_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def markers(value: Any, path: str = "") -> list[str]:
    """Where unknowns and secrets appear in a request, and how they are encoded."""
    found: list[str] = []
    if value == UNKNOWN:
        found.append(f"{path}: unknown (sentinel string)")
    elif isinstance(value, dict):
        if value.get(SIG) == "1b47061264138c4ac30d75fd1eb44270":
            found.append(f"{path}: secret (signature object)")
        elif value.get(SIG) == "d0e6a833031e9bbcd3f4e8bde6ca49a4":
            found.append(f"{path}: output value")
        for key, inner in value.items():
            found += markers(inner, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            found += markers(inner, f"{path}[{i}]")
    return found


def resource_key(call: Mapping[str, Any]) -> str:
    request = call["request"]
    if call["method"] == "Invoke":
        return f"invoke {request.get('tok')}"
    urn = request.get("urn")
    if not urn or "::pulumi:providers:" in urn:
        return "(provider)"
    return str(urn).rsplit("::", 1)[-1]


def summarize(calls: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per resource, its calls in order, each reduced to what is compared."""
    per: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for call in calls:
        request = call["request"]
        if call["method"] in {"GetPluginInfo", "Handshake", "GetSchema", "Attach"}:
            continue
        reduced: dict[str, Any] = {
            "method": call["method"],
            "fields": sorted(
                k
                for k, v in request.items()
                if v not in ({}, [], "", None, False) and k not in NOT_SENT_BY_HARNESS
            ),
            "markers": sorted(markers(request)),
        }
        for key in EXACT:
            if key in request:
                reduced[key] = request[key]
        for key in KEYED:
            if isinstance(request.get(key), dict):
                reduced[f"{key} keys"] = sorted(request[key])
        per[resource_key(call)].append(reduced)
    return dict(per)


def differences(engine: Mapping[str, list[Any]], harness: Mapping[str, list[Any]]) -> list[str]:
    found = []
    for key in sorted(set(engine) | set(harness)):
        e, h = engine.get(key, []), harness.get(key, [])
        e_methods, h_methods = [c["method"] for c in e], [c["method"] for c in h]
        if e_methods != h_methods:
            found.append(f"{key}: engine calls {e_methods}, harness calls {h_methods}")
            continue
        for ec, hc in zip(e, h, strict=True):
            for field in sorted(set(ec) | set(hc)):
                if ec.get(field) != hc.get(field):
                    found.append(
                        f"{key} {ec['method']} {field}: engine {ec.get(field)!r}, "
                        f"harness {hc.get(field)!r}"
                    )
    return found


# -- the two runs -------------------------------------------------------------------------------


#: what the scenario adds to the example, so that these request fields are compared too
STORE_OPTIONS = {
    "customTimeouts": {"create": "7m", "update": "7m", "delete": "7m"},
    "ignoreChanges": ["kafka.saslHashFunction"],
}
SECRET_API_KEY = "harness-comparison-key"


def with_options(project: Project) -> None:
    """Custom timeouts and ignoreChanges on the store, and a secret in the provider config
    (ignored with ``server: local``, but sent by the engine as a secret)."""
    settings_file = project.dir / "Pulumi.yaml"
    settings = yaml.safe_load(settings_file.read_text(encoding="utf-8"))
    settings["resources"]["kafkaStore"]["options"] = STORE_OPTIONS
    settings_file.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    project.pulumi("config", "set", "--secret", "deltastream:apiKey", SECRET_API_KEY).expect()


def engine_run(project: Project) -> dict[str, list[dict[str, Any]]]:
    with_options(project)
    logs: dict[str, list[dict[str, Any]]] = {}
    commands: dict[str, list[str]] = {
        "preview": ["preview"],
        "up": ["up", "--yes", "--skip-preview"],
        "up again": ["up", "--yes", "--skip-preview"],
        "refresh": ["refresh", "--yes", "--skip-preview"],
        "destroy": ["destroy", "--yes", "--skip-preview"],
    }
    for op in OPERATIONS:
        log = project.root / f"engine-{op.replace(' ', '-')}.jsonl"
        project.env["PULUMI_DEBUG_GRPC"] = str(log)
        try:
            project.pulumi(*commands[op]).expect()
        finally:
            del project.env["PULUMI_DEBUG_GRPC"]
        logs[op] = provider_calls(read_log(log))
    return logs


def harness_run(project: Project, folder: Path) -> dict[str, list[dict[str, Any]]]:
    spec = yaml.safe_load((project.dir / "Pulumi.yaml").read_text(encoding="utf-8"))
    config = {
        key.split(":", 1)[1]: str(value)
        for key, value in yaml.safe_load((project.dir / "Pulumi.dev.yaml").read_text())[
            "config"
        ].items()
        if key.startswith(f"{project.name}:")
    }
    resources = harness_program(spec, config)
    logs: dict[str, list[dict[str, Any]]] = {}
    stack: Stack | None = None
    operations: dict[str, Callable[[Stack], Any]] = {
        "preview": lambda s: s.preview(resources),
        "up": lambda s: s.up(resources),
        "up again": lambda s: s.up(resources),
        "refresh": lambda s: s.refresh(),
        "destroy": lambda s: s.destroy(),
    }
    for op in OPERATIONS:
        # one provider process per operation, as the CLI starts one per command
        with (
            EngineLogServer() as engine,
            ProviderProcess(
                engine,
                project=project.name,
                stack=project.stack,
                project_dir=folder,
                config=ProviderConfig({"server": "local", "apiKey": Secret(SECRET_API_KEY)}),
                log_flags=(),
                grpc_log=folder / f"harness-{op.replace(' ', '-')}.jsonl",
            ) as provider,
        ):
            if stack is None:
                stack = Stack(provider)
            else:
                stack.provider = provider
            harness_program.state["stack"] = stack  # type: ignore[attr-defined]
            operations[op](stack)
        logs[op] = provider_calls(provider.grpc_log)  # after stop(): its Cancel is in it
    return logs


@pytest.mark.timeout(900)
def test_harness_makes_the_engines_calls(
    workspace: Path,
    pulumi_cli: Path,
    engine_home: dict[str, str],
) -> None:
    with example("pipeline-yaml", workspace / "engine", pulumi_cli, engine_home) as project:
        engine = engine_run(project)
    folder = workspace / "harness"
    folder.mkdir()
    harness = harness_run(project, folder)
    report = {op: differences(summarize(engine[op]), summarize(harness[op])) for op in OPERATIONS}
    assert all(engine[op] for op in OPERATIONS), "PULUMI_DEBUG_GRPC recorded no provider calls"
    # the scenario's options and secret reached the provider (else nothing was compared)
    creates = [c for c in engine["up"] if c["method"] == "Create"]
    assert any(c["request"].get("timeout") == 420 for c in creates), creates
    configure = next(c for c in engine["up"] if c["method"] == "Configure")
    assert markers(configure["request"]), configure
    assert report == {op: [] for op in OPERATIONS}, json.dumps(report, indent=1)
