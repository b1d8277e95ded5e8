// Runs the Go doc-block page programs (pages.go, written by tests/sdks/test_doc_blocks.py from
// the docs) under the real engine, one after the other on one stack (Automation API inline
// programs). Prints one JSON line per page. Built with the module of ../go (its go.mod, go.sum).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	deltastream "github.com/deltastreaminc/pulumi-deltastream/sdk/go/pulumi-deltastream"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type page struct {
	name  string
	run   pulumi.RunFunc
	given pulumi.RunFunc // what the page's lookups find, made just before it
}

// standins make what fragments use without defining it, under the names the docs use.
type standins struct {
	ctx   *pulumi.Context
	db    *deltastream.Database
	kafka *deltastream.Store
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func (s *standins) database() *deltastream.Database {
	if s.db == nil {
		s.db = must(deltastream.NewDatabase(s.ctx, "docDb", &deltastream.DatabaseArgs{Name: pulumi.String("doc_db")}))
		s.kafka = must(deltastream.NewStore(s.ctx, "docKafka", &deltastream.StoreArgs{
			Name:  pulumi.String("doc_kafka"),
			Kafka: &deltastream.KafkaInputsArgs{Uris: pulumi.String("broker:9092"), SaslHashFunction: pulumi.String("NONE")},
		}))
	}
	return s.db
}

func (s *standins) stream(name string) *deltastream.DeltaStreamObject {
	db := s.database()
	return must(deltastream.NewDeltaStreamObject(s.ctx, name, &deltastream.DeltaStreamObjectArgs{
		Database:  db.Name,
		Namespace: pulumi.String("public"),
		Store:     s.kafka.Name,
		Sql: pulumi.String(fmt.Sprintf("CREATE STREAM %s (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) "+
			"WITH ('topic'='%s','value.format'='json');", name, name)),
	}))
}

func givenGetObject(ctx *pulumi.Context) error {
	db, err := deltastream.NewDatabase(ctx, "analytics", &deltastream.DatabaseArgs{Name: pulumi.String("analytics")})
	if err != nil {
		return err
	}
	kafka, err := deltastream.NewStore(ctx, "kafka", &deltastream.StoreArgs{
		Name:  pulumi.String("analytics_kafka"),
		Kafka: &deltastream.KafkaInputsArgs{Uris: pulumi.String("broker:9092"), SaslHashFunction: pulumi.String("NONE")},
	})
	if err != nil {
		return err
	}
	_, err = deltastream.NewDeltaStreamObject(ctx, "pageviews", &deltastream.DeltaStreamObjectArgs{
		Database:  db.Name,
		Namespace: pulumi.String("public"),
		Store:     kafka.Name,
		Sql: pulumi.String("CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) " +
			"WITH ('topic'='pageviews','value.format'='json');"),
	})
	return err
}

func main() {
	ctx := context.Background()
	var config map[string]string
	if err := json.Unmarshal([]byte(os.Getenv("SDK_TEST_CONFIG")), &config); err != nil {
		panic(err)
	}
	var current pulumi.RunFunc
	program := func(c *pulumi.Context) error { return current(c) }
	stack, err := auto.UpsertStackInlineSource(ctx, "docs", "sdk-test-go", program,
		auto.WorkDir(os.Getenv("SDK_TEST_WORK_DIR")))
	if err != nil {
		panic(err)
	}
	for k, v := range config {
		if err := stack.SetConfig(ctx, k, auto.ConfigValue{Value: v}); err != nil {
			panic(err)
		}
	}
	for _, p := range pages {
		result := map[string]any{"page": p.name, "ok": false}
		func() {
			defer func() {
				if r := recover(); r != nil {
					result["error"] = fmt.Sprint(r)
				}
				_, _ = stack.Destroy(ctx)
			}()
			if p.given != nil {
				current = p.given
				if _, err := stack.Up(ctx); err != nil {
					result["error"] = err.Error()
					return
				}
			}
			current = p.run
			up, err := stack.Up(ctx)
			if err != nil {
				result["error"] = err.Error()
				return
			}
			outputs := map[string]any{}
			for k, v := range up.Outputs {
				outputs[k] = v.Value
			}
			result["outputs"] = outputs
			result["ok"] = true
		}()
		line, _ := json.Marshal(result)
		fmt.Println(string(line))
	}
}
