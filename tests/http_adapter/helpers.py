"""Statements the suite sends (databases are the simplest object the local server has)."""

from __future__ import annotations

from deltastream_core.ports import EffectProbe, Statement, StatementContext

CONTEXT = StatementContext()


def database_exists(name: str) -> Statement:
    return Statement.read(f"SELECT name FROM deltastream.sys.\"databases\" WHERE name = '{name}';")


def create_database(name: str, *, probe: bool = True) -> Statement:
    """CREATE DATABASE, with the effect probe a lifecycle would attach (``probe=False``: none)."""
    return Statement(
        f'CREATE DATABASE "{name}";',
        probe=EffectProbe(database_exists(name)) if probe else None,
    )


def drop_database(name: str) -> Statement:
    return Statement(
        f'DROP DATABASE "{name}";',
        probe=EffectProbe(database_exists(name), applied_if_rows=False),
    )


def list_databases() -> Statement:
    return Statement.read('SELECT name FROM deltastream.sys."databases" ORDER BY name;')
