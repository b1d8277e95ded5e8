// A streaming pipeline: Kafka store → page-view stream → per-user changelog (a query) and
// home/other page streams (an application with a virtual stream). Mirrors the official
// provider's query and application examples. main.go runs it with pulumi.Run (`pulumi up`);
// inline.go runs the same function through the Automation API.
package main

import (
	deltastream "github.com/deltastreaminc/pulumi-deltastream/sdk/go/pulumi-deltastream"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	kafkaUris := cfg.Get("kafkaUris")
	if kafkaUris == "" {
		kafkaUris = "localhost:9092"
	}

	db, err := deltastream.NewDatabase(ctx, "pipelineDb", &deltastream.DatabaseArgs{
		Name: pulumi.String("pipeline_db"),
	})
	if err != nil {
		return err
	}
	ns := pulumi.String("public") // created with the database

	kafka, err := deltastream.NewStore(ctx, "kafkaStore", &deltastream.StoreArgs{
		Name: pulumi.String("pipeline_kafka"),
		Kafka: &deltastream.KafkaInputsArgs{
			Uris:             pulumi.String(kafkaUris),
			SaslHashFunction: pulumi.String("NONE"),
		},
	})
	if err != nil {
		return err
	}

	relation := func(name, sql string) (*deltastream.DeltaStreamObject, error) {
		return deltastream.NewDeltaStreamObject(ctx, name, &deltastream.DeltaStreamObjectArgs{
			Database:  db.Name,
			Namespace: ns,
			Store:     kafka.Name,
			Sql:       pulumi.String(sql),
		})
	}
	pageviews, err := relation("pageviews", `CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR)
		WITH ('topic'='pageviews', 'value.format'='json');`)
	if err != nil {
		return err
	}
	userCounts, err := relation("userCounts", `CREATE CHANGELOG user_counts (userid VARCHAR, views BIGINT, PRIMARY KEY (userid))
		WITH ('topic'='user_counts', 'value.format'='json');`)
	if err != nil {
		return err
	}
	homeViews, err := relation("homeViews", `CREATE STREAM home_views (viewtime BIGINT, userid VARCHAR)
		WITH ('topic'='home_views', 'value.format'='json');`)
	if err != nil {
		return err
	}
	otherViews, err := relation("otherViews", `CREATE STREAM other_views (viewtime BIGINT, userid VARCHAR)
		WITH ('topic'='other_views', 'value.format'='json');`)
	if err != nil {
		return err
	}

	counts, err := deltastream.NewQuery(ctx, "userCountsQuery", &deltastream.QueryArgs{
		SourceRelationFqns: pulumi.StringArray{pageviews.Fqn},
		SinkRelationFqn:    userCounts.Fqn,
		Sql: pulumi.Sprintf("INSERT INTO %s SELECT userid, COUNT(*) AS views FROM %s GROUP BY userid;",
			userCounts.Fqn, pageviews.Fqn),
	})
	if err != nil {
		return err
	}

	app, err := deltastream.NewApplication(ctx, "pageviewsApp", &deltastream.ApplicationArgs{
		SourceRelationFqns: pulumi.StringArray{pageviews.Fqn},
		SinkRelationFqns:   pulumi.StringArray{homeViews.Fqn, otherViews.Fqn},
		Sql: pulumi.Sprintf(`BEGIN APPLICATION pageviews_app
  CREATE VIRTUAL STREAM virtual.public.recent AS SELECT * FROM %s WHERE viewtime > 0;
  INSERT INTO %s SELECT viewtime, userid FROM virtual.public.recent WHERE pageid = 'home';
  INSERT INTO %s SELECT viewtime, userid FROM virtual.public.recent WHERE pageid <> 'home';
END APPLICATION;`, pageviews.Fqn, homeViews.Fqn, otherViews.Fqn),
	})
	if err != nil {
		return err
	}

	ctx.Export("pageviews_fqn", pageviews.Fqn)
	ctx.Export("query_id", counts.QueryId)
	ctx.Export("query_state", counts.State)
	ctx.Export("app_id", app.ApplicationId)
	ctx.Export("app_state", app.State)
	// columns and getQueries are in this provider's schema only (this repository's SDK).
	ctx.Export("user_counts_columns", userCounts.Columns.ApplyT(func(cs []deltastream.ObjectColumn) []string {
		names := []string{}
		for _, c := range cs {
			names = append(names, c.Name)
		}
		return names
	}))
	queries := deltastream.GetQueriesOutput(ctx, deltastream.GetQueriesOutputArgs{}, pulumi.DependsOn([]pulumi.Resource{counts, app}))
	ctx.Export("query_count", queries.Queries().ApplyT(func(qs []deltastream.GetQueryResult) int { return len(qs) }))
	return nil
}
