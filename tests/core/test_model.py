"""Wire conversion of models: camelCase names, secrets, string-typed scalars, secret paths."""

from typing import ClassVar

import attrs
import cattrs
import pytest

from deltastream_core.model import (
    ANY_ITEM,
    output,
    prop,
    secret_paths,
    structure,
    unstructure,
)
from deltastream_core.secrets import Secret


@attrs.frozen
class Kafka:
    TYPE_TOKEN: ClassVar[str] = "test:index:Kafka"
    uris: str = prop("uris")
    sasl_password: Secret | None = prop("password", default=None, secret=True)
    tls_disabled: bool | None = prop("tls", default=None)


@attrs.frozen
class Outputs:
    name: str = prop("name")
    kafka: Kafka | None = prop("kafka", default=None)
    query_version: int | None = output("version")
    source_relation_fqns: list[str] = prop("sources", factory=list)


def test_structure_uses_camel_case_and_parses_engine_scalars() -> None:
    out = structure(
        Outputs,
        {
            "name": "n",
            "kafka": {"uris": "h:9092", "saslPassword": "pw", "tlsDisabled": "true"},
            "queryVersion": 3.0,
            "sourceRelationFqns": ["a"],
        },
    )
    assert out.kafka is not None and out.kafka.tls_disabled is True
    assert out.query_version == 3
    assert isinstance(out.kafka.sasl_password, Secret)
    assert "pw" not in repr(out)


def test_unstructure_reveals_secrets_and_drops_nones() -> None:
    out = Outputs("n", Kafka("h", Secret("pw")))
    assert unstructure(out) == {
        "name": "n",
        "kafka": {"uris": "h", "saslPassword": "pw"},
        "sourceRelationFqns": [],
    }


def test_secret_paths_reach_into_nested_models() -> None:
    assert secret_paths(Outputs) == {("kafka", "saslPassword")}


def test_wrong_scalar_types_are_rejected() -> None:
    with pytest.raises(cattrs.BaseValidationError):
        structure(Outputs, {"name": 1})
    with pytest.raises(cattrs.BaseValidationError):
        structure(Outputs, {"name": "n", "queryVersion": 1.5})


def test_secret_never_prints() -> None:
    secret = Secret("hunter2")
    assert "hunter2" not in f"{secret} {secret!r}"
    assert secret.reveal() == "hunter2"


@attrs.frozen
class Listing:
    stores: list[Kafka] = output("stores", default=attrs.Factory(list))
    by_name: dict[str, Kafka] | None = output("by name")


def test_secret_paths_reach_into_lists_and_maps_of_models() -> None:
    assert secret_paths(Listing) == {
        ("stores", ANY_ITEM, "saslPassword"),
        ("byName", ANY_ITEM, "saslPassword"),
    }
