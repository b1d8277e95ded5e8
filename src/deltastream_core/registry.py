"""Loads plugins from the ``deltastream`` entry-point group and keys them by type token.

Loading is strict: a plugin that fails to import, defines a hook without ``@hookimpl``, or
registers something that breaks a rule of :mod:`deltastream_core.registration_rules` stops the
load with one :class:`PluginError` naming the plugin, its distribution and the rule. A kind
that registered but could never work (unreachable token, sync lifecycle) fails at start, not
at the first ``pulumi up``.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from collections.abc import Iterable
from typing import Any

import attrs
import pluggy

from deltastream_core import hookspecs
from deltastream_core.kinds import Function, ResourceKind
from deltastream_core.registration_rules import function_problems, kind_problems

ENTRY_POINT_GROUP = "deltastream"
#: comma-separated entry-point names not to load (built-ins included)
DISABLED_ENV = "DELTASTREAM_DISABLED_PLUGINS"

_HOOK_NAMES = ("deltastream_register_resource_kinds", "deltastream_register_functions")


class PluginError(Exception):
    """A plugin could not be loaded or broke a registration rule.

    The message names the plugin (entry-point name and distribution), what went wrong, and
    how to run without it (``DELTASTREAM_DISABLED_PLUGINS``).
    """


class DuplicateTokenError(PluginError):
    """Two plugins registered the same type token."""


class RegistrationError(PluginError):
    """A registered kind or function breaks a rule (token, description, models, async)."""


def _disable_hint(name: str) -> str:
    return f"fix or uninstall it, or run without it: {DISABLED_ENV}={name}"


@attrs.frozen
class PluginInfo:
    """One loaded plugin: its entry-point name, distribution and what it registered."""

    name: str
    distribution: str = ""
    version: str = ""
    kinds: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.name} ({self.distribution})" if self.distribution else self.name


class Registry:
    """Resource kinds and functions by Pulumi token, with the plugin that gave each."""

    def __init__(self) -> None:
        self.kinds: dict[str, ResourceKind[Any, Any]] = {}
        self.functions: dict[str, Function[Any, Any]] = {}
        self.origins: dict[str, str] = {}
        #: every plugin that was loaded, in call order (filled by :func:`load_registry`)
        self.plugins: list[PluginInfo] = []
        self._current = "<direct>"

    def add_kind(self, kind: ResourceKind[Any, Any]) -> None:
        """Register a resource kind; refuses one that breaks a registration rule."""
        self._refuse(kind_problems(kind), f"resource kind {getattr(kind, 'token', kind)!r}")
        self._claim(kind.token)
        self.kinds[kind.token] = kind

    def add_function(self, function: Function[Any, Any]) -> None:
        """Register an invoke function; refuses one that breaks a registration rule."""
        what = f"function {getattr(function, 'token', function)!r}"
        self._refuse(function_problems(function), what)
        self._claim(function.token)
        self.functions[function.token] = function

    def _refuse(self, problems: list[str], what: str) -> None:
        if problems:
            listed = "; ".join(problems)
            raise RegistrationError(f"plugin {self._current}: {what} is refused: {listed}")

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


def disabled_from_env() -> list[str]:
    """The entry-point names ``DELTASTREAM_DISABLED_PLUGINS`` blocks."""
    return [n.strip() for n in os.environ.get(DISABLED_ENV, "").split(",") if n.strip()]


def entry_points() -> list[tuple[importlib.metadata.EntryPoint, str, str]]:
    """Every entry point of the group with its distribution's name and version."""
    found = []
    seen: set[str] = set()
    for dist in importlib.metadata.distributions():
        for ep in dist.entry_points:
            if ep.group == ENTRY_POINT_GROUP and ep.name not in seen:
                seen.add(ep.name)  # an editable install may list a distribution twice
                found.append((ep, dist.metadata["Name"] or "", dist.version or ""))
    return found


def _unmarked_hooks(plugin: object) -> list[str]:
    # pluggy ignores a hook function without @hookimpl: it would register nothing, silently.
    marker = f"{hookspecs.PROJECT}_impl"
    return [
        name
        for name in dir(plugin)
        if name.startswith("deltastream_")
        and callable(getattr(plugin, name, None))
        and not hasattr(getattr(plugin, name), marker)
    ]


