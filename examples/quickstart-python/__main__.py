"""Quickstart: a database and a namespace in DeltaStream, and the lookups that find them.

Runs against the embedded local server (`deltastream:server: local` in Pulumi.dev.yaml), so no
DeltaStream account is needed. Point `deltastream:server` and `deltastream:apiKey` at your
organization to run it for real.
"""

import pulumi
import pulumi_deltastream as deltastream

analytics = deltastream.Database("analytics", name="analytics")

raw = deltastream.Namespace("raw", database=analytics.name, name="raw")

# Lookups run at preview and at up; they read what exists, never change it. Taking their
# arguments from `raw`'s outputs (or depending on it) makes them run once `raw` exists.
found = deltastream.get_namespace_output(database=raw.database, name=raw.name)
namespaces = deltastream.get_namespaces_output(database=raw.database)
databases = deltastream.get_databases_output(opts=pulumi.InvokeOutputOptions(depends_on=[raw]))

pulumi.export("database", analytics.name)
pulumi.export("databaseCreatedAt", analytics.created_at)
pulumi.export("namespaceOwner", found.owner)
pulumi.export("namespaces", namespaces.namespaces.apply(lambda ns: [n.name for n in ns]))
pulumi.export("databaseCount", databases.databases.apply(len))
