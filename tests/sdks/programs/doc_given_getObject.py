# What docs/functions/getObject.md's lookups find: the stream analytics.public.pageviews.
import pulumi_deltastream as deltastream

db = deltastream.Database("analytics", name="analytics")
kafka = deltastream.Store(
    "kafka",
    name="analytics_kafka",
    kafka=deltastream.KafkaInputsArgs(uris="broker:9092", sasl_hash_function="NONE"),
)
deltastream.DeltaStreamObject(
    "pageviews",
    database=db.name,
    namespace="public",
    store=kafka.name,
    sql="CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) "
    "WITH ('topic'='pageviews','value.format'='json');",
)
