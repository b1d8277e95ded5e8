// The Node.js SDK under the real engine: an Automation API inline program (no Node.js language
// host can be built here) with what only this project's SDK has, against the embedded local
// server. Compiled with `tsc --strict`; prints the stack outputs as JSON (tests/sdks).
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import * as deltastream from "@deltastream/pulumi-deltastream";

async function program(): Promise<Record<string, pulumi.Output<unknown>>> {
    const db = new deltastream.Database("db", { name: "ts_db" });
    const kinesis = new deltastream.Store("kinesis", {
        name: "ts_kinesis",
        kinesis: { uris: "https://kinesis.us-east-1.amazonaws.com", awsAccountId: "123456789012" },
    });
    const confluent = new deltastream.Store("confluent", {
        name: "ts_confluent",
        confluentKafka: {
            uris: "pkc-1.example.confluent.cloud:9092",
            saslHashFunction: "PLAIN",
            saslUsername: "api-key",
            saslPassword: pulumi.secret("api-secret"),
        },
    });
    const stream = new deltastream.DeltaStreamObject("pageviews", {
        database: db.name,
        namespace: "public",
        store: kinesis.name,
        sql: "CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR) WITH ('topic'='pageviews','value.format'='json');",
    });
    const queries = deltastream.getQueriesOutput({});
    return {
        storeTypes: pulumi.all([kinesis.type, confluent.type]),
        columns: stream.columns.apply((cs: deltastream.types.output.ObjectColumn[]) => cs.map(c => c.name)),
        queryCount: queries.queries.apply(qs => qs.length),
    };
}

async function main(): Promise<void> {
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: "test", projectName: "sdk-test-ts", program },
        { workDir: process.env.SDK_TEST_WORK_DIR },
    );
    await stack.setConfig("deltastream:server", { value: "local" });
    const up = await stack.up();
    const outputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(up.outputs)) {
        outputs[k] = v.value;
    }
    await stack.destroy();
    console.log(JSON.stringify(outputs));
}

main().catch(err => {
    console.error(err);
    process.exit(1);
});
