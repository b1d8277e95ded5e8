"""Every example through the real Pulumi CLI, one stack per example, the whole sequence:

preview; up; preview --expect-no-changes; refresh with no drift; ``pulumi import`` of every
resource by id (the generated code then previews as a no-op, and so does the example); a
replacement; a Query body change, refused at preview with the diff and the way out; destroy;
destroy again (nothing left, here or in the embedded server).

``pulumi import`` always needs the project's language host (for the code it generates), and
only the YAML host can be built here: the import runs with the project's Pulumi.yaml switched
to ``runtime: yaml`` (same project, same stack, same state), so the generated code is YAML.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from deltastream_pulumi.testing import EngineLogServer, ProviderConfig, ProviderProcess, Stack
from deltastream_pulumi.testing.wire import reveal
from engine.conftest import example
from engine.project import Project


@dataclass(frozen=True)
class Case:
    name: str
    #: resources the program declares (besides the stack and its provider)
    count: int
    #: (old, new) in the program file: replaces `replaced`
    replace: tuple[str, str]
    replaced: str
    #: (old, new) in the program file: a changed Query body (None: the example has no Query)
    query_change: tuple[str, str] | None


PIPELINE = {
    "count": 8,
    "replace": ("'topic'='user_counts'", "'topic'='user_counts_v2'"),
    "replaced": "userCounts",
    "query_change": ("COUNT(*) AS views", "COUNT(userid) AS views"),
}
CASES = [
    Case("quickstart-python", 2, ('name="raw"', 'name="staging"'), "raw", None),
    # and a Confluent Kafka and a Kinesis store, which only this provider's schema has
    Case("pipeline-python", **{**PIPELINE, "count": 10}),  # type: ignore[arg-type]
    Case("pipeline-typescript", **PIPELINE),  # type: ignore[arg-type]
    Case("pipeline-go", **PIPELINE),  # type: ignore[arg-type]
    Case("pipeline-yaml", **PIPELINE),  # type: ignore[arg-type]
    # a schema registry, a store using it, an entity (replaced by a new path) and a stream
    # on it, a secret, a descriptor source, a function source and a function on it
    Case(
        "platform-python",
        9,
        ('TOPIC = "platform_orders"', 'TOPIC = "platform_orders_v2"'),
        "ordersTopic",
        None,
    ),
]
READY = {"running", "ready"}


def summary(output: str) -> str:
    """The ``Resources:`` block of a CLI run's output."""
    match = re.search(r"Resources:\n((?:[ \t]+.*\n?)+)", output)
    return match[1] if match else ""


def leftover_databases(project: Project) -> list[str]:
    """Databases in the stack's embedded server, asked through a provider process of our own."""
    with (
        EngineLogServer() as engine,
        ProviderProcess(
            engine,
            project=project.name,
            stack=project.stack,
            project_dir=project.dir,
            config=ProviderConfig({"server": "local"}),
            log_flags=(),
            grpc_log=project.root / "leftovers.jsonl",
        ) as provider,
    ):
        provider.configure()
        found = Stack(provider).invoke("deltastream:index:getDatabases", {})
    return sorted(d["name"] for d in reveal(found)["databases"])


def _fill_unreadable(generated: Any, known: Any) -> Any:
    """The generated code with each ``""`` placeholder replaced by the value the program had
    there: ``pulumi import`` writes ``""`` for a required input the provider cannot read back
    (a store's credentials), which the user then fills in, as docs/resources/store.md says."""
    if isinstance(known, dict) and "plaintext" in known:  # a secret, as --show-secrets shows it
        known = json.loads(known["plaintext"])
    if generated == "" and isinstance(known, str | int | float | bool):
        return known
    if isinstance(generated, dict) and isinstance(known, dict):
        return {k: _fill_unreadable(v, known.get(k)) for k, v in generated.items()}
    return generated


def only_updates_of(output: str, names: set[str]) -> bool:
    """A preview's plan changes nothing but in-place updates of the resources ``names``."""
    steps = re.findall(r"^\s*([+~-]+|\+-)\s+deltastream:index:\w+ (\w+)", output, re.M)
    return all(op == "~" and name in names for op, name in steps)


