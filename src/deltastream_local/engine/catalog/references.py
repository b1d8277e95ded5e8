"""Dropping an object that others refer to: refuse while a referrer exists, else take along
the referrers that go with it. Which kinds refer to which is declared (``Reference``) and
answered by the registry, so the dropping kind imports none of them."""

from __future__ import annotations

from deltastream_local.engine.catalog.base import Execution, ObjectKey
from deltastream_local.engine.errors import DEPENDENT_OBJECTS_STILL_EXIST, SqlError


def drop_dependents(exe: Execution, kind: str, key: ObjectKey, shown_as: str) -> None:
    """Raise 2BP01 ``cannot drop <shown_as>: <referrers> ...`` for the first reference with
    dependents that refuses the drop; then delete the dependents of those that cascade.

    ``shown_as`` is how the message names the object, e.g. ``database "sales"``.
    """
    references = exe.catalog.referencing(kind)
    for reference in references:
        if reference.delete is not None:
            continue
        found = list(reference.dependents(exe, key))
        if found:
            limit = len(found) if reference.shown is None else reference.shown
            listed = ", ".join(found[:limit]) + (", ..." if len(found) > limit else "")
            raise SqlError(
                DEPENDENT_OBJECTS_STILL_EXIST,
                f"cannot drop {shown_as}: {reference.blocks_as}: {listed}",
            )
    for reference in references:
        if reference.delete is not None:
            reference.delete(exe, key)
