"""Check rule: no password in the userinfo of a store's ``uris``.

``uris`` is not a secret input, so a password written into it (``postgresql://u:pw@host/db``)
would be stored in plain text in the stack state and shown in diffs and logs. Check refuses
it and names the secret input that carries the password instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from deltastream_core.kinds import CheckFailure
from deltastream_core.secrets import Secret
from deltastream_plugins.store.common import StoreType

#: ``[scheme://]userinfo@…`` of one URI; the userinfo holds a password after its first ``:``
_USERINFO = re.compile(
    r"^(?P<head>(?:(?:jdbc:)?[A-Za-z][A-Za-z0-9+.-]*://)?[^/?#@:\s]*):(?P<pw>[^/?#\s]*)@"
)


def _masked(uri: str) -> str | None:
    """``uri`` with its password replaced by ``***``; None when it holds no password."""
    match = _USERINFO.match(uri.strip())
    if match is None or not match.group("pw"):
        return None
    return f"{match.group('head')}:***@{uri.strip()[match.end() :]}"


def credentials_in_uris(
    store_type: StoreType, raw: Mapping[str, Any], *, marked_secret: bool = False
) -> list[CheckFailure]:
    """A failure on ``<block>.uris`` when one of its comma-separated URIs holds a password;
    a ``uris`` the program marked secret is left alone."""
    uris = raw.get("uris")
    if marked_secret or not isinstance(uris, str) or isinstance(uris, Secret):
        return []
    masked = [m for m in (_masked(uri) for uri in uris.split(",")) if m is not None]
    if not masked:
        return []
    block = store_type.block
    return [
        CheckFailure(
            f"{block}.uris",
            f"holds a password in its user info ({', '.join(masked)}); uris is not a secret "
            f"input, so the password would be stored and shown in plain text. Remove it from "
            f"the URI and set it in {block}.{store_type.credential_input} (a secret input) "
            "instead, or mark uris secret in the program",
        )
    ]
