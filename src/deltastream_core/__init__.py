"""deltastream_core: the pure domain of the DeltaStream Pulumi provider.

Public API for plugin authors: :data:`hookimpl`, :class:`ResourceKind`, :class:`Function`,
:func:`prop`, :func:`output`, :class:`Statement`, :class:`StatementContext`, the quoting
helpers and the errors. No HTTP, no Pulumi, no adapters are imported here.
"""

from deltastream_core.errors import (
    AlreadyExistsError,
    DeltaStreamError,
    NotFoundError,
    ObjectFailedError,
    StatementError,
    TimeoutError_,
    ValidationError,
)
from deltastream_core.hookspecs import hookimpl
from deltastream_core.kinds import (
    CheckFailure,
    CheckResult,
    Function,
    OperationContext,
    ReadResult,
    ResourceKind,
)
from deltastream_core.model import output, prop
from deltastream_core.ports import (
    Access,
    EffectProbe,
    ResultSet,
    Statement,
    StatementContext,
    StatementRunner,
)
from deltastream_core.secrets import Secret
from deltastream_core.sql import qualified, quote_identifier, quote_literal
from deltastream_core.unknown import UNKNOWN, is_known

__all__ = [
    "UNKNOWN",
    "Access",
    "AlreadyExistsError",
    "CheckFailure",
    "CheckResult",
    "DeltaStreamError",
    "EffectProbe",
    "Function",
    "NotFoundError",
    "ObjectFailedError",
    "OperationContext",
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
    "hookimpl",
    "is_known",
    "output",
    "prop",
    "qualified",
    "quote_identifier",
    "quote_literal",
]
