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
    name: str = "compute_pool",
    table: str = "compute_pools",
    keyword: str = "compute_pool",
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
        {"corp_pools": "raise ImportError('no module named corp_sdk')"},
        {"compute_pool": "corp_pools:KIND"},
        "failed to load from 'corp_pools:KIND': ImportError: no module named corp_sdk",
    ),
    (
        {"corp_pools": kind()},
        {"compute_pool": "corp_pools"},
        "entry point 'corp_pools' is a module, not a CatalogKind",
    ),
    (
        {"corp_pools": kind()},
        {"pools": "corp_pools:KIND"},
        "the entry point is named 'pools' but the kind 'compute_pool'",
    ),
    (
        {"corp_pools": kind(name="database")},
        {"database": "corp_pools:KIND"},
        "registers kind 'database', which kind database (pulumi-deltastream-py) already",
    ),
    (
        {"corp_pools": kind(table="databases")},
        {"compute_pool": "corp_pools:KIND"},
        'registers system table deltastream.sys."databases", which kind database '
        "(pulumi-deltastream-py) already registers",
    ),
    (
        {"corp_pools": kind(), "corp_more": kind(name="more_pools", table="more")},
        {"compute_pool": "corp_pools:KIND", "more_pools": "corp_more:KIND"},
        "more_pools (corp-pools) registers object keyword COMPUTE_POOL, which kind "
        "compute_pool (corp-pools) already registers",
    ),
    (
        {"corp_pools": kind(keyword="store")},
        {"compute_pool": "corp_pools:KIND"},
        "object keyword 'store' is a keyword of the grammar",
    ),
    (
        {"corp_pools": kind(keyword="Compute Pool")},
        {"compute_pool": "corp_pools:KIND"},
        "object keyword 'Compute Pool' is not a lower-case word",
    ),
    (
        {"corp_pools": kind(handlers="{'launch': print}")},
        {"compute_pool": "corp_pools:KIND"},
        "unknown verbs ['launch']",
    ),
    (
        {"corp_pools": kind(options="{'size': 'text'}")},
        {"compute_pool": "corp_pools:KIND"},
        "WITH key 'size' is declared as str, not Option",
    ),
    (
        {"corp_pools": kind(lists="{'Compute_Pools': print}")},
        {"compute_pool": "corp_pools:KIND"},
        "LIST word 'Compute_Pools' is not a lower-case word",
    ),
    (
        {"corp_pools": kind(requires=("warehouse",))},
        {"compute_pool": "corp_pools:KIND"},
        "needs kind 'warehouse', which is not loaded",
    ),
]


@pytest.mark.parametrize(("modules", "entry_points", "says"), CASES)
def test_a_broken_kind_stops_the_server_with_one_line(
    tmp_path: Path, modules: dict[str, str], entry_points: dict[str, str], says: str
) -> None:
    lines = _serve(install(tmp_path, modules, entry_points))
    assert len(lines) == 1, lines
    assert lines[0].startswith("deltastream-local: emulator kind ")
    assert "(corp-pools)" in lines[0]
    assert says in lines[0]
    assert f"{DISABLED_ENV}=" in lines[0]


def test_a_broken_kind_can_be_disabled_by_name(tmp_path: Path) -> None:
    site = install(
        tmp_path, {"corp_pools": "raise ImportError('broken')"}, {"compute_pool": "corp_pools:KIND"}
    )
    done = run_cli(site, "kinds", disabled="compute_pool")
    assert done.returncode == 0, done.stderr
    assert "corp-pools" not in done.stdout
    assert f"disabled by {DISABLED_ENV}: compute_pool" in done.stdout


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
    assert "corp_secret (corp-pools) registers system table" in line
    assert "which kind secret (pulumi-deltastream-py) already registers" in line
    with LocalServer(env=env(site, disabled="secret")) as server:
        assert server.run('CREATE SECRET "Mixed"')["sqlState"] == "00000"
        rows = server.run('SELECT name FROM deltastream.sys."secrets"')["data"]
        assert rows == [["Mixed"]]
        # the keyword is claimed, the verb is not: the same answer as an unclaimed keyword
        dropped = server.run('DROP SECRET "Mixed"')
        assert dropped["sqlState"] == "0A000"
        assert dropped["message"] == "DROP SECRET is not supported by deltastream-local"
