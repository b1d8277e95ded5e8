"""Quickstart: a database and a namespace in DeltaStream, and the lookups that find them.

Runs against the embedded local server (`deltastream:server: local` in Pulumi.dev.yaml), so no
DeltaStream account is needed. Point `deltastream:server` and `deltastream:apiKey` at your
organization to run it for real.
"""

import pulumi
import pulumi_deltastream as deltastream

analytics = deltastream.Database("analytics", name="analytics")

raw = deltastream.Namespace("raw", database=analytics.name, name="raw")

# Lookups run at preview and at up; they read what exists, never change it.
found = deltastream.get_namespace_output(database=raw.database, name=raw.name)
namespaces = deltastream.get_namespaces_output(database=analytics.name)
databases = deltastream.get_databases_output()

pulumi.export("database", analytics.name)
pulumi.export("databaseCreatedAt", analytics.created_at)
pulumi.export("namespaceOwner", found.owner)
pulumi.export("namespaces", namespaces.namespaces.apply(lambda ns: [n.name for n in ns]))
pulumi.export("databaseCount", databases.databases.apply(len))
