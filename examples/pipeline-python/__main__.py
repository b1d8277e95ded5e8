"""A streaming pipeline: Kafka store → page-view stream → per-user changelog (a query) and
home/other page streams (an application with a virtual stream).

Mirrors the official provider's query and application examples. Runs against the embedded
local server (`deltastream:server: local`); point `deltastream:server`/`deltastream:apiKey`
and `kafkaUris` at real systems to run it for real.
"""

import pulumi
import pulumi_deltastream as deltastream

cfg = pulumi.Config()

db = deltastream.Database("pipelineDb", name="pipeline_db")
ns = "public"  # created with the database

kafka = deltastream.Store(
    "kafkaStore",
    name="pipeline_kafka",
    kafka=deltastream.KafkaInputsArgs(
        uris=cfg.get("kafkaUris") or "localhost:9092", sasl_hash_function="NONE"
    ),
)

# Store kinds only this provider's schema (and this repository's SDK, sdk/python) has.
confluent = deltastream.Store(
    "confluentStore",
    name="pipeline_confluent",
    confluent_kafka=deltastream.ConfluentKafkaInputsArgs(
        uris=cfg.get("confluentUris") or "pkc-00000.us-east-1.aws.confluent.cloud:9092",
        sasl_hash_function="PLAIN",
        sasl_username=cfg.get("confluentKey") or "key",
        sasl_password=cfg.get_secret("confluentSecret") or pulumi.Output.secret("secret"),
    ),
)
kinesis = deltastream.Store(
    "kinesisStore",
    name="pipeline_kinesis",
    kinesis=deltastream.KinesisInputsArgs(
        uris=cfg.get("kinesisUri") or "https://kinesis.us-east-1.amazonaws.com",
        aws_account_id=cfg.get("awsAccountId") or "123456789012",
    ),
)


def relation(name: str, sql: str) -> deltastream.DeltaStreamObject:
    return deltastream.DeltaStreamObject(
        name, database=db.name, namespace=ns, store=kafka.name, sql=sql
    )


pageviews = relation(
    "pageviews",
    "CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) "
    "WITH ('topic'='pageviews', 'value.format'='json');",
)
user_counts = relation(
    "userCounts",
    "CREATE CHANGELOG user_counts (userid VARCHAR, views BIGINT, PRIMARY KEY (userid)) "
    "WITH ('topic'='user_counts', 'value.format'='json');",
)
home_views = relation(
    "homeViews",
    "CREATE STREAM home_views (viewtime BIGINT, userid VARCHAR) "
    "WITH ('topic'='home_views', 'value.format'='json');",
)
other_views = relation(
    "otherViews",
    "CREATE STREAM other_views (viewtime BIGINT, userid VARCHAR) "
    "WITH ('topic'='other_views', 'value.format'='json');",
)

# Interpolating the fqn outputs makes Pulumi order creates and deletes, and replace the
# query when its sink is replaced.
counts = deltastream.Query(
    "userCountsQuery",
    source_relation_fqns=[pageviews.fqn],
    sink_relation_fqn=user_counts.fqn,
    sql=pulumi.Output.format(
        "INSERT INTO {0} SELECT userid, COUNT(*) AS views FROM {1} GROUP BY userid;",
        user_counts.fqn,
        pageviews.fqn,
    ),
)

app = deltastream.Application(
    "pageviewsApp",
    source_relation_fqns=[pageviews.fqn],
    sink_relation_fqns=[home_views.fqn, other_views.fqn],
    sql=pulumi.Output.all(pageviews.fqn, home_views.fqn, other_views.fqn).apply(
        lambda f: (
            f"""BEGIN APPLICATION pageviews_app
  CREATE VIRTUAL STREAM virtual.public.recent AS SELECT * FROM {f[0]} WHERE viewtime > 0;
  INSERT INTO {f[1]} SELECT viewtime, userid FROM virtual.public.recent WHERE pageid = 'home';
  INSERT INTO {f[2]} SELECT viewtime, userid FROM virtual.public.recent WHERE pageid <> 'home';
END APPLICATION;"""
        )
    ),
)

# A lookup, run once the relations exist (depends_on), of every relation in the namespace.
objects = deltastream.get_objects_output(
    database=db.name,
    namespace=ns,
    opts=pulumi.InvokeOutputOptions(depends_on=[pageviews, user_counts, home_views, other_views]),
)
queries = deltastream.get_queries_output(opts=pulumi.InvokeOutputOptions(depends_on=[counts, app]))

pulumi.export("pageviews_fqn", pageviews.fqn)
# `columns` (in declared order) is in this provider's schema only, like getQueries.
pulumi.export("user_counts_columns", user_counts.columns.apply(lambda cs: [c.name for c in cs]))
pulumi.export("user_counts_type", user_counts.type)
pulumi.export("query_id", counts.query_id)
pulumi.export("query_state", counts.state)
pulumi.export("app_id", app.application_id)
pulumi.export("app_state", app.state)
pulumi.export("relations", objects.objects.apply(lambda objs: [o.fqn for o in objs]))
pulumi.export("store_types", [confluent.type, kinesis.type])
pulumi.export("query_ids", queries.queries.apply(lambda qs: sorted(q.query_id for q in qs)))
