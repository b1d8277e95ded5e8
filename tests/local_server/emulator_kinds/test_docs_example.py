"""The "Emulating your own kind" example of docs/local-server.md runs as written: its module
and entry point, installed as a distribution on a real server's path, answer the documented
statements with the documented result."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from deltastream_local.engine.catalog import ENTRY_POINT_GROUP
from deltastream_local.testing import LocalServer

from .sites import env, install, run_cli

DOC = (Path(__file__).parents[3] / "docs" / "local-server.md").read_text()
SECTION = DOC[DOC.index("## Emulating your own kind") :]


def _block(language: str, first_line: str) -> str:
    head = re.escape(first_line + "\n") if first_line else ""
    found = re.search(rf"```{language}\n{head}(.*?)```", SECTION, re.S)
    assert found, f"no {language} block starting {first_line!r}"
    return found.group(1)


def _documented_site(tmp_path: Path) -> Path:
    module = _block("python", "# corp_warehouses.py")
    project = tomllib.loads(_block("toml", "# pyproject.toml"))
    entry_points = project["project"]["entry-points"][ENTRY_POINT_GROUP]
    return install(tmp_path / "site", {"corp_warehouses": module}, entry_points)


def test_the_documented_kind_answers_the_documented_statements(tmp_path: Path) -> None:
    site = _documented_site(tmp_path)
    statements = [s.strip() for s in _block("sql", "-- try it").split(";") if s.strip()]
    expected = [line.split(" | ") for line in _block("text", "").strip().splitlines()]
    with LocalServer(env=env(site)) as server:
        for statement in statements:
            result = server.run(statement)
            assert result["sqlState"] == "00000", (statement, result)
        assert result["data"] == expected


def test_the_documented_kind_is_listed_with_its_distribution(tmp_path: Path) -> None:
    done = run_cli(_documented_site(tmp_path), "kinds")
    assert done.returncode == 0, done.stderr
    assert "warehouse  [corp-warehouses 1.0]\n    WAREHOUSE statements" in done.stdout
    assert 'deltastream.sys."warehouses"' in done.stdout
    assert "database  [pulumi-deltastream-py" in done.stdout
