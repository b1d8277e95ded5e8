"""Every built-in kind keeps the lifecycle laws of the contract kit (real provider process,
real deltastream-local, hypothesis-generated inputs)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from deltastream_local.testing import LocalServer
from deltastream_plugins.compute_pool import ComputePoolInputs
from deltastream_plugins.database import DatabaseInputs
from deltastream_plugins.descriptor_source import DescriptorSourceInputs
from deltastream_plugins.function_source import FunctionSourceInputs
from deltastream_plugins.namespace import NamespaceInputs
from deltastream_plugins.schema_registry import SchemaRegistryInputs
from deltastream_plugins.secret import SecretInputs
from deltastream_pulumi.testing import EngineLogServer, ProviderProcess, Resource, Secret
from deltastream_pulumi.testing.contract import (
    Invalid,
    KindContract,
    Mutation,
    check_contract,
    names,
    strategies_for,
)
from deltastream_pulumi.testing.local import run_sql, unique_name

Env = Mapping[str, Mapping[str, Any]]


def _drop(statement: str) -> Any:
    def drop(server: LocalServer, outputs: Mapping[str, Any]) -> None:
        run_sql(server, statement.format(**outputs))

    return drop


def _database() -> KindContract:
    return KindContract(
        token="deltastream:index:Database",
        inputs=lambda env: strategies_for(DatabaseInputs, prefix="db"),
        replaces=[Mutation("name", names("db"))],
        invalid=[Invalid("name", lambda i: {**i, "name": ""}, "an empty name")],
        drop=_drop('DROP DATABASE "{name}";'),
    )


def _namespace() -> KindContract:
    db = unique_name("nsdb")
    return KindContract(
        token="deltastream:index:Namespace",
        prerequisites=lambda: [Resource("deltastream:index:Database", "db", {"name": db})],
        # the database refers to the prerequisite: the one input to say
        inputs=lambda env: strategies_for(
            NamespaceInputs, {"database": st.just(env["db"]["name"])}, prefix="ns"
        ),
        replaces=[Mutation("name", names("ns"))],
        invalid=[Invalid("database", lambda i: {**i, "database": ""}, "no database")],
        drop=_drop('DROP SCHEMA "{database}"."{name}";'),
    )


def _kafka(uris: str) -> dict[str, Any]:
    return {"uris": uris, "saslHashFunction": "NONE"}


def _store() -> KindContract:
    uris = st.sampled_from(["localhost:9092", "broker-1:9092,broker-2:9092"])
    return KindContract(
        token="deltastream:index:Store",
        inputs=lambda env: st.fixed_dictionaries(
            {"name": names("store"), "kafka": uris.map(_kafka)}
        ),
        updates=[Mutation("kafka", st.just(_kafka("localhost:19092")))],
        replaces=[Mutation("name", names("store"))],
        invalid=[Invalid("name", lambda i: {k: v for k, v in i.items() if k != "name"})],
        drop=_drop('DROP STORE "{name}";'),
    )


def _databricks(warehouse: str, port: int | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "uris": "https://dbc-1.cloud.databricks.com",
        "appToken": Secret("dapi-contract-5f1"),
        "warehouseId": warehouse,
        "accessKeyId": Secret("AKIACONTRACT3b7"),
        "secretAccessKey": Secret("contract-aws-9e2"),
        "cloudS3Bucket": "staging",
        "cloudRegion": "AWS us-west-2",
    }
    return block if port is None else {**block, "warehousePort": port}


def _store_databricks() -> KindContract:
    """An experimental store type: a required secret, a bare number, DESCRIBE details."""
    ports = st.one_of(st.none(), st.integers(1, 65535))
    return KindContract(
        token="deltastream:index:Store",
        inputs=lambda env: st.fixed_dictionaries(
            {"name": names("dbx"), "databricks": st.builds(_databricks, names("wh"), ports)}
        ),
        updates=[Mutation("databricks", st.just(_databricks("wh_moved", 8443)))],
        replaces=[Mutation("name", names("dbx"))],
        invalid=[
            Invalid(
                "databricks.appToken",
                lambda i: {**i, "databricks": {**i["databricks"], "appToken": None}},
                "no app token",
            ),
            Invalid(
                "databricks.warehousePort",
                lambda i: {**i, "databricks": {**i["databricks"], "warehousePort": 0}},
                "port 0",
            ),
        ],
        drop=_drop('DROP STORE "{name}";'),
        unreadable=(
            "databricks.appToken",
            "databricks.accessKeyId",
            "databricks.secretAccessKey",
        ),
    )


def _store_iceberg_rest() -> KindContract:
    def block(catalog: str) -> dict[str, Any]:
        return {
            "uris": "https://catalog.example.com/api",
            "catalogId": catalog,
            "clientId": "ds",
            "clientSecret": Secret("ice-contract-4d0"),
        }

    return KindContract(
        token="deltastream:index:Store",
        inputs=lambda env: st.fixed_dictionaries(
            {"name": names("ice"), "icebergRest": names("cat").map(block)}
        ),
        updates=[Mutation("icebergRest", st.just({**block("moved"), "clientScope": "ALL"}))],
        replaces=[Mutation("name", names("ice"))],
        invalid=[
            Invalid(
                "icebergRest.clientId",
                lambda i: {**i, "icebergRest": {**i["icebergRest"], "clientId": None}},
            )
        ],
        drop=_drop('DROP STORE "{name}";'),
        unreadable=("icebergRest.clientSecret",),
    )


OWNERS = st.sampled_from(["public", "orgadmin"])


def _database_and_store(db: str) -> list[Resource]:
    return [
        Resource("deltastream:index:Database", "db", {"name": db}),
        Resource(
            "deltastream:index:Store", "kafka", {"name": f"{db}_k", "kafka": _kafka("k:9092")}
        ),
    ]


def _stream_sql(name: str) -> str:
    return (
        f"CREATE STREAM {name} (viewtime BIGINT, userid VARCHAR) "
        f"WITH ('topic'='{name}', 'value.format'='json');"
    )


def _object() -> KindContract:
    db = unique_name("objdb")

    def inputs(env: Env) -> st.SearchStrategy[dict[str, Any]]:
        return st.fixed_dictionaries(
            {
                "database": st.just(env["db"]["name"]),
                "namespace": st.just("public"),
                "store": st.just(env["kafka"]["name"]),
                "sql": names("s").map(_stream_sql),
            }
        )

    return KindContract(
        token="deltastream:index:DeltaStreamObject",
        prerequisites=lambda: _database_and_store(db),
        inputs=inputs,
        updates=[Mutation("owner", OWNERS)],
        replaces=[Mutation("sql", names("s").map(_stream_sql))],
        invalid=[Invalid("sql", lambda i: {**i, "sql": "CREATE STREAM"}, "unparsable sql")],
        drop=_drop('DROP STREAM "{database}"."{namespace}"."{name}";'),
    )


def _with_relations(db: str) -> list[Resource]:
    pre = _database_and_store(db)
    store = pre[1].out("name")
    for name in ("src", "sink"):
        pre.append(
            Resource(
                "deltastream:index:DeltaStreamObject",
                name,
                {"database": db, "namespace": "public", "store": store, "sql": _stream_sql(name)},
                depends_on=[pre[0]],
            )
        )
    return pre


def _query() -> KindContract:
    db = unique_name("qdb")
    conditions = st.sampled_from(["viewtime > 0", "userid <> ''", "viewtime >= 10"])

    def inputs(env: Env) -> st.SearchStrategy[dict[str, Any]]:
        src, sink = env["src"]["fqn"], env["sink"]["fqn"]
        return st.fixed_dictionaries(
            {
                "sourceRelationFqns": st.just([src]),
                "sinkRelationFqn": st.just(sink),
                "sql": conditions.map(
                    lambda where: (
                        f"INSERT INTO {sink} SELECT viewtime, userid FROM {src} WHERE {where};"
                    )
                ),
            }
        )

    return KindContract(
        token="deltastream:index:Query",
        prerequisites=lambda: _with_relations(db),
        inputs=inputs,
        updates=[Mutation("owner", OWNERS)],
        invalid=[Invalid("sql", lambda i: {**i, "sql": "SELECT"}, "not an INSERT INTO")],
        drop=_drop("TERMINATE QUERY {queryId};"),
        # two identical INSERT INTO queries are legal in DeltaStream
        unique=False,
    )


def _application() -> KindContract:
    db = unique_name("appdb")

    def inputs(env: Env) -> st.SearchStrategy[dict[str, Any]]:
        src, sink = env["src"]["fqn"], env["sink"]["fqn"]

        def body(app: str) -> str:
            return (
                f"BEGIN APPLICATION {app}\n"
                f"  INSERT INTO {sink} SELECT viewtime, userid FROM {src};\n"
                "END APPLICATION;"
            )

        return st.fixed_dictionaries(
            {
                "sourceRelationFqns": st.just([src]),
                "sinkRelationFqns": st.just([sink]),
                "sql": names("app").map(body),
            }
        )

    return KindContract(
        token="deltastream:index:Application",
        prerequisites=lambda: _with_relations(db),
        inputs=inputs,
        updates=[Mutation("owner", OWNERS)],
        invalid=[Invalid("sql", lambda i: {**i, "sql": "BEGIN APPLICATION"}, "no body")],
        unique=False,
    )


def _secret() -> KindContract:
    values = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=4)
    return KindContract(
        token="deltastream:index:Secret",
        # all derived: the type from its choices (both cases), the optional description,
        # value and custom properties (their check keeps reserved keys out)
        inputs=lambda env: strategies_for(SecretInputs, prefix="sec"),
        replaces=[
            Mutation("name", names("sec")),
            Mutation("description", st.just("another description")),
            Mutation("stringValue", values.map(Secret)),
        ],
        invalid=[
            Invalid("type", lambda i: {**i, "type": "password"}, "an unknown type"),
            Invalid("customProperties", lambda i: {**i, "customProperties": {"type": "x"}}),
        ],
        drop=_drop('DROP SECRET "{name}";'),
        unreadable=("stringValue", "customProperties"),
    )


def _confluent(uris: str, user: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"uris": uris}
    if user is not None:
        block |= {"username": Secret(user), "password": Secret(f"{user}-pw")}
    return block


def _schema_registry() -> KindContract:
    uris = st.sampled_from(["https://registry:8081", "https://a:8081,https://b:8081"])
    users = st.one_of(st.none(), st.sampled_from(["svc", "it's me"]))
    return KindContract(
        token="deltastream:index:SchemaRegistry",
        # a username needs its password (Check's rule across fields): the block is given
        inputs=lambda env: strategies_for(
            SchemaRegistryInputs,
            {"confluent": st.builds(_confluent, uris, users), "confluentCloud": None},
            prefix="sr",
        ),
        updates=[Mutation("confluent", st.just(_confluent("https://moved:8081", "rotated")))],
        replaces=[Mutation("name", names("sr"))],
        invalid=[
            Invalid("", lambda i: {"name": i["name"]}, "no type block"),
            Invalid(
                "confluentCloud.secret",
                lambda i: {"name": i["name"], "confluentCloud": {"uris": "u", "key": "k"}},
                "a cloud registry without its secret",
            ),
        ],
        drop=_drop('DROP SCHEMA_REGISTRY "{name}";'),
        unreadable=("confluent.username", "confluent.password"),
    )


def _drop_entity(server: LocalServer, outputs: Mapping[str, Any]) -> None:
    path = ".".join(f'"{p}"' for p in outputs["entityPaths"])
    run_sql(server, f'DROP ENTITY {path} IN STORE "{outputs["store"]}";')


def _entity() -> KindContract:
    store = unique_name("entk")
    kafka = st.fixed_dictionaries(
        {"topicPartitions": st.integers(1, 8)},
        optional={"topicReplicas": st.integers(1, 3), "configs": st.just({"retention.ms": "1"})},
    )
    return KindContract(
        token="deltastream:index:Entity",
        prerequisites=lambda: [
            Resource(
                "deltastream:index:Store",
                "k",
                {"name": store, "kafka": {"uris": "k:9092", "saslHashFunction": "NONE"}},
            )
        ],
        inputs=lambda env: st.fixed_dictionaries(
            {
                "store": st.just(env["k"]["name"]),
                "entityPaths": st.lists(names("t"), min_size=1, max_size=2),
            },
            optional={"kafkaProperties": kafka},
        ),
        replaces=[
            Mutation("entityPaths", names("t").map(lambda n: [n])),
            Mutation("kafkaProperties", st.just({"topicPartitions": 9})),
        ],
        invalid=[
            Invalid("entityPaths", lambda i: {**i, "entityPaths": []}, "an empty path"),
            Invalid(
                "kafkaProperties.topicPartitions",
                lambda i: {**i, "kafkaProperties": {"topicPartitions": 0}},
                "no partitions",
            ),
        ],
        drop=_drop_entity,
        unreadable=("kafkaProperties.configs",),
    )


def _descriptor_source() -> KindContract:
    folder = Path(tempfile.mkdtemp(prefix="contract-desc-"))
    files = []
    for i in range(3):
        path = folder / f"set{i}.desc"
        path.write_bytes(b"\n\x0e\n\x0corders.proto" + bytes([i]))
        files.append(str(path))
    return KindContract(
        token="deltastream:index:DescriptorSource",
        # the name and the optional description derived; the file is one written above
        inputs=lambda env: strategies_for(
            DescriptorSourceInputs, {"file": st.sampled_from(files)}, prefix="ds"
        ),
        replaces=[
            Mutation("name", names("ds")),
            Mutation("file", st.sampled_from(files)),
            Mutation("description", st.just("another description")),
        ],
        invalid=[
            Invalid("file", lambda i: {**i, "file": str(folder / "missing.desc")}, "no file"),
        ],
        drop=_drop('DROP DESCRIPTOR_SOURCE "{name}";'),
        unreadable=("file",),
    )


def _pool() -> KindContract:
    sizes = st.sampled_from(["small", "MEDIUM", "large"])
    return KindContract(
        token="deltastream:index:ComputePool",
        # the size has a check, not choices: given; the name and timeout derived
        inputs=lambda env: strategies_for(ComputePoolInputs, {"size": sizes}, prefix="pool"),
        updates=[
            Mutation("size", st.just("large")),
            Mutation("timeoutMinutes", st.integers(121, 240)),
        ],
        replaces=[Mutation("name", names("pool"))],
        invalid=[
            Invalid("size", lambda i: {**i, "size": "xl"}, "an unknown size"),
            Invalid("timeoutMinutes", lambda i: {**i, "timeoutMinutes": -1}),
        ],
        drop=_drop('STOP COMPUTE_POOL "{name}"; DROP COMPUTE_POOL "{name}";'),
    )


def _jar(stem: str) -> str:
    """A jar file (any bytes do for deltastream-local) that lives as long as the run."""
    folder = Path(tempfile.mkdtemp(prefix="contract-jars-"))
    path = folder / f"{stem}.jar"
    path.write_bytes(b"PK\x03\x04 " + stem.encode())
    return str(path)


def _function_source() -> KindContract:
    jars = [_jar("udfs"), _jar("udfs-v2")]
    return KindContract(
        token="deltastream:index:FunctionSource",
        inputs=lambda env: strategies_for(
            FunctionSourceInputs, {"file": st.just(jars[0])}, prefix="src"
        ),
        replaces=[
            Mutation("name", names("src")),
            Mutation("file", st.just(jars[1])),
            Mutation("description", st.just("another description")),
        ],
        invalid=[
            Invalid("file", lambda i: {**i, "file": jars[0] + ".missing"}, "a missing jar"),
        ],
        drop=_drop('DROP FUNCTION_SOURCE "{name}";'),
    )


def _function() -> KindContract:
    source = unique_name("fsrc")
    jar = _jar("functions")
    arguments = st.sampled_from(
        [[], [{"name": "s", "type": "varchar"}], [{"name": "a", "type": "ARRAY<INTEGER>"}]]
    )

    def inputs(env: Env) -> st.SearchStrategy[dict[str, Any]]:
        return st.fixed_dictionaries(
            {
                "name": names("fn"),
                "sourceName": st.just(env["src"]["name"]),
                "className": st.sampled_from(["com.example.Upper", "Lower"]),
                "arguments": arguments,
            },
            optional={"returns": st.sampled_from(["VARCHAR", "bigint"])},
        )

    return KindContract(
        token="deltastream:index:Function",
        prerequisites=lambda: [
            Resource("deltastream:index:FunctionSource", "src", {"name": source, "file": jar})
        ],
        inputs=inputs,
        replaces=[
            Mutation("name", names("fn")),
            Mutation("className", st.just("com.example.Other")),
            Mutation("returns", st.just("DOUBLE")),
        ],
        invalid=[
            Invalid("className", lambda i: {**i, "className": "not a class"}),
            Invalid("language", lambda i: {**i, "language": "PYTHON"}, "an unknown language"),
        ],
        drop=_drop("DROP FUNCTION {signature};"),
    )


CONTRACTS = {
    "Entity": _entity,
    "DescriptorSource": _descriptor_source,
    "ComputePool": _pool,
    "FunctionSource": _function_source,
    "Function": _function,
    "SchemaRegistry": _schema_registry,
    "Secret": _secret,
    "Application": _application,
    "DeltaStreamObject": _object,
    "Query": _query,
    "Database": _database,
    "Namespace": _namespace,
    "Store": _store,
    "StoreDatabricks": _store_databricks,
    "StoreIcebergRest": _store_iceberg_rest,
}


@pytest.mark.parametrize("kind", sorted(CONTRACTS))
def test_builtin_kind_keeps_the_contract(
    kind: str, provider: ProviderProcess, local_server: LocalServer, engine_log: EngineLogServer
) -> None:
    check_contract(CONTRACTS[kind](), provider=provider, server=local_server, engine_log=engine_log)
