"""Shared pytest setup: the provider test harness's fixtures (local_server, provider, stack),
and isolation from plugins of other distributions installed in the same environment."""

import os

from deltastream_core.registry import DISABLED_ENV, entry_points
from deltastream_local.engine.catalog import registry as emulator_kinds

#: the distribution whose plugins these tests are about
OURS = "pulumi-deltastream-py"

# Another distribution's plugins (a company's kinds installed next to ours) must not change
# what the project's own tests see: the schema, the docs coverage, the provider processes.
# Set before any provider process starts, so every subprocess inherits it.
_foreign = [ep.name for ep, dist, _ in entry_points() if dist != OURS]
if _foreign:
    _already = [n for n in os.environ.get(DISABLED_ENV, "").split(",") if n.strip()]
    os.environ[DISABLED_ENV] = ",".join(sorted({*_already, *_foreign}))

# Likewise deltastream-local's catalog kinds from other distributions (their emulations).
_foreign_kinds = [ep.name for ep, dist, _ in emulator_kinds.entry_points() if dist != OURS]
if _foreign_kinds:
    _already = [n for n in os.environ.get(emulator_kinds.DISABLED_ENV, "").split(",") if n.strip()]
    os.environ[emulator_kinds.DISABLED_ENV] = ",".join(sorted({*_already, *_foreign_kinds}))

pytest_plugins = ["deltastream_pulumi.testing.pytest_plugin"]
