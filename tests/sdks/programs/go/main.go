// The Go SDK under the real engine: an Automation API inline program (no Go language host can be
// built here) with what only this project's SDK has, against the embedded local server. It
// prints the stack outputs as JSON; the SDK tests build, vet and run it (tests/sdks).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	deltastream "github.com/deltastreaminc/pulumi-deltastream/sdk/go/pulumi-deltastream"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func program(ctx *pulumi.Context) error {
	dbName := config.Get(ctx, "dbName") // unset here; the module also serves ../go-docs, which uses config
	if dbName == "" {
		dbName = "go_db"
	}
	db, err := deltastream.NewDatabase(ctx, "db", &deltastream.DatabaseArgs{Name: pulumi.String(dbName)})
	if err != nil {
		return err
	}
	kinesis, err := deltastream.NewStore(ctx, "kinesis", &deltastream.StoreArgs{
		Name: pulumi.String("go_kinesis"),
		Kinesis: &deltastream.KinesisInputsArgs{
			Uris:         pulumi.String("https://kinesis.us-east-1.amazonaws.com"),
			AwsAccountId: pulumi.String("123456789012"),
		},
	})
	if err != nil {
		return err
	}
	confluent, err := deltastream.NewStore(ctx, "confluent", &deltastream.StoreArgs{
		Name: pulumi.String("go_confluent"),
		ConfluentKafka: &deltastream.ConfluentKafkaInputsArgs{
			Uris:             pulumi.String("pkc-1.example.confluent.cloud:9092"),
			SaslHashFunction: pulumi.String("PLAIN"),
			SaslUsername:     pulumi.String("api-key"),
			SaslPassword:     pulumi.ToSecret(pulumi.String("api-secret")).(pulumi.StringOutput),
		},
	})
	if err != nil {
		return err
	}
	stream, err := deltastream.NewDeltaStreamObject(ctx, "pageviews", &deltastream.DeltaStreamObjectArgs{
		Database:  db.Name,
		Namespace: pulumi.String("public"),
		Store:     kinesis.Name,
		Sql: pulumi.String("CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR) " +
			"WITH ('topic'='pageviews','value.format'='json');"),
	})
	if err != nil {
		return err
	}
	queries := deltastream.GetQueriesOutput(ctx, deltastream.GetQueriesOutputArgs{})
	ctx.Export("storeTypes", pulumi.StringArray{kinesis.Type, confluent.Type})
	ctx.Export("columns", stream.Columns.ApplyT(func(cs []deltastream.ObjectColumn) []string {
		names := []string{}
		for _, c := range cs {
			names = append(names, c.Name)
		}
		return names
	}))
	ctx.Export("queryCount", queries.Queries().ApplyT(func(qs []deltastream.GetQueryResult) int { return len(qs) }))
	return nil
}

func main() {
	ctx := context.Background()
	stack, err := auto.UpsertStackInlineSource(ctx, "test", "sdk-test-go", program,
		auto.WorkDir(os.Getenv("SDK_TEST_WORK_DIR")))
	if err != nil {
		fmt.Fprintln(os.Stderr, "stack:", err)
		os.Exit(1)
	}
	if err := stack.SetConfig(ctx, "deltastream:server", auto.ConfigValue{Value: "local"}); err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		os.Exit(1)
	}
	up, err := stack.Up(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "up:", err)
		os.Exit(1)
	}
	outputs := map[string]any{}
	for k, v := range up.Outputs {
		outputs[k] = v.Value
	}
	if _, err := stack.Destroy(ctx, optdestroy.Remove()); err != nil {
		fmt.Fprintln(os.Stderr, "destroy:", err)
		os.Exit(1)
	}
	_ = json.NewEncoder(os.Stdout).Encode(outputs)
}
