"""SQL engine of deltastream-local. ``create_engine`` is implemented by ``engine.executor``."""

from deltastream_local.engine.api import (
    Column,
    Engine,
    EngineOptions,
    Outcome,
    SessionContext,
)

__all__ = ["Column", "Engine", "EngineOptions", "Outcome", "SessionContext", "create_engine"]


def create_engine(data: str, options: EngineOptions | None = None) -> Engine:
    """Open (or create) the catalog at ``data`` (a SQLite path, or ``:memory:``) with every
    installed catalog kind; raises ``catalog.CatalogKindError`` for a broken one."""
    from deltastream_local.engine.executor import SqlEngine

    return SqlEngine(data, options or EngineOptions())
