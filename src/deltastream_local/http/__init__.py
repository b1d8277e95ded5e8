"""HTTP layer of deltastream-local: DeltaStream REST API v2 over the SQL engine."""

from deltastream_local.http.options import FaultInjector, FaultSettings, OptionError, ServerOptions
from deltastream_local.http.server import API_VERSION, ApiServer, Application

__all__ = [
    "API_VERSION",
    "ApiServer",
    "Application",
    "FaultInjector",
    "FaultSettings",
    "OptionError",
    "ServerOptions",
]
