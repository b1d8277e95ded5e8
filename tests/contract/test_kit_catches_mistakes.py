"""The contract kit can fail: a declaration that contradicts a kind's real behaviour is
reported as the law it breaks (real provider process, real deltastream-local)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import strategies as st

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import ProviderProcess
from deltastream_pulumi.testing.contract import (
    ContractViolation,
    Invalid,
    KindContract,
    Mutation,
    check_contract,
    names,
)


def _nothing(server: LocalServer, outputs: Mapping[str, Any]) -> None:
    """A 'drop' that drops nothing."""


def _database(**declared: Any) -> KindContract:
    return KindContract(
        token="deltastream:index:Database",
        inputs=lambda env: st.fixed_dictionaries({"name": names("db")}),
        **declared,
    )


def _store(**declared: Any) -> KindContract:
    kafka = {"uris": "localhost:9092", "saslHashFunction": "NONE"}
    return KindContract(
        token="deltastream:index:Store",
        inputs=lambda env: st.fixed_dictionaries({"name": names("st"), "kafka": st.just(kafka)}),
        **declared,
    )


@pytest.mark.parametrize(
    ("contract", "law"),
    [
        (
            _database(updates=[Mutation("name", names("db"))]),
            "in-place property updates in place: changing 'name' planned replace",
        ),
        (
            _store(
                replaces=[
                    Mutation("kafka", st.just({"uris": "other:9092", "saslHashFunction": "NONE"}))
                ]
            ),
            "replace-on-change property plans a replacement: changing 'kafka' planned update",
        ),
        (
            _database(invalid=[Invalid("name", lambda i: i, "an ordinary name")]),
            "invalid input fails Check: an ordinary name passed Check",
        ),
        (
            _database(invalid=[Invalid("owner", lambda i: {**i, "name": ""}, "no name")]),
            "invalid input names its property: no name: Check failed on ['name'], not 'owner'",
        ),
        (_database(drop=_nothing), "refresh drops what was dropped out of band"),
    ],
    ids=["update-is-replace", "replace-is-update", "valid-as-invalid", "wrong-property", "drop"],
)
def test_a_wrong_declaration_is_the_law_it_breaks(
    contract: KindContract, law: str, provider: ProviderProcess, local_server: LocalServer
) -> None:
    with pytest.raises(ContractViolation) as info:
        check_contract(contract, provider=provider, server=local_server, examples=1)
    assert law in str(info.value)
    assert str(info.value).startswith(contract.token)
