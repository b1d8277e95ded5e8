// Stand-ins for what TypeScript doc-block fragments use without defining it (tests/sdks/
// doc_blocks.py). make() is called once per page program, so each program registers its own.
import * as pulumi from "@pulumi/pulumi";
import * as deltastream from "@deltastream/pulumi-deltastream";

export function make() {
    let base: { db: deltastream.Database; kafka: deltastream.Store } | undefined;
    const stream = (name: string): deltastream.DeltaStreamObject => {
        base ??= {
            db: new deltastream.Database("docDb", { name: "doc_db" }),
            kafka: new deltastream.Store("docKafka", {
                name: "doc_kafka",
                kafka: { uris: "broker:9092", saslHashFunction: "NONE" },
            }),
        };
        return new deltastream.DeltaStreamObject(name, {
            database: base.db.name,
            namespace: "public",
            store: base.kafka.name,
            sql: `CREATE STREAM ${name} (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) WITH ('topic'='${name}','value.format'='json');`,
        });
    };
    const query = (): deltastream.Query => {
        const from = stream("q_from");
        const to = stream("q_to");
        return new deltastream.Query("docQuery", {
            sourceRelationFqns: [from.fqn],
            sinkRelationFqn: to.fqn,
            sql: pulumi.interpolate`INSERT INTO ${to.fqn} SELECT * FROM ${from.fqn};`,
        });
    };
    return { stream, query };
}
