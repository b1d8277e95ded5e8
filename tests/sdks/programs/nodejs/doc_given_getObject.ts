// What docs/functions/getObject.md's lookups find: the stream analytics.public.pageviews.
import * as deltastream from "@deltastream/pulumi-deltastream";

const db = new deltastream.Database("analytics", { name: "analytics" });
const kafka = new deltastream.Store("kafka", {
    name: "analytics_kafka",
    kafka: { uris: "broker:9092", saslHashFunction: "NONE" },
});
new deltastream.DeltaStreamObject("pageviews", {
    database: db.name,
    namespace: "public",
    store: kafka.name,
    sql: "CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) WITH ('topic'='pageviews','value.format'='json');",
});
