"""Keeping secrets out of logs, engine messages and error text.

Two mechanisms: a process-wide set of known secret *values* (the API key, the embedded server's
token) scrubbed from any text, and a structlog processor that also blanks values under
secret-looking *keys* and any :class:`~deltastream_core.secrets.Secret`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, MutableMapping
from typing import Any, Final

from deltastream_core.secrets import Secret

REDACTED: Final = "<redacted>"

#: keys whose values are never logged (api_key, apiKey, password, sasl_password, token,
#: access_key_id / accessKeyId of the AWS-backed stores, …)
SECRET_KEY = re.compile(
    r"api[-_]?key|password|passwd|token|secret|private[-_]?key|authorization|credential"
    r"|access[-_.]?key",
    re.IGNORECASE,
)

_lock = threading.Lock()
_known: set[str] = set()


def register_secret(value: str | Secret | None) -> None:
    """Remember a secret value so :func:`scrub` removes it from any text."""
    text = value.reveal() if isinstance(value, Secret) else value
    if text and len(text) >= 4:  # shorter values would blank ordinary words
        with _lock:
            _known.add(text)


def forget_secrets() -> None:
    """Forget every registered value (tests)."""
    with _lock:
        _known.clear()


def scrub(text: str) -> str:
    """``text`` with every registered secret value replaced by ``<redacted>``."""
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, REDACTED)
    return text


def redact_value(key: str, value: Any) -> Any:
    """The loggable form of ``value`` stored under ``key``."""
    if isinstance(value, Secret):
        return REDACTED
    if SECRET_KEY.search(key) and value not in (None, "", False):
        return REDACTED
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {k: redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(key, v) for v in value]
    if isinstance(value, BaseException):
        return scrub(str(value))
    return value


def structlog_processor(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: redact by key, by type and by known value."""
    for key in list(event_dict):
        if key == "exc_info":
            continue
        event_dict[key] = redact_value(key, event_dict[key])
    return event_dict


def scrub_rendered(_logger: Any, _method: str, rendered: Any) -> Any:
    """Last-chance scrub of the rendered line (tracebacks included)."""
    return scrub(rendered) if isinstance(rendered, str) else rendered
