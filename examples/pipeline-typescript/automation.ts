// Runs this program through the real Pulumi CLI without pulumi-language-nodejs, which cannot be
// built from the Go module proxy (docs/reference/pulumi-cli-build.md): the Automation API's
// inline program runs index.ts in this process, serves it as a language runtime and starts the
// real `pulumi` (on PATH) with --client, so the CLI, its engine, the provider plugin (from
// Pulumi.yaml's plugins.providers path) and the state backend are those of `pulumi up`.
//
//     npm run build && node bin/automation.js <stack> preview|up [--expect-no-changes] [--diff]
//
// Exit code 0 on success, 1 when the CLI failed (its output is printed as it runs), 2 on bad
// usage. refresh, destroy and import need no language host: run them with `pulumi` itself.
import * as path from "path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";

async function main(argv: string[]): Promise<number> {
    const [stackName, operation, ...flags] = argv;
    if (!stackName || (operation !== "preview" && operation !== "up")) {
        console.error("usage: node bin/automation.js <stack> preview|up [--expect-no-changes] [--diff]");
        return 2;
    }
    const expectNoChanges = flags.includes("--expect-no-changes");
    const diff = flags.includes("--diff");
    const onOutput = (out: string) => process.stdout.write(out);
    console.log(`No pulumi-language-nodejs here: running index.ts in this process through the ` +
        `Pulumi Automation API (the real \`pulumi ${operation}\`, with --client).`);
    const stack = await LocalWorkspace.createOrSelectStack(
        // index.ts registers its resources when loaded; its exports are the stack's outputs.
        { stackName, projectName: "pipeline-typescript", program: async () => ({ ...(await import("./index")) }) },
        // the project folder (bin/..): Pulumi.yaml (plugin path) and Pulumi.<stack>.yaml (config)
        { workDir: path.resolve(__dirname, "..") },
    );
    try {
        if (operation === "preview") {
            await stack.preview({ onOutput, expectNoChanges, diff });
        } else {
            await stack.up({ onOutput, expectNoChanges, diff });
        }
    } catch (error) {
        // stdout was printed as it came; the error carries the CLI's stderr.
        const text = error instanceof Error ? error.message : String(error);
        const stderr = text.split("\n stderr: ");
        console.error(stderr.length > 1 ? stderr[1].trim() : text);
        return 1;
    }
    return 0;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
        console.error(error instanceof Error ? error.message : String(error));
        process.exit(1);
    },
);
