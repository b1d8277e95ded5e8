// The Java SDK under the real engine: an Automation API inline program (no Java language host can
// be built here) with what only this project's SDK has, against the embedded local server. It
// prints the stack outputs, one "name=value" line each (tests/sdks).
package sdktest;

import com.pulumi.Context;
import com.pulumi.automation.ConfigValue;
import com.pulumi.automation.LocalWorkspace;
import com.pulumi.automation.LocalWorkspaceOptions;
import com.pulumi.automation.WorkspaceStack;
import com.pulumi.core.Output;
import io.deltastream.pulumi.deltastream.deltastream.Database;
import io.deltastream.pulumi.deltastream.deltastream.DatabaseArgs;
import io.deltastream.pulumi.deltastream.deltastream.DeltaStreamObject;
import io.deltastream.pulumi.deltastream.deltastream.DeltaStreamObjectArgs;
import io.deltastream.pulumi.deltastream.deltastream.DeltastreamFunctions;
import io.deltastream.pulumi.deltastream.deltastream.Store;
import io.deltastream.pulumi.deltastream.deltastream.StoreArgs;
import io.deltastream.pulumi.deltastream.deltastream.inputs.ConfluentKafkaInputsArgs;
import io.deltastream.pulumi.deltastream.deltastream.inputs.KinesisInputsArgs;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

public final class App {
    static void program(Context ctx) {
        var db = new Database("db", DatabaseArgs.builder().name("java_db").build());
        var kinesis = new Store("kinesis", StoreArgs.builder()
            .name("java_kinesis")
            .kinesis(KinesisInputsArgs.builder()
                .uris("https://kinesis.us-east-1.amazonaws.com")
                .awsAccountId("123456789012")
                .build())
            .build());
        var confluent = new Store("confluent", StoreArgs.builder()
            .name("java_confluent")
            .confluentKafka(ConfluentKafkaInputsArgs.builder()
                .uris("pkc-1.example.confluent.cloud:9092")
                .saslHashFunction("PLAIN")
                .saslUsername("api-key")
                .saslPassword(Output.ofSecret("api-secret"))
                .build())
            .build());
        var stream = new DeltaStreamObject("pageviews", DeltaStreamObjectArgs.builder()
            .database(db.name())
            .namespace("public")
            .store(kinesis.name())
            .sql("CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR) "
                + "WITH ('topic'='pageviews','value.format'='json');")
            .build());
        var queries = DeltastreamFunctions.getQueries();
        ctx.export("storeTypes", Output.all(kinesis.type(), confluent.type())
            .applyValue(ts -> String.join(",", ts)));
        ctx.export("columns", stream.columns()
            .applyValue(cs -> cs.stream().map(c -> c.name()).collect(Collectors.joining(","))));
        ctx.export("queryCount", queries.applyValue(r -> r.queries().size()));
    }

    /** Runs {@link #program}, or the static {@code stack(Context)} of the class named by args[0]
     * (an example's program, which `pulumi up` would run through the Java language host). */
    public static void main(String[] args) throws Exception {
        var options = LocalWorkspaceOptions.builder()
            .workDir(Path.of(System.getenv("SDK_TEST_WORK_DIR")))
            .build();
        Consumer<Context> program = App::program;
        if (args.length > 0) {
            Method stack = Class.forName(args[0]).getMethod("stack", Context.class);
            program = ctx -> {
                try {
                    stack.invoke(null, ctx);
                } catch (ReflectiveOperationException e) {
                    throw new RuntimeException(e);
                }
            };
        }
        WorkspaceStack stack = LocalWorkspace.createOrSelectStack(
            "sdk-test-java", "test", program, options);
        stack.setConfig("deltastream:server", new ConfigValue("local"));
        var up = stack.up();
        Map<String, Object> outputs = new TreeMap<>();
        up.outputs().forEach((k, v) -> outputs.put(k, v.value()));
        stack.destroy();
        outputs.forEach((k, v) -> System.out.println(k + "=" + v));
        System.exit(0);
    }
}
