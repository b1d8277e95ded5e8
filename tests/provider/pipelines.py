"""Small programs with one resource of every kind, for the fault, crash and soak tests.

A :class:`Group` is one database with a namespace, a Kafka store, three streams, a query and an
application, all named after one prefix; :func:`count` tells how many objects of a kind the
local server really holds for a group (so tests can see lost, duplicated and orphaned ones).
"""

from __future__ import annotations

from dataclasses import dataclass

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import Resource
from deltastream_pulumi.testing.local import run_sql

DATABASE = "deltastream:index:Database"
NAMESPACE = "deltastream:index:Namespace"
STORE = "deltastream:index:Store"
OBJECT = "deltastream:index:DeltaStreamObject"
QUERY = "deltastream:index:Query"
APPLICATION = "deltastream:index:Application"

KINDS = ("database", "namespace", "store", "relation", "query", "application")
#: the statement that creates an object of each kind (a fault ``statement_pattern``; the
#: anchor keeps Check's ``DESCRIBE <statement>`` out)
CREATES = {
    "database": "^CREATE DATABASE",
    "namespace": "^CREATE SCHEMA",
    "store": "^CREATE STORE",
    "relation": "^CREATE STREAM",
    "query": "^INSERT INTO",
    "application": "^BEGIN APPLICATION",
}
#: the lookups that wait for an object of each kind to be ready
LOOKUPS = {
    "database": r'sys\."databases"',
    "namespace": r'sys\."schemas"',
    "store": r'sys\."stores"',
    "relation": r'sys\."relations"',
    "query": r'sys\."queries"',
    "application": r'sys\."queries"',
}
LIVE = ("starting", "running")


def fqn(db: str, name: str) -> str:
    return f'"{db}"."public"."{name}"'


@dataclass
class Group:
    """One resource of every kind, named after ``prefix`` (also the database's name)."""

    prefix: str

    def __post_init__(self) -> None:
        p = self.prefix
        self.db = Resource(DATABASE, f"{p}-db", {"name": p})
        self.namespace = Resource(
            NAMESPACE, f"{p}-ns", {"database": self.db.out("name"), "name": "ns"}
        )
        self.store = Resource(
            STORE,
            f"{p}-store",
            {"name": f"{p}_k", "kafka": {"uris": "localhost:9092", "saslHashFunction": "NONE"}},
        )
        self.src = self._stream("src")
        self.dst = self._stream("dst")
        self.dst2 = self._stream("dst2")
        source = fqn(p, "src")
        self.query = Resource(
            QUERY,
            f"{p}-query",
            {
                "sourceRelationFqns": [self.src.out("fqn")],
                "sinkRelationFqn": self.dst.out("fqn"),
                "sql": self.dst.out(
                    "fqn", lambda sink: f"INSERT INTO {sink} SELECT * FROM {source};"
                ),
            },
        )
        self.application = Resource(
            APPLICATION,
            f"{p}-app",
            {
                "sourceRelationFqns": [self.src.out("fqn")],
                "sinkRelationFqns": [self.dst2.out("fqn")],
                "sql": self.dst2.out(
                    "fqn",
                    lambda sink: (
                        f"BEGIN APPLICATION {p}_app\n"
                        f"  INSERT INTO {sink} SELECT * FROM {source} WHERE userid = 'u';\n"
                        "END APPLICATION;"
                    ),
                ),
            },
        )

    def _stream(self, name: str) -> Resource:
        return Resource(
            OBJECT,
            f"{self.prefix}-{name}",
            {
                "database": self.db.out("name"),
                "namespace": "public",
                "store": self.store.out("name"),
                "sql": f"CREATE STREAM {name} (userid VARCHAR, pageid VARCHAR) "
                f"WITH ('topic'='{self.prefix}_{name}', 'value.format'='json');",
            },
        )

    def resources(self) -> list[Resource]:
        return [
            self.db,
            self.namespace,
            self.store,
            self.src,
            self.dst,
            self.dst2,
            self.query,
            self.application,
        ]

    def target(self, kind: str) -> Resource:
        """The resource of ``kind`` (for relations: the query's sink)."""
        return {
            "database": self.db,
            "namespace": self.namespace,
            "store": self.store,
            "relation": self.dst,
            "query": self.query,
            "application": self.application,
        }[kind]

    def up_to(self, kind: str) -> tuple[list[Resource], Resource]:
        """The resources ``kind``'s target needs (created first), and the target."""
        needs = {
            "database": [],
            "namespace": [self.db],
            "store": [],
            "relation": [self.db, self.store],
            "query": [self.db, self.store, self.src, self.dst],
            "application": [self.db, self.store, self.src, self.dst2],
        }[kind]
        return needs, self.target(kind)


def _one(server: LocalServer, sql: str) -> int:
    return len(run_sql(server, sql))


def count(server: LocalServer, prefix: str, kind: str) -> int:
    """How many objects of ``kind`` the server holds for the group ``prefix`` (live queries
    only: a terminated query is gone for good)."""
    if kind == "database":
        return _one(
            server, f"SELECT name FROM deltastream.sys.\"databases\" WHERE name = '{prefix}';"
        )
    if kind == "namespace":
        return _one(
            server,
            'SELECT name FROM deltastream.sys."schemas" '
            f"WHERE database_name = '{prefix}' AND name = 'ns';",
        )
    if kind == "store":
        return _one(
            server, f"SELECT name FROM deltastream.sys.\"stores\" WHERE name = '{prefix}_k';"
        )
    if kind == "relation":
        return _one(
            server,
            'SELECT name FROM deltastream.sys."relations" '
            f"WHERE database_name = '{prefix}' AND schema_name = 'public';",
        )
    sink = fqn(prefix, "dst" if kind == "query" else "dst2")
    rows = run_sql(server, "LIST QUERIES;")
    # LIST QUERIES: ID, Name, Version, IntendedState, ActualState, Query, …
    return sum(1 for row in rows if sink in str(row[5]) and str(row[4]).lower() in LIVE)


def expected(kind: str) -> int:
    """Objects of ``kind`` a fully created group holds (three streams)."""
    return 3 if kind == "relation" else 1


def census(server: LocalServer, prefixes: list[str]) -> dict[str, dict[str, int]]:
    """``{kind: {prefix: objects}}`` for many groups at once (one statement per kind)."""
    wanted = set(prefixes)
    found: dict[str, dict[str, int]] = {kind: dict.fromkeys(prefixes, 0) for kind in KINDS}

    def tally(kind: str, prefix: str) -> None:
        if prefix in wanted:
            found[kind][prefix] += 1

    for (name,) in run_sql(server, 'SELECT name FROM deltastream.sys."databases";'):
        tally("database", str(name))
    for db, name in run_sql(server, 'SELECT database_name, name FROM deltastream.sys."schemas";'):
        if name == "ns":
            tally("namespace", str(db))
    for (name,) in run_sql(server, 'SELECT name FROM deltastream.sys."stores";'):
        if str(name).endswith("_k"):
            tally("store", str(name)[:-2])
    for (db,) in run_sql(server, 'SELECT database_name FROM deltastream.sys."relations";'):
        tally("relation", str(db))
    for row in run_sql(server, "LIST QUERIES;"):
        if str(row[4]).lower() not in LIVE:
            continue
        for prefix in wanted:
            if fqn(prefix, "dst") in str(row[5]):
                tally("query", prefix)
            elif fqn(prefix, "dst2") in str(row[5]):
                tally("application", prefix)
    return found
