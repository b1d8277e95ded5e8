// A database, a namespace and a Kinesis store (a store kind only this provider has), with the
// stores this provider sees. Run with `pulumi up` (needs the Java language host) after
// installing this repository's Java SDK and provider (docs/sdks.md).
package quickstart;

import com.pulumi.Context;
import com.pulumi.Pulumi;
import io.deltastream.pulumi.deltastream.deltastream.Database;
import io.deltastream.pulumi.deltastream.deltastream.DatabaseArgs;
import io.deltastream.pulumi.deltastream.deltastream.DeltastreamFunctions;
import io.deltastream.pulumi.deltastream.deltastream.Namespace;
import io.deltastream.pulumi.deltastream.deltastream.NamespaceArgs;
import io.deltastream.pulumi.deltastream.deltastream.Store;
import io.deltastream.pulumi.deltastream.deltastream.StoreArgs;
import io.deltastream.pulumi.deltastream.deltastream.inputs.KinesisInputsArgs;
import java.util.stream.Collectors;

public final class App {
    public static void main(String[] args) {
        Pulumi.run(App::stack);
    }

    public static void stack(Context ctx) {
        var db = new Database("analytics", DatabaseArgs.builder().name("analytics").build());
        var raw = new Namespace("raw", NamespaceArgs.builder().database(db.name()).name("raw").build());
        var clicks = new Store("clicks", StoreArgs.builder()
            .name("clicks_kinesis")
            .kinesis(KinesisInputsArgs.builder()
                .uris("https://kinesis.us-east-1.amazonaws.com")
                .awsAccountId("123456789012")
                .build())
            .build());
        ctx.export("namespace", raw.name());
        ctx.export("clicksType", clicks.type());
        ctx.export("stores", DeltastreamFunctions.getStores().applyValue(
            r -> r.stores().stream().map(s -> s.name()).sorted().collect(Collectors.joining(","))));
    }
}
