"""Hook specifications: how plugins contribute resource kinds and functions.

Every hook is prefixed ``deltastream_``. Plugins implement them with
:data:`deltastream_core.hookimpl` and are found through the ``deltastream`` entry-point group —
the built-in kinds load exactly the same way. An implementation may accept any subset of a
hook's arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from deltastream_core.kinds import Function, ResourceKind
    from deltastream_core.registry import Registry

PROJECT = "deltastream"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def deltastream_register_resource_kinds(registry: Registry) -> None:
    """Contribute resource kinds by calling ``registry.add_kind(kind)``.

    :param registry: the registry being built; ``add_kind`` raises
        :class:`~deltastream_core.registry.DuplicateTokenError` when another plugin already
        registered the same type token.

    Called once per provider process, before any schema or lifecycle request. Nothing is
    returned; plugins call the registry.

    Use in third-party plugins: implement it in a module named by an entry point of the
    ``deltastream`` group, register instances of your
    :class:`~deltastream_core.kinds.ResourceKind` subclasses. Keep module import cheap.

    .. versionadded:: 0.1
    """


@hookspec
def deltastream_register_functions(registry: Registry) -> None:
    """Contribute invoke functions by calling ``registry.add_function(function)``.

    :param registry: the registry being built; duplicate function tokens are an error.

    Called once per provider process, right after
    :func:`deltastream_register_resource_kinds`. Nothing is returned.

    Use in third-party plugins: register instances of
    :class:`~deltastream_core.kinds.Function` subclasses; lookups must be read-only (they
    also run during ``pulumi preview``).

    .. versionadded:: 0.1
    """


def registering(
    *,
    kinds: Sequence[Callable[[], ResourceKind[Any, Any]]] = (),
    functions: Sequence[Callable[[], Function[Any, Any]]] = (),
) -> tuple[Callable[[Registry], None], Callable[[Registry], None]]:
    """Both hook implementations of a plugin that registers fixed kinds and functions::

        deltastream_register_resource_kinds, deltastream_register_functions = registering(
            kinds=[SecretKind], functions=[GetSecret, GetSecrets]
        )

    Each entry is called (a class, or any factory) when its hook runs, so every registry
    gets fresh instances, as a hand-written ``@hookimpl`` does. Assign both names at module
    level: pluggy finds hooks by attribute name.
    """

    @hookimpl
    def deltastream_register_resource_kinds(registry: Registry) -> None:
        for make in kinds:
            registry.add_kind(make())

    @hookimpl
    def deltastream_register_functions(registry: Registry) -> None:
        for make in functions:
            registry.add_function(make())

    return deltastream_register_resource_kinds, deltastream_register_functions
