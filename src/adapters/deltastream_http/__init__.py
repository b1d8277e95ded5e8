"""DeltaStream REST API v2 adapter: implements ``deltastream_core.ports.StatementRunner``.

::

    async with DeltaStreamClient("https://api.deltastream.io/v2", Secret(token)) as client:
        context = StatementContext(role="sysadmin")
        result = await client.run(Statement.read("LIST DATABASES;"), context)
"""

from deltastream_http.client import DeltaStreamClient, ServerVersion, SystemClock
from deltastream_http.polling import PollBackoff
from deltastream_http.retry import RetryPolicy, parse_retry_after
from deltastream_http.wire import MalformedReplyError

__all__ = [
    "DeltaStreamClient",
    "MalformedReplyError",
    "PollBackoff",
    "RetryPolicy",
    "ServerVersion",
    "SystemClock",
    "parse_retry_after",
]