def import_all(project: Project, completed: set[str]) -> str:
    """Forget every resource, then ``pulumi import`` each by id; returns the generated code
    and adds to ``completed`` the resources whose unreadable inputs had to be filled in."""
    resources = project.resources()
    exported = json.loads(project.pulumi("stack", "export", "--show-secrets").expect().stdout)
    program_inputs = {
        r["urn"].rsplit("::", 1)[-1]: r.get("inputs", {})
        for r in exported["deployment"].get("resources") or []
    }
    entries = [
        {"type": r["type"], "name": r["urn"].rsplit("::", 1)[-1], "id": r["id"]} for r in resources
    ]
    for resource in reversed(resources):  # dependents first
        project.pulumi("state", "delete", "--yes", resource["urn"]).expect()
    assert project.resources() == []
    (project.root / "import.json").write_text(json.dumps({"resources": entries}))
    settings_file = project.dir / "Pulumi.yaml"
    original = settings_file.read_text(encoding="utf-8")
    settings = yaml.safe_load(original)
    yaml_settings = {"name": project.name, "runtime": "yaml", "plugins": settings["plugins"]}
    settings_file.write_text(yaml.safe_dump(yaml_settings), encoding="utf-8")
    generated = project.root / "imported.yaml"
    try:
        run = project.pulumi(
            "import",
            "--yes",
            "--protect=false",  # as the program declares them
            "--file",
            str(project.root / "import.json"),
            "--out",
            str(generated),
        ).expect()
        assert f"= {len(entries)} imported" in run.output, run.output
        code = generated.read_text(encoding="utf-8")
        program = yaml.safe_load(code)
        for name, resource in (program.get("resources") or {}).items():
            given = resource.get("properties", {})
            resource["properties"] = _fill_unreadable(given, program_inputs.get(name, {}))
            if resource["properties"] != given:
                completed.add(name)
        # The generated program previews as a no-op against the imported state, except that
        # the credentials the user filled in are sent once, in place.
        settings_file.write_text(yaml.safe_dump({**yaml_settings, **program}), encoding="utf-8")
        run = project.pulumi("preview").expect()
        assert only_updates_of(run.output, completed), run.output
    finally:
        settings_file.write_text(original, encoding="utf-8")
    return code


@pytest.mark.timeout(2400)  # a cold Go build of the example alone takes minutes
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_example_sequence(
    case: Case,
    workspace: Path,
    pulumi_cli: Path,
    engine_home: dict[str, str],
    example_sdks: None,
) -> None:
    started = time.monotonic()
    with example(case.name, workspace / case.name, pulumi_cli, engine_home) as project:
        everything = case.count + 1  # and the stack itself

        # preview of an empty stack: everything to create, nothing created
        run = project.preview().expect()
        assert f"+ {everything} to create" in summary(run.output), run.output
        assert project.resources() == []

        run = project.up().expect()
        assert f"+ {everything} created" in summary(run.output), run.output
        resources = project.resources()
        assert len(resources) == case.count
        states = {k: v for k, v in project.outputs().items() if k.endswith("_state")}
        assert set(states.values()) <= READY, states

        project.preview("--expect-no-changes").expect()
        run = project.pulumi("refresh", "--yes", "--expect-no-changes").expect()
        assert f"{everything} unchanged" in summary(run.output), run.output

        # import of every resource kind by id; the generated code and the program agree
        completed: set[str] = set()
        code = import_all(project, completed)
        for resource in resources:
            assert resource["urn"].rsplit("::", 1)[-1] in code
        assert {r["type"] for r in project.resources()} == {r["type"] for r in resources}
        assert {r["id"] for r in project.resources()} == {r["id"] for r in resources}
        # The program differs from the imported state only by the credentials DeltaStream never
        # returns (sent once, in place). An import records no dependencies; this first up of
        # the program records them. (Before it, a replacement would not know the query depends
        # on its sink.)
        run = project.preview().expect()
        assert only_updates_of(run.output, completed), run.output
        project.up().expect()
        project.preview("--expect-no-changes").expect()

        # a replacement: the program changes what cannot be changed in place
        project.edit(*case.replace)
        run = project.preview("--diff").expect()
        replace = re.search(
            rf"\+-\s*deltastream:index:\w+: \(replace\)[^\n]*\n(?:\s+\[.*\]\n)*?"
            rf"\s+\[urn=[^\]]*::{case.replaced}\]",
            run.output,
        )
        assert replace, run.output
        urns = {r["urn"] for r in project.resources()}
        run = project.up().expect()
        assert "replaced" in summary(run.output), run.output
        project.preview("--expect-no-changes").expect()
        assert {r["urn"] for r in project.resources()} == urns

        if case.query_change:
            # a changed Query body: refused at preview, with the diff and the way out
            project.edit(*case.query_change)
            run = project.preview()
            assert run.returncode != 0, run.output
            out = run.output
            assert "userCountsQuery" in out and "sql" in out, out
            assert "immutable" in out and "declare a new Query" in out, out
            assert "COUNT(userid)" in out and "COUNT(*)" in out, out  # the diff
            project.edit(case.query_change[1], case.query_change[0])
            project.preview("--expect-no-changes").expect()

        run = project.pulumi("destroy", "--yes", "--skip-preview").expect()
        assert f"- {everything} deleted" in summary(run.output), run.output
        assert project.resources() == []
        assert leftover_databases(project) == []
        run = project.pulumi("destroy", "--yes", "--skip-preview").expect()
        assert "deleted" not in summary(run.output), run.output
    print(f"{case.name}: full sequence in {time.monotonic() - started:.0f} s")
