"""HTTP layer of deltastream-local: DeltaStream REST API v2 over the SQL engine."""

from deltastream_local.http.app import Application
from deltastream_local.http.core import API_VERSION, Request, Response, handle
from deltastream_local.http.options import FaultInjector, FaultSettings, OptionError, ServerOptions
from deltastream_local.http.server import ApiServer

__all__ = [
    "API_VERSION",
    "ApiServer",
    "Application",
    "FaultInjector",
    "FaultSettings",
    "OptionError",
    "Request",
    "Response",
    "ServerOptions",
    "handle",
]
