// Runs compiled doc-block page programs under the real engine, one after the other on one stack
// (Automation API inline program: each page module is required inside the program, and its
// exports are the stack outputs). Prints one JSON line per page (tests/sdks/test_doc_blocks.py).
import * as fs from "fs";
import { LocalWorkspace } from "@pulumi/pulumi/automation";

interface Spec {
    workDir: string;
    config: Record<string, string>;
    programs: { path: string; given?: string }[];
}

async function main(): Promise<void> {
    const spec: Spec = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    let current = "";
    const program = async (): Promise<Record<string, unknown>> => ({ ...require(current) });
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: "docs", projectName: "sdk-test-ts", program },
        { workDir: spec.workDir },
    );
    const config = Object.fromEntries(Object.entries(spec.config).map(([k, v]) => [k, { value: v }]));
    await stack.setAllConfig(config);
    for (const p of spec.programs) {
        const result: { ok: boolean; outputs?: Record<string, unknown>; error?: string } = { ok: false };
        try {
            if (p.given) {
                current = p.given;  // what the page's lookups find, made just before it
                await stack.up();
            }
            current = p.path;
            const up = await stack.up();
            result.outputs = Object.fromEntries(Object.entries(up.outputs).map(([k, v]) => [k, v.value]));
            await stack.destroy();
            result.ok = true;
        } catch (e) {
            result.error = String(e);
            await stack.destroy().catch(() => undefined);
        }
        console.log(JSON.stringify(result));
    }
}

main().catch(err => {
    console.error(err);
    process.exit(1);
});
