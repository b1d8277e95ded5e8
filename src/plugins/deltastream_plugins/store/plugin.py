"""Entry point of the ``store`` plugin: the Store kind and the getStore/getStores functions."""

from __future__ import annotations

from deltastream_core import hookimpl
from deltastream_core.registry import Registry
from deltastream_plugins.store.kind import StoreKind
from deltastream_plugins.store.lookups import GetStore, GetStores


@hookimpl
def deltastream_register_resource_kinds(registry: Registry) -> None:
    registry.add_kind(StoreKind())


@hookimpl
def deltastream_register_functions(registry: Registry) -> None:
    registry.add_function(GetStore())
    registry.add_function(GetStores())
