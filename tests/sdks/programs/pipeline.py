"""What only this project's Python SDK has: Confluent Kafka and Kinesis stores, the `columns` of
a relation, and `get_queries`; under the real engine against the embedded local server."""

import pulumi
import pulumi_deltastream as ds

db = ds.Database("db", name="sdk_db")
kafka = ds.Store(
    "kafka",
    name="sdk_kafka",
    kafka=ds.KafkaInputsArgs(uris="broker:9092", sasl_hash_function="NONE"),
)
confluent = ds.Store(
    "confluent",
    name="sdk_confluent",
    confluent_kafka=ds.ConfluentKafkaInputsArgs(
        uris="pkc-1.example.confluent.cloud:9092",
        sasl_hash_function="PLAIN",
        sasl_username="api-key",
        sasl_password=pulumi.Output.secret("api-secret"),
    ),
)
kinesis = ds.Store(
    "kinesis",
    name="sdk_kinesis",
    kinesis=ds.KinesisInputsArgs(
        uris="https://kinesis.us-east-1.amazonaws.com", aws_account_id="123456789012"
    ),
)
pageviews = ds.DeltaStreamObject(
    "pageviews",
    database=db.name,
    namespace="public",
    store=kafka.name,
    sql="CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) "
    "WITH ('topic'='pageviews','value.format'='json');",
)
home = ds.DeltaStreamObject(
    "home",
    database=db.name,
    namespace="public",
    store=kafka.name,
    sql="CREATE STREAM home (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) "
    "WITH ('topic'='home','value.format'='json');",
)
query = ds.Query(
    "toHome",
    source_relation_fqns=[pageviews.fqn],
    sink_relation_fqn=home.fqn,
    sql=pulumi.Output.all(home.fqn, pageviews.fqn).apply(
        lambda f: f"INSERT INTO {f[0]} SELECT * FROM {f[1]} WHERE pageid = 'home';"
    ),
)
queries = ds.get_queries_output(opts=pulumi.InvokeOutputOptions(depends_on=[query]))

pulumi.export("store_types", [confluent.type, kinesis.type])
pulumi.export("columns", pageviews.columns.apply(lambda cs: [(c.name, c.type) for c in cs]))
pulumi.export("query_ids", queries.queries.apply(lambda qs: [q.query_id for q in qs]))
pulumi.export("query_id", query.query_id)
pulumi.export("sdk_version", ds._utilities.get_version())
