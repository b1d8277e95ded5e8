"""The public API for emulating a catalog kind in deltastream-local (a plugin's own kind).

A kind is a :class:`CatalogKind` object registered under the ``deltastream_local.catalog``
entry-point group, named after the kind::

    [project.entry-points."deltastream_local.catalog"]
    warehouse = "corp_warehouses:KIND"

It declares its SQLite tables (``schema``), the statements it handles (``objects``: the
generic family ``CREATE|UPDATE|ALTER|DROP|DESCRIBE|USE|START|STOP <keyword> name``, no grammar
change needed), its ``lists`` (``LIST <word>``), its ``system_tables``
(``deltastream.sys."<name>"``), and the ``references`` its objects hold to other kinds' objects
(which then cannot be dropped while they exist). ``docs/local-server.md`` ("Emulating your own
kind") has a complete example. Everything here is stable API; the modules behind it are not.
"""

from deltastream_local.engine import ast
from deltastream_local.engine.access import require_can_create, require_role
from deltastream_local.engine.api import Column, SessionContext
from deltastream_local.engine.catalog.base import (
    CatalogKind,
    Execution,
    Handler,
    ObjectKey,
    Reference,
    SystemTable,
)
from deltastream_local.engine.catalog.objects import (
    VERBS,
    Attachment,
    ObjectHandler,
    ObjectRequest,
    ObjectStatements,
    Option,
    OptionValue,
)
from deltastream_local.engine.catalog.references import drop_dependents
from deltastream_local.engine.catalog.registry import (
    DISABLED_ENV,
    ENTRY_POINT_GROUP,
    CatalogKindError,
)
from deltastream_local.engine.errors import (
    DEPENDENT_OBJECTS_STILL_EXIST,
    FEATURE_NOT_SUPPORTED,
    INVALID_PARAMETER,
    MISSING_PARAMETER,
    SqlError,
    already_exists,
    fqn,
    not_found,
)
from deltastream_local.engine.results import (
    Result,
    artifact_row,
    artifacts,
    bigint,
    bool_text,
    boolean,
    properties,
    timestamp,
    varchar,
)
from deltastream_local.engine.timestamps import format_timestamp

__all__ = [
    "DEPENDENT_OBJECTS_STILL_EXIST",
    "DISABLED_ENV",
    "ENTRY_POINT_GROUP",
    "FEATURE_NOT_SUPPORTED",
    "INVALID_PARAMETER",
    "MISSING_PARAMETER",
    "VERBS",
    "Attachment",
    "CatalogKind",
    "CatalogKindError",
    "Column",
    "Execution",
    "Handler",
    "ObjectHandler",
    "ObjectKey",
    "ObjectRequest",
    "ObjectStatements",
    "Option",
    "OptionValue",
    "Reference",
    "Result",
    "SessionContext",
    "SqlError",
    "SystemTable",
    "already_exists",
    "artifact_row",
    "artifacts",
    "ast",
    "bigint",
    "bool_text",
    "boolean",
    "drop_dependents",
    "format_timestamp",
    "fqn",
    "not_found",
    "properties",
    "require_can_create",
    "require_role",
    "timestamp",
    "varchar",
]
