"""Property tests: arbitrary text in store properties reaches the catalog byte-for-byte and
never changes the statement's shape (no SQL injection), against a real deltastream-local.

Example counts are modest by default; raise them with STORE_HYPOTHESIS_EXAMPLES.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_store_support import BLOCKS, describe, drive, store_rows

from deltastream_core.model import structure
from deltastream_core.sql import name_problem
from deltastream_local.testing import LocalServer
from deltastream_plugins.store.kind import StoreKind
from deltastream_plugins.store.models import StoreInputs

KIND = StoreKind()
EXAMPLES = int(os.environ.get("STORE_HYPOTHESIS_EXAMPLES", "15"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: any text but lone surrogates (not encodable as UTF-8, so not a string on the wire)
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]),
    min_size=1,
    max_size=40,
)
#: SQL-shaped text is the interesting case: make it likely
NASTY = st.one_of(
    TEXT,
    st.sampled_from(
        [
            "'",
            "''",
            "\\",
            "\\'",
            '\'); DROP STORE "victim"; --',
            "' , 'type' = KAFKA, 'x' = '",
            "a\nb\r\nc\t",
            "\u00e9\u6771\u897f\U0001f600",
            "/* */ -- ;",
            '"quoted"',
        ]
    ),
    st.builds(lambda a, b: f"{a}'{b}", TEXT, TEXT),
)
NAMES = TEXT.filter(lambda s: name_problem(s) is None)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as started:
        yield started


@pytest.fixture(scope="module")
def victim(server: LocalServer) -> str:
    values = BLOCKS["postgres"][0]
    inputs = structure(StoreInputs, {"name": "victim", "postgres": values})
    drive(server, lambda ctx: KIND.create(ctx, inputs))
    return "victim"


@SETTINGS
@given(name=NAMES, account=NASTY, warehouse=NASTY)
def test_snowflake_values_reach_the_catalog_verbatim(
    server: LocalServer, victim: str, name: str, account: str, warehouse: str
) -> None:
    before = {r["name"] for r in store_rows(server)}
    if name in before:
        return
    values = {**BLOCKS["snowflake"][0], "accountId": account, "warehouseName": warehouse}
    inputs = structure(StoreInputs, {"name": name, "snowflake": values})
    out = drive(server, lambda ctx: KIND.create(ctx, inputs))
    try:
        details = json.loads(describe(server, name)["details"])
        assert details["account_id"] == account
        assert details["warehouse_name"] == warehouse
        after = {r["name"] for r in store_rows(server)}
        assert after == before | {name}  # exactly one new store, the victim untouched
    finally:
        drive(server, lambda ctx: KIND.delete(ctx, name, out))
    assert {r["name"] for r in store_rows(server)} == before


@SETTINGS
@given(registry=NASTY, new_registry=NASTY)
def test_kafka_registry_name_round_trips_through_create_and_update(
    server: LocalServer, victim: str, registry: str, new_registry: str
) -> None:
    base = {**BLOCKS["kafka"][0], "schemaRegistryName": registry}
    inputs = structure(StoreInputs, {"name": "prop kafka", "kafka": base})
    out = drive(server, lambda ctx: KIND.create(ctx, inputs))
    try:
        assert describe(server, "prop kafka")["schema_registry_name"] == registry
        news = structure(
            StoreInputs,
            {"name": "prop kafka", "kafka": {**base, "schemaRegistryName": new_registry}},
        )
        out = drive(server, lambda ctx: KIND.update(ctx, "prop kafka", out, news))
        assert describe(server, "prop kafka")["schema_registry_name"] == new_registry
        assert victim in {r["name"] for r in store_rows(server)}
    finally:
        drive(server, lambda ctx: KIND.delete(ctx, "prop kafka", out))
