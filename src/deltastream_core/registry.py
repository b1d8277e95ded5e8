"""Loads plugins from the ``deltastream`` entry-point group and keys them by type token."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

import pluggy

from deltastream_core import hookspecs
from deltastream_core.kinds import Function, ResourceKind

ENTRY_POINT_GROUP = "deltastream"
#: comma-separated entry-point names not to load (built-ins included)
DISABLED_ENV = "DELTASTREAM_DISABLED_PLUGINS"


class DuplicateTokenError(Exception):
    """Two plugins registered the same type token."""


class Registry:
    """Resource kinds and functions by Pulumi token, with the plugin that gave each."""

    def __init__(self) -> None:
        self.kinds: dict[str, ResourceKind[Any, Any]] = {}
        self.functions: dict[str, Function[Any, Any]] = {}
        self.origins: dict[str, str] = {}
        self._current = "<direct>"

    def add_kind(self, kind: ResourceKind[Any, Any]) -> None:
        self._claim(kind.token)
        self.kinds[kind.token] = kind

    def add_function(self, function: Function[Any, Any]) -> None:
        self._claim(function.token)
        self.functions[function.token] = function

    def _claim(self, token: str) -> None:
        if token in self.origins:
            raise DuplicateTokenError(
                f"{token} is registered by both {self.origins[token]!r} and {self._current!r}; "
                f"disable one with {DISABLED_ENV}"
            )
        self.origins[token] = self._current

    def kind(self, token: str) -> ResourceKind[Any, Any]:
        try:
            return self.kinds[token]
        except KeyError:
            known = sorted(self.kinds)
            raise KeyError(f"unknown resource type {token!r}; known: {known}") from None

    def function(self, token: str) -> Function[Any, Any]:
        try:
            return self.functions[token]
        except KeyError:
            raise KeyError(f"unknown function {token!r}; known: {sorted(self.functions)}") from None


def plugin_manager(
    extra_plugins: Iterable[object] = (), *, disabled: Iterable[str] | None = None
) -> pluggy.PluginManager:
    """A fresh manager with the hook specs, the entry-point plugins and ``extra_plugins``."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    if disabled is None:
        disabled = [n.strip() for n in os.environ.get(DISABLED_ENV, "").split(",") if n.strip()]
    for name in disabled:
        pm.set_blocked(name)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in extra_plugins:
        pm.register(plugin, name=getattr(plugin, "__name__", type(plugin).__name__))
    pm.check_pending()
    return pm


def load_registry(
    extra_plugins: Iterable[object] = (), *, disabled: Iterable[str] | None = None
) -> Registry:
    """Build the registry from every loaded plugin; duplicates are an error naming both."""
    pm = plugin_manager(extra_plugins, disabled=disabled)
    dists = {id(plugin): dist.project_name for plugin, dist in pm.list_plugin_distinfo()}
    registry = Registry()
    for hook_name in ("deltastream_register_resource_kinds", "deltastream_register_functions"):
        hook = getattr(pm.hook, hook_name)
        for impl in reversed(hook.get_hookimpls()):
            name = pm.get_name(impl.plugin) or repr(impl.plugin)
            dist = dists.get(id(impl.plugin))
            registry._current = f"{name} ({dist})" if dist else name
            impl.function(registry=registry)
    registry._current = "<direct>"
    return registry


def describe_plugins(pm: pluggy.PluginManager) -> list[dict[str, Any]]:
    """Name, distribution and hooks of each plugin (for ``--list-plugins`` style output)."""
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    out = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None or plugin is sys.modules.get(__name__):
            continue
        dist = dists.get(id(plugin))
        out.append(
            {
                "name": name,
                "distribution": f"{dist.project_name} {dist.version}" if dist else "",
                "hooks": sorted(h.name for h in pm.get_hookcallers(plugin) or []),
            }
        )
    return out
