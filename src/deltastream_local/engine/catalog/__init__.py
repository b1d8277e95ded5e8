"""The catalog: its kinds (one module per kind, loaded from the ``deltastream_local.catalog``
entry-point group), their tables (``tables/``) and the registry that merges them."""

from deltastream_local.engine.catalog.registry import (
    DISABLED_ENV,
    ENTRY_POINT_GROUP,
    CatalogKindError,
    LoadedKind,
    Registry,
    default_registry,
)

__all__ = [
    "DISABLED_ENV",
    "ENTRY_POINT_GROUP",
    "CatalogKindError",
    "LoadedKind",
    "Registry",
    "default_registry",
]
