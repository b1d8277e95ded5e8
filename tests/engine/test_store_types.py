"""The experimental store types (Databricks, S3, ClickHouse, Iceberg REST) through the real
Pulumi CLI and YAML language host against the embedded deltastream-local: preview, up with
credentials from secret config, the getStore settings and getStores type filter, a no-change
preview, an in-place update, destroy; no credential in the state or the CLI's output."""

from __future__ import annotations

import json
from pathlib import Path

from engine.project import Project

SOURCE = Path(__file__).parent / "lakes"
SECRETS = {
    "dbxToken": "dapi-engine-t0ken",
    "awsSecret": "aws-engine-s3cret",
    "chPassword": "ch-engine-passw0rd",
    "icebergSecret": "iceberg-engine-s3cret",
}


def test_newer_store_types_through_the_cli(
    workspace: Path, pulumi_cli: Path, engine_home: dict[str, str]
) -> None:
    project = Project(SOURCE, workspace, pulumi_cli, engine_home)
    project.init_stack()
    project.pulumi("config", "set", "deltastream:server", "local").expect()
    for key, value in SECRETS.items():
        project.pulumi("config", "set", "--secret", key, value).expect()
    said: list[str] = []
    try:
        # (no preview first: the YAML host runs the lookups at once, before the stores exist)
        created = project.up().expect()
        said.append(created.output)
        assert "+ 5 created" in created.output or "5 created" in created.output, created.output
        outputs = project.outputs()
        assert outputs["types"] == ["Databricks", "S3", "Clickhouse", "IcebergRest"], outputs
        assert outputs["archiveUris"] == "https://archive-bucket.s3.amazonaws.com/"
        # the role is among the settings DESCRIBE STORE does not show (docs/resources/store.md)
        assert outputs["archiveSettings"] == {"uris": "https://archive-bucket.s3.amazonaws.com/"}
        said.append(project.preview("--expect-no-changes").expect().output)

        project.edit("username: deltastream", "username: ingest")
        update = project.up().expect()
        said.append(update.output)
        assert "~ 1 to update" in update.output or "1 updated" in update.output, update.output
        olap = {r["outputs"]["name"]: r for r in project.resources()}["events_ch"]
        # getStores ran at the first up's start, before any store existed; now they do
        assert [s["name"] for s in project.outputs()["s3Stores"]] == ["archive_s3"]
        assert olap["outputs"]["clickhouse"]["username"] == "ingest"

        state = project.pulumi("stack", "export").expect().stdout
        for value in SECRETS.values():
            assert value not in state, "a store credential is in the state in plain text"
            assert all(value not in text for text in said), "a credential reached the CLI output"
        exported = json.loads(state)["deployment"]["resources"]
        stores = [r for r in exported if r["type"] == "deltastream:index:Store"]
        assert len(stores) == 4
    finally:
        project.pulumi("destroy", "--yes", "--skip-preview").expect()
    assert [r for r in project.resources() if r["type"].startswith("deltastream:index:")] == []
