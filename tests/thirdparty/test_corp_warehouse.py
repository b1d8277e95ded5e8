"""A third-party kind in its own distribution (tests/thirdparty/corp_warehouse): the kind of
docs/plugins.md plus its deltastream-local emulation, installed on the path of a real provider
process and a real server, passes the contract kit through the documented APIs only."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import strategies as st

from deltastream_core.registry import DISABLED_ENV as PROVIDER_DISABLED
from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import EngineLogServer, ProviderConfig, ProviderProcess, Secret
from deltastream_pulumi.testing.contract import (
    Invalid,
    KindContract,
    Mutation,
    check_contract,
    names,
    strategies_for,
)
from deltastream_pulumi.testing.local import run_sql

from .corp_warehouse.provider import WarehouseInputs

PACKAGE = Path(__file__).parent / "corp_warehouse"
DOC = Path(__file__).parents[2] / "docs" / "plugins.md"
ORGANIZATION = "0b1c3a52-6d0e-4f1a-9c7b-2e5d8f4a1c00"

ENTRY_POINTS = """\
[deltastream]
warehouse = corp_warehouse.provider

[deltastream_local.catalog]
warehouse = corp_warehouse.emulator:KIND
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``pip install corp-warehouse`` as it would leave the path: the package and its
    ``*.dist-info`` registering both entry points."""
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(PACKAGE, root / "corp_warehouse")
    info = root / "corp_warehouse-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: corp-warehouse\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    return root


def _env(site: Path) -> dict[str, str]:
    # the suite disables other distributions' plugins; this one is installed on purpose
    disabled = [n for n in os.environ.get(PROVIDER_DISABLED, "").split(",") if n != "warehouse"]
    return {"PYTHONPATH": str(site), PROVIDER_DISABLED: ",".join(disabled)}


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[LocalServer]:
    with LocalServer(env=_env(site)) as running:
        yield running


@pytest.fixture
def corp_provider(site: Path, server: LocalServer) -> Iterator[ProviderProcess]:
    config = ProviderConfig(
        {"server": server.url, "apiKey": Secret(server.token), "organization": ORGANIZATION}
    )
    with (
        EngineLogServer() as engine,
        ProviderProcess(engine, config=config, env=_env(site)) as process,
    ):
        process.configure()
        yield process


WAREHOUSE = KindContract(
    token="deltastream:index:Warehouse",
    # derived from the model: a unique name, a size from its choices in either case
    inputs=lambda env: strategies_for(WarehouseInputs, prefix="wh"),
    updates=[Mutation("size", st.sampled_from(["MEDIUM", "large"]))],
    replaces=[Mutation("name", names("wh")), Mutation("owner", st.just("orgadmin"))],
    invalid=[
        Invalid("size", lambda i: {**i, "size": "HUGE"}, "an unknown size"),
        Invalid("name", lambda i: {k: v for k, v in i.items() if k != "name"}, "no name"),
    ],
    drop=lambda server, outputs: run_sql(server, f'DROP WAREHOUSE "{outputs["name"]}";'),
)


def test_the_package_holds_the_documented_kind_verbatim() -> None:
    documented = re.search(
        r"```python\n# my_package/warehouse.py[^\n]*\n(.*?)```", DOC.read_text(), re.S
    )
    assert documented is not None
    packaged = (PACKAGE / "provider.py").read_text().split("\n", 1)[1]
    assert packaged == documented.group(1)


def test_the_third_party_kind_keeps_the_contract(
    corp_provider: ProviderProcess, server: LocalServer
) -> None:
    check_contract(WAREHOUSE, provider=corp_provider, server=server, examples=3)


def test_its_lookups_answer_through_the_provider(
    corp_provider: ProviderProcess, server: LocalServer
) -> None:
    from deltastream_pulumi.testing import Resource, Stack

    stack = Stack(corp_provider)
    name = "wh_lookup_a"
    stack.up([Resource("deltastream:index:Warehouse", "w", {"name": name, "size": "small"})])
    try:
        one = stack.invoke("deltastream:index:getWarehouse", {"name": name})
        assert (one["name"], one["size"], one["owner"]) == (name, "SMALL", "sysadmin")
        listed = stack.invoke("deltastream:index:getWarehouses")["warehouses"]
        assert name in [w["name"] for w in listed]
    finally:
        stack.destroy()
