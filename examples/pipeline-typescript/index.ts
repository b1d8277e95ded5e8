// A streaming pipeline: Kafka store → page-view stream → per-user changelog (a query) and
// home/other page streams (an application with a virtual stream). Mirrors the official
// provider's query-ts and application-go examples.
import * as pulumi from "@pulumi/pulumi";
import * as deltastream from "@deltastream/pulumi-deltastream";

const cfg = new pulumi.Config();

const db = new deltastream.Database("pipelineDb", { name: "pipeline_db" });
const ns = "public"; // created with the database

const kafka = new deltastream.Store("kafkaStore", {
    name: "pipeline_kafka",
    kafka: { uris: cfg.get("kafkaUris") ?? "localhost:9092", saslHashFunction: "NONE" },
});

function relation(name: string, sql: string): deltastream.DeltaStreamObject {
    return new deltastream.DeltaStreamObject(name, {
        database: db.name, namespace: ns, store: kafka.name, sql,
    });
}

const pageviews = relation("pageviews",
    "CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) WITH ('topic'='pageviews', 'value.format'='json');");
const userCounts = relation("userCounts",
    "CREATE CHANGELOG user_counts (userid VARCHAR, views BIGINT, PRIMARY KEY (userid)) WITH ('topic'='user_counts', 'value.format'='json');");
const homeViews = relation("homeViews",
    "CREATE STREAM home_views (viewtime BIGINT, userid VARCHAR) WITH ('topic'='home_views', 'value.format'='json');");
const otherViews = relation("otherViews",
    "CREATE STREAM other_views (viewtime BIGINT, userid VARCHAR) WITH ('topic'='other_views', 'value.format'='json');");

const counts = new deltastream.Query("userCountsQuery", {
    sourceRelationFqns: [pageviews.fqn],
    sinkRelationFqn: userCounts.fqn,
    sql: pulumi.interpolate`INSERT INTO ${userCounts.fqn} SELECT userid, COUNT(*) AS views FROM ${pageviews.fqn} GROUP BY userid;`,
});

const app = new deltastream.Application("pageviewsApp", {
    sourceRelationFqns: [pageviews.fqn],
    sinkRelationFqns: [homeViews.fqn, otherViews.fqn],
    sql: pulumi.interpolate`BEGIN APPLICATION pageviews_app
  CREATE VIRTUAL STREAM virtual.public.recent AS SELECT * FROM ${pageviews.fqn} WHERE viewtime > 0;
  INSERT INTO ${homeViews.fqn} SELECT viewtime, userid FROM virtual.public.recent WHERE pageid = 'home';
  INSERT INTO ${otherViews.fqn} SELECT viewtime, userid FROM virtual.public.recent WHERE pageid <> 'home';
END APPLICATION;`,
});

// A lookup, run once the relations exist (dependsOn), of every relation in the namespace.
const objects = deltastream.getObjectsOutput(
    { database: db.name, namespace: ns },
    { dependsOn: [pageviews, userCounts, homeViews, otherViews] },
);

export const pageviews_fqn = pageviews.fqn;
// `columns` is in this provider's schema only (this repository's SDK, sdk/nodejs), like getQueries.
export const user_counts_columns = userCounts.columns.apply(cs => cs.map(c => c.name));
export const user_counts_type = userCounts.type;
export const query_id = counts.queryId;
export const query_state = counts.state;
export const app_id = app.applicationId;
export const app_state = app.state;
export const relations = objects.objects.apply(objs => objs.map(o => o.fqn));
export const query_ids = deltastream.getQueriesOutput({}, { dependsOn: [counts, app] })
    .queries.apply(qs => qs.map(q => q.queryId).sort());
