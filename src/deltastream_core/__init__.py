"""deltastream_core: the pure domain of the DeltaStream Pulumi provider.

Public API for plugin authors (everything a kind needs; nothing private): :data:`hookimpl`;
the ports :class:`ResourceKind` and :class:`Function`; the catalog-backed base
:class:`CatalogKind` with :func:`column` and the lookups :class:`CatalogLookup` /
:class:`CatalogListing` (both made by :func:`name_lookups` for a kind keyed by a name);
models with :func:`prop` / :func:`output` (:func:`name_input` and :func:`owner_input` for the
usual ``name`` and ``owner``); statements
(:class:`Statement`, :class:`EffectProbe`, :class:`StatementContext`); WITH clauses
(:class:`KeySpec`, :class:`Form`, :func:`pairs_of`, :func:`with_statement`); quoting; waits
(:func:`wait_until`, :class:`Backoff`); catalog reads (:func:`select`, :func:`capped`,
:func:`exactly_one`, :func:`rfc3339`, :func:`check_name`); and the errors. No HTTP, no
Pulumi, no adapters are imported here.
"""

from deltastream_core.catalog import (
    CatalogKind,
    CatalogListing,
    CatalogLookup,
    Column,
    column,
    name_input,
    name_lookups,
    owner_input,
)
from deltastream_core.errors import (
    AlreadyExistsError,
    DeltaStreamError,
    NotFoundError,
    ObjectFailedError,
    StatementError,
    TimeoutError_,
    ValidationError,
)
from deltastream_core.hookspecs import hookimpl, registering
from deltastream_core.kinds import (
    CheckFailure,
    CheckResult,
    Function,
    OperationContext,
    ReadResult,
    ResourceKind,
)
from deltastream_core.model import one_of, output, prop
from deltastream_core.ports import (
    Access,
    EffectProbe,
    ResultSet,
    Statement,
    StatementContext,
    StatementRunner,
)
from deltastream_core.rows import capped, check_name, exactly_one, import_command, rfc3339, select
from deltastream_core.secrets import Secret
from deltastream_core.sql import qualified, quote_identifier, quote_literal
from deltastream_core.unknown import UNKNOWN, is_known
from deltastream_core.waiting import Backoff, wait_until
from deltastream_core.withclause import Form, KeySpec, Pair, pairs_of, with_statement

__all__ = [
    "UNKNOWN",
    "Access",
    "AlreadyExistsError",
    "Backoff",
    "CatalogKind",
    "CatalogListing",
    "CatalogLookup",
    "CheckFailure",
    "CheckResult",
    "Column",
    "DeltaStreamError",
    "EffectProbe",
    "Form",
    "Function",
    "KeySpec",
    "NotFoundError",
    "ObjectFailedError",
    "OperationContext",
    "Pair",
    "ReadResult",
    "ResourceKind",
    "ResultSet",
    "Secret",
    "Statement",
    "StatementContext",
    "StatementError",
    "StatementRunner",
    "TimeoutError_",
    "ValidationError",
    "capped",
    "check_name",
    "column",
    "exactly_one",
    "hookimpl",
    "import_command",
    "is_known",
    "name_input",
    "name_lookups",
    "one_of",
    "output",
    "owner_input",
    "pairs_of",
    "prop",
    "qualified",
    "quote_identifier",
    "quote_literal",
    "registering",
    "rfc3339",
    "select",
    "wait_until",
    "with_statement",
]