def plugin_manager(
    extra_plugins: Iterable[object] = (), *, disabled: Iterable[str] | None = None
) -> tuple[pluggy.PluginManager, dict[str, PluginInfo]]:
    """A fresh manager with the hook specs, the entry-point plugins and ``extra_plugins``,
    and what is known of each plugin by its registered name."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    blocked = set(disabled_from_env() if disabled is None else disabled)
    infos: dict[str, PluginInfo] = {}
    candidates: list[tuple[str, object, PluginInfo]] = []
    for ep, dist, version in entry_points():
        if ep.name in blocked:
            continue
        info = PluginInfo(ep.name, dist, version)
        try:
            plugin = ep.load()
        except Exception as exc:  # any import-time failure: one message, never a traceback
            raise PluginError(
                f"plugin {info.label} failed to load from {ep.value!r}: "
                f"{type(exc).__name__}: {exc}; {_disable_hint(ep.name)}"
            ) from exc
        candidates.append((ep.name, plugin, info))
    for plugin in extra_plugins:
        name = getattr(plugin, "__name__", type(plugin).__name__)
        candidates.append((name, plugin, PluginInfo(name)))
    for name, plugin, info in candidates:
        unmarked = _unmarked_hooks(plugin)
        if unmarked:
            raise PluginError(
                f"plugin {info.label} defines {', '.join(unmarked)} without @hookimpl, so "
                "it would register nothing: decorate each with deltastream_core.hookimpl; "
                f"{_disable_hint(name)}"
            )
        try:
            pm.register(plugin, name=name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            raise PluginError(f"plugin {info.label}: {exc}; {_disable_hint(name)}") from exc
        infos[name] = info
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or "?"
        label = infos[name].label if name in infos else name
        raise PluginError(
            f"plugin {label}: {exc} (known hooks: {', '.join(_HOOK_NAMES)}); {_disable_hint(name)}"
        ) from exc
    return pm, infos


def load_registry(
    extra_plugins: Iterable[object] = (), *, disabled: Iterable[str] | None = None
) -> Registry:
    """Build the registry from every loaded plugin, calling each one's hooks through pluggy
    (an implementation may take any subset of a hook's arguments). Raises
    :class:`PluginError` naming the plugin for anything that would make it unusable."""
    pm, infos = plugin_manager(extra_plugins, disabled=disabled)
    registry = Registry()
    order: list[str] = []
    for hook_name in _HOOK_NAMES:
        hook = getattr(pm.hook, hook_name)
        impls = list(reversed(hook.get_hookimpls()))  # pluggy's call order
        everyone = [impl.plugin for impl in impls]
        for impl in impls:
            name = impl.plugin_name
            info = infos.get(name, PluginInfo(name))
            registry._current = info.label
            if name not in order:
                order.append(name)
            one = pm.subset_hook_caller(hook_name, [p for p in everyone if p is not impl.plugin])
            try:
                one(registry=registry)
            except PluginError as exc:
                if DISABLED_ENV in str(exc):
                    raise
                raise type(exc)(f"{exc}; {_disable_hint(name)}") from exc
            except Exception as exc:
                raise PluginError(
                    f"plugin {info.label} failed in {hook_name}: {type(exc).__name__}: {exc}; "
                    f"{_disable_hint(name)}"
                ) from exc
    registry._current = "<direct>"
    registry.plugins = [_with_registrations(infos.get(n, PluginInfo(n)), registry) for n in order]
    silent = [p for p in infos.values() if p.name not in order]
    if silent:
        names = ", ".join(p.label for p in silent)
        raise PluginError(
            f"plugin {names} implements no deltastream_register_* hook, so it registers "
            f"nothing; {_disable_hint(silent[0].name)}"
        )
    return registry


def _with_registrations(info: PluginInfo, registry: Registry) -> PluginInfo:
    mine = [token for token, origin in registry.origins.items() if origin == info.label]
    return attrs.evolve(
        info,
        kinds=tuple(sorted(t for t in mine if t in registry.kinds)),
        functions=tuple(sorted(t for t in mine if t in registry.functions)),
    )


def describe_plugins(registry: Registry) -> str:
    """A table of the loaded plugins: name, distribution, version, what each registered."""
    lines = []
    for info in registry.plugins:
        dist = f"{info.distribution} {info.version}".strip() or "(registered directly)"
        lines.append(f"{info.name}  [{dist}]")
        for token in (*info.kinds, *info.functions):
            lines.append(f"    {token}")
    disabled = disabled_from_env()
    if disabled:
        lines.append(f"disabled by {DISABLED_ENV}: {', '.join(disabled)}")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m deltastream_core.registry: list the plugins
    try:
        print(describe_plugins(load_registry()))
    except PluginError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
