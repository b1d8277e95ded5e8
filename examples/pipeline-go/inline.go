//go:build inline

// Runs program (program.go) through the real Pulumi CLI without pulumi-language-go, which
// cannot be built from the Go module proxy (docs/reference/pulumi-cli-build.md): the
// Automation API's inline program runs it in this process, serves it as a language runtime
// and starts the real `pulumi` (on PATH) with --client, so the CLI, its engine, the provider
// plugin (Pulumi.yaml's plugins.providers path) and the state backend are those of `pulumi up`.
//
//	go build -tags inline -o inline . && ./inline <stack> preview|up [--expect-no-changes] [--diff]
//
// Run it from this folder. Exit code 0 on success, 1 when the CLI failed (its output is printed
// as it runs), 2 on bad usage. refresh, destroy and import need no language host: run them with
// `pulumi` itself.
package main

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) < 2 || (args[1] != "preview" && args[1] != "up") {
		fmt.Fprintln(os.Stderr, "usage: ./inline <stack> preview|up [--expect-no-changes] [--diff]")
		return 2
	}
	stackName, operation, flags := args[0], args[1], args[2:]
	expectNoChanges, diff := slices.Contains(flags, "--expect-no-changes"), slices.Contains(flags, "--diff")
	fmt.Printf("No pulumi-language-go here: running program.go in this process through the Pulumi "+
		"Automation API (the real `pulumi %s`, with --client).\n", operation)
	ctx := context.Background()
	workDir, err := os.Getwd() // the project folder: Pulumi.yaml and Pulumi.<stack>.yaml
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	stack, err := auto.UpsertStackInlineSource(ctx, stackName, "pipeline-go", program, auto.WorkDir(workDir))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if operation == "preview" {
		opts := []optpreview.Option{optpreview.ProgressStreams(os.Stdout)}
		if expectNoChanges {
			opts = append(opts, optpreview.ExpectNoChanges())
		}
		if diff {
			opts = append(opts, optpreview.Diff())
		}
		_, err = stack.Preview(ctx, opts...)
	} else {
		opts := []optup.Option{optup.ProgressStreams(os.Stdout)}
		if expectNoChanges {
			opts = append(opts, optup.ExpectNoChanges())
		}
		if diff {
			opts = append(opts, optup.Diff())
		}
		_, err = stack.Up(ctx, opts...)
	}
	if err != nil {
		// The progress was streamed to stdout; the error carries the CLI's stderr.
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
