"""A broken emulator kind stops ``deltastream-local serve`` with one line on stderr naming the
kind, its distribution, what is wrong and how to run without it; a disabled kind is left out
(real server processes, a real ``*.dist-info`` on the path)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deltastream_local.engine.catalog import DISABLED_ENV
from deltastream_local.testing import LocalServer

from .sites import env, install, run_cli

KIND = """
from deltastream_local.kinds import CatalogKind, ObjectStatements, Option, SystemTable, varchar

KIND = CatalogKind(
    name={name!r},
    system_tables=(SystemTable({table!r}, (varchar("name"),), lambda exe: []),),
    objects=ObjectStatements(keyword={keyword!r}, handlers={handlers}, options={options}),
    requires={requires!r},
    lists={lists},
)
"""


def kind(
    name: str = "warehouse",
    table: str = "warehouses",
    keyword: str = "warehouse",
    handlers: str = "{}",
    options: str = "{}",
    requires: tuple[str, ...] = (),
    lists: str = "{}",
) -> str:
    """The source of a module whose ``KIND`` is a small kind with these declarations."""
    return KIND.format(
        name=name,
        table=table,
        keyword=keyword,
        handlers=handlers,
        options=options,
        requires=requires,
        lists=lists,
    )


def _serve(site: Path, disabled: str = "") -> list[str]:
    """Start a server that must refuse to start; its stderr lines from deltastream-local."""
    done = run_cli(site, "serve", "--port", "0", "--data", ":memory:", disabled=disabled)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout == ""  # no URL line: whoever started it sees it did not start
    assert "Traceback" not in done.stderr
    return [line for line in done.stderr.splitlines() if line.startswith("deltastream-local: e")]


CASES = [
    (
        {"corp_warehouses": "raise ImportError('no module named corp_sdk')"},
        {"warehouse": "corp_warehouses:KIND"},
        "failed to load from 'corp_warehouses:KIND': ImportError: no module named corp_sdk",
    ),
    (
        {"corp_warehouses": kind()},
        {"warehouse": "corp_warehouses"},
        "entry point 'corp_warehouses' is a module, not a CatalogKind",
    ),
    (
        {"corp_warehouses": kind()},
        {"pools": "corp_warehouses:KIND"},
        "the entry point is named 'pools' but the kind 'warehouse'",
    ),
    (
        {"corp_warehouses": kind(name="database")},
        {"database": "corp_warehouses:KIND"},
        "registers kind 'database', which kind database (pulumi-deltastream-py) already",
    ),
    (
        {"corp_warehouses": kind(table="databases")},
        {"warehouse": "corp_warehouses:KIND"},
        'registers system table deltastream.sys."databases", which kind database '
        "(pulumi-deltastream-py) already registers",
    ),
    (
        {"corp_warehouses": kind(), "corp_more": kind(name="warehouse_annex", table="more")},
        {"warehouse": "corp_warehouses:KIND", "warehouse_annex": "corp_more:KIND"},
        "warehouse_annex (corp-warehouses) registers object keyword WAREHOUSE, which kind "
        "warehouse (corp-warehouses) already registers",
    ),
    (
        {"corp_warehouses": kind(keyword="store")},
        {"warehouse": "corp_warehouses:KIND"},
        "object keyword 'store' is a keyword of the grammar",
    ),
    (
        {"corp_warehouses": kind(keyword="Ware House")},
        {"warehouse": "corp_warehouses:KIND"},
        "object keyword 'Ware House' is not a lower-case word",
    ),
    (
        {"corp_warehouses": kind(handlers="{'launch': print}")},
        {"warehouse": "corp_warehouses:KIND"},
        "unknown verbs ['launch']",
    ),
    (
        {"corp_warehouses": kind(options="{'size': 'text'}")},
        {"warehouse": "corp_warehouses:KIND"},
        "WITH key 'size' is declared as str, not Option",
    ),
    (
        {"corp_warehouses": kind(lists="{'Ware_Houses': print}")},
        {"warehouse": "corp_warehouses:KIND"},
        "LIST word 'Ware_Houses' is not a lower-case word",
    ),
    (
        {"corp_warehouses": kind(requires=("lakehouse",))},
        {"warehouse": "corp_warehouses:KIND"},
        "needs kind 'lakehouse', which is not loaded",
    ),
]


@pytest.mark.parametrize(("modules", "entry_points", "says"), CASES)
def test_a_broken_kind_stops_the_server_with_one_line(
    tmp_path: Path, modules: dict[str, str], entry_points: dict[str, str], says: str
) -> None:
    lines = _serve(install(tmp_path, modules, entry_points))
    assert len(lines) == 1, lines
    assert lines[0].startswith("deltastream-local: emulator kind ")
    assert "(corp-warehouses)" in lines[0]
    assert says in lines[0]
    assert f"{DISABLED_ENV}=" in lines[0]


def test_a_broken_kind_can_be_disabled_by_name(tmp_path: Path) -> None:
    site = install(
        tmp_path,
        {"corp_warehouses": "raise ImportError('broken')"},
        {"warehouse": "corp_warehouses:KIND"},
    )
    done = run_cli(site, "kinds", disabled="warehouse")
    assert done.returncode == 0, done.stderr
    assert "corp-warehouses" not in done.stdout
    assert f"disabled by {DISABLED_ENV}: warehouse" in done.stdout


def test_a_kind_that_is_needed_cannot_be_disabled(tmp_path: Path) -> None:
    (line,) = _serve(tmp_path, disabled="relation")
    assert "emulator kind query (pulumi-deltastream-py) needs kind 'relation'" in line


SECRETS = """
from deltastream_local.kinds import (
    CatalogKind, ObjectStatements, SystemTable, artifact_row, artifacts, varchar,
)


def _create(req, exe):
    exe.db.execute("INSERT INTO corp_secrets VALUES (?)", (req.name,))
    return artifacts(artifact_row("secret", req.name, "CREATE SECRET", "created", [req.name]))


def _rows(exe):
    return [{"name": n} for (n,) in exe.db.execute("SELECT name FROM corp_secrets")]


KIND = CatalogKind(
    name="corp_secret",
    schema=("CREATE TABLE IF NOT EXISTS corp_secrets (name TEXT PRIMARY KEY)",),
    objects=ObjectStatements(keyword="secret", handlers={"create": _create}),
    system_tables=(SystemTable("secrets", (varchar("name"),), _rows),),
)
"""


def test_a_plugin_replaces_a_built_in_kind_once_that_one_is_disabled(tmp_path: Path) -> None:
    site = install(tmp_path, {"corp_secrets": SECRETS}, {"corp_secret": "corp_secrets:KIND"})
    (line,) = _serve(site)
    assert "corp_secret (corp-warehouses) registers system table" in line
    assert "which kind secret (pulumi-deltastream-py) already registers" in line
    with LocalServer(env=env(site, disabled="secret")) as server:
        assert server.run('CREATE SECRET "Mixed"')["sqlState"] == "00000"
        rows = server.run('SELECT name FROM deltastream.sys."secrets"')["data"]
        assert rows == [["Mixed"]]
        # the keyword is claimed, the verb is not: the same answer as an unclaimed keyword
        dropped = server.run('DROP SECRET "Mixed"')
        assert dropped["sqlState"] == "0A000"
        assert dropped["message"] == "DROP SECRET is not supported by deltastream-local"
