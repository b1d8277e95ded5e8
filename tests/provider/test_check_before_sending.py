"""Check refuses at preview inputs whose problem the text alone shows (through the real
provider process and a real local server): a DeltaStreamObject whose statement names another
database or namespace than its inputs, even one that does not exist (DESCRIBE's not-found is
skipped, so only the statement's own name can tell); a password in the userinfo of a store's
non-secret uris, pointing at the secret input it belongs in."""

from __future__ import annotations

import pytest

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import CheckFailedError, Resource, Secret, Stack
from deltastream_pulumi.testing.local import run_sql, unique_name

OBJECT = "deltastream:index:DeltaStreamObject"
STORE = "deltastream:index:Store"


def failures(info: pytest.ExceptionInfo[CheckFailedError]) -> dict[str, str]:
    return {f.property: f.reason for f in info.value.failures}


@pytest.mark.parametrize(
    ("name", "failing"),
    [
        ("other_db.public.x", {"database"}),
        ('"other_db"."elsewhere"."x"', {"database", "namespace"}),
        ("elsewhere.x", {"namespace"}),
        ('"Pipe_DB".public.x', {"database"}),  # quoted keeps its case: not pipe_db
    ],
)
def test_a_statement_aimed_elsewhere_fails_at_preview_though_that_place_does_not_exist(
    stack: Stack, local_server: LocalServer, name: str, failing: set[str]
) -> None:
    database = unique_name("pipe_db")
    run_sql(local_server, f'CREATE DATABASE "{database}";')
    sql = f"CREATE STREAM {name.replace('pipe_db', database)} (a VARCHAR) WITH ('topic'='x');"
    inputs = {"database": database, "namespace": "public", "store": "k", "sql": sql}
    with pytest.raises(CheckFailedError) as info:
        stack.preview([Resource(OBJECT, "x", inputs)])
    got = failures(info)
    assert set(got) == failing
    if "database" in got:
        assert repr(database) in got["database"] and "but the sql creates" in got["database"]
    if "namespace" in got:
        assert "'public'" in got["namespace"] and "'elsewhere'" in got["namespace"]


def test_the_inputs_own_database_and_namespace_pass(
    stack: Stack, local_server: LocalServer
) -> None:
    database = unique_name("pipe_db")
    run_sql(local_server, f'CREATE DATABASE "{database}";')
    sql = f"CREATE STREAM \"{database}\".public.x (a VARCHAR) WITH ('topic'='x');"
    inputs = {"database": database, "namespace": "public", "store": "k", "sql": sql}
    stack.preview([Resource(OBJECT, "x", inputs)])  # the missing store "k" is not known yet


#: block → (uris, the password inside it, the secret input the failure must point at)
URIS = {
    "postgres": (
        "postgresql://u:Pg-S3cr3t@db.example.com:5432/db",
        "Pg-S3cr3t",
        "postgres.password",
    ),
    "kafka": ("localhost:9092,user:Kf:S3cr3t@broker:9092", "Kf:S3cr3t", "kafka.saslPassword"),
    "kinesis": (
        "https://key:Kn-S3cr3t@kinesis.us-east-1.amazonaws.com",
        "Kn-S3cr3t",
        "kinesis.secretAccessKey",
    ),
}


@pytest.mark.parametrize("block", sorted(URIS))
def test_a_password_in_non_secret_uris_is_refused_pointing_at_the_secret_input(
    stack: Stack, block: str
) -> None:
    uris, password, secret_input = URIS[block]
    res = Resource(STORE, "s", {"name": unique_name("s"), block: {"uris": uris}})
    with pytest.raises(CheckFailedError) as info:
        stack.preview([res])
    reason = failures(info)[f"{block}.uris"]
    assert "holds a password" in reason and secret_input in reason
    assert password not in reason  # the message must not repeat it
    assert ":***@" in reason


def test_uris_without_a_password_or_marked_secret_are_not_refused(stack: Stack) -> None:
    for uris in ("postgresql://u@db:5432/db", Secret("postgresql://u:pw@db:5432/db")):
        inputs = {"uris": uris, "username": "u", "password": Secret("pw")}
        res = Resource(STORE, "s", {"name": unique_name("s"), "postgres": inputs})
        stack.preview([res])
