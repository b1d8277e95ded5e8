"""The kinds around a pipeline: a schema registry, a Kafka store that decodes with it, a topic
(an entity) in that store, a stream reading the topic, a secret, a descriptor source, and a
function source with a Java function in it.

Runs against the embedded local server (`deltastream:server: local`); point
`deltastream:server`/`deltastream:apiKey`, `kafkaUris` and `registryUris` at real systems to
run it for real (and replace `udfs.jar` with a jar of your own functions). Each part is a
small block below, so more kinds are added the same way. See README.md next to this file.
"""

from pathlib import Path

import pulumi
import pulumi_deltastream as deltastream

cfg = pulumi.Config()
HERE = Path(__file__).resolve().parent
TOPIC = "platform_orders"

# -- a schema registry and a Kafka store that names it (created after it, dropped before it)
registry = deltastream.SchemaRegistry(
    "ordersRegistry",
    name="platform_registry",
    confluent=deltastream.SchemaRegistryConfluentArgs(
        uris=cfg.get("registryUris") or "https://registry.example:8081"
    ),
)
kafka = deltastream.Store(
    "platformKafka",
    name="platform_kafka",
    kafka=deltastream.KafkaInputsArgs(
        uris=cfg.get("kafkaUris") or "localhost:9092",
        sasl_hash_function="NONE",
        schema_registry_name=registry.name,
    ),
)

# -- a topic in the store, and a stream on it (the topic name comes from the entity)
orders_topic = deltastream.Entity(
    "ordersTopic",
    store=kafka.name,
    entity_paths=[TOPIC],
    kafka_properties=deltastream.EntityKafkaPropertiesArgs(topic_partitions=3, topic_replicas=1),
)
db = deltastream.Database("platformDb", name="platform_db")
orders = deltastream.DeltaStreamObject(
    "orders",
    database=db.name,
    namespace="public",
    store=kafka.name,
    sql=orders_topic.entity_paths.apply(
        lambda path: (
            "CREATE STREAM orders (order_id VARCHAR, amount BIGINT) "
            f"WITH ('topic'='{path[0]}', 'value.format'='json');"
        )
    ),
)

# -- a secret (its value is never read back; give it with `pulumi config set --secret`)
api_token = deltastream.Secret(
    "ordersApiToken",
    name="platform_orders_token",
    type="generic_string",
    description="token of the orders API",
    string_value=cfg.get_secret("ordersApiToken"),
)

# -- a descriptor source: the protobuf descriptor set next to this program
protos = deltastream.DescriptorSource(
    "ordersProtos",
    name="platform_orders_protos",
    file=str(HERE / "orders.desc"),
    description="protobuf descriptors of the orders topic",
)

# -- a function source (the jar next to this program) and a function in it: `source_name`
# takes the source's `name` output, so the source is created first and dropped last
udfs = deltastream.FunctionSource(
    "ordersUdfs",
    name="platform_udfs",
    file=str(HERE / "udfs.jar"),
    description="string helpers of the orders pipeline",
)
to_upper = deltastream.Function(
    "toUpper",
    name="to_upper",
    source_name=udfs.name,
    class_name="com.example.Upper",
    arguments=[deltastream.FunctionArgumentArgs(name="s", type="VARCHAR")],
    returns="VARCHAR",
)

# -- lookups: the store's topics, and a sample of the orders topic's records
topics = deltastream.get_entities_output(store=orders_topic.store)
sample = deltastream.get_entity_data_output(
    store=orders_topic.store,
    entity_paths=orders_topic.entity_paths,
    from_beginning=True,
    num_rows=5,
)

pulumi.export("registry_state", registry.state)
pulumi.export("store_state", kafka.state)
pulumi.export(
    "topic_partitions", orders_topic.kafka_properties.apply(lambda k: k and k.topic_partitions)
)
pulumi.export("orders_fqn", orders.fqn)
pulumi.export("secret_state", api_token.status)
pulumi.export("descriptor_source_state", protos.status)
pulumi.export("function_source_state", udfs.status)
pulumi.export("function_signature", to_upper.signature)
pulumi.export("topics", topics.child_entities)
pulumi.export("sample_rows", sample.rows)
