"""The one organization and the fixed roles are not stored: their constant row data."""

from __future__ import annotations

#: A fixed creation time (2024-01-01T00:00:00Z) so the rows are stable across restarts.
CREATED_AT = 1704067200.0
DESCRIPTION = "deltastream-local organization"
