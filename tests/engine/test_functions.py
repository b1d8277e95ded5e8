"""A compute pool, a function source with a jar from the test's folder and a function on it,
through the real Pulumi CLI and YAML language host against the embedded deltastream-local:
preview, up, a no-change preview, an in-place pool update, a function replacement, a source
replacement that takes its function along, destroy."""

from __future__ import annotations

from pathlib import Path

from engine.project import Project

SOURCE = Path(__file__).parent / "functions"


def test_pool_source_and_function_through_the_cli(
    workspace: Path, pulumi_cli: Path, engine_home: dict[str, str]
) -> None:
    project = Project(SOURCE, workspace, pulumi_cli, engine_home)
    project.init_stack()
    project.pulumi("config", "set", "deltastream:server", "local").expect()
    try:
        assert "+ 4 to create" in project.preview().expect().output  # and the stack
        project.up().expect()
        assert project.outputs() == {
            "poolState": "running",
            "sourceStatus": "ready",
            "signature": "to_upper(s VARCHAR)",
        }
        project.preview("--expect-no-changes").expect()

        project.edit("size: small", "size: large")
        project.edit("returns: VARCHAR", "returns: BIGINT")
        out = project.up().expect().output
        assert "~ 1 to update" in out or "1 updated" in out, out
        assert "+-1 to replace" in out or "1 replaced" in out, out
        types = {r["type"]: r for r in project.resources()}
        assert types["deltastream:index:ComputePool"]["outputs"]["size"] == "large"
        assert types["deltastream:index:Function"]["outputs"]["returns"] == "BIGINT"

        # a new source replaces it, and the function on it with it (the source cannot be
        # dropped while a function uses it: the engine replaces the dependent first)
        project.edit("description: string helpers", "description: string helpers v2")
        out = project.up().expect().output
        assert "2 replaced" in out, out
        assert project.outputs()["sourceStatus"] == "ready"
    finally:
        project.pulumi("destroy", "--yes", "--skip-preview").expect()
    assert [r for r in project.resources() if r["type"].startswith("deltastream:index:")] == []
