"""Certificate and key material sent as attachments: inline PEM, file paths, base64.

Kafka's ``tlsCaCertFile`` is, as in the official provider, a local file path read at apply
time; inline PEM content (text starting with ``-----BEGIN``) is accepted too, and is the
better choice when the certificate rotates: the diff then compares the content itself.
Snowflake's ``clientKey`` is the base64 of the PEM private key (the official form) or the PEM.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

from deltastream_core.secrets import Secret

PEM_MARKER = "-----BEGIN"


def is_pem(text: str) -> bool:
    return text.lstrip().startswith(PEM_MARKER)


def cert_problem(value: str) -> str | None:
    """Why a ``tlsCaCertFile`` value cannot be used, or None."""
    if is_pem(value):
        return None
    path = Path(value).expanduser()
    if not path.is_file():
        return (
            f"{value!r} is not a readable file; give the path of a PEM CA certificate "
            "(read when the store is created or updated) or the PEM text itself"
        )
    return None


def load_cert(value: str) -> bytes:
    """The certificate bytes: the PEM text itself, or the file's content."""
    if is_pem(value):
        return value.encode()
    return Path(value).expanduser().read_bytes()


def decode_key(value: str) -> bytes:
    """A private key given as PEM text or as base64 of it; raises ValueError otherwise."""
    if is_pem(value):
        return value.encode()
    try:
        data = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is neither PEM text nor valid base64") from None
    if not data:
        raise ValueError("decodes to nothing")
    return data


def key_problem(value: Any) -> str | None:
    """A ``Prop.check`` for ``clientKey``; never echoes the (secret) value."""
    text = value.reveal() if isinstance(value, Secret) else value
    if not isinstance(text, str) or not text:
        return "is required"
    try:
        decode_key(text)
    except ValueError as exc:
        return (
            f"{exc}: give the PEM private key, or its base64 encoding as the official "
            "provider expects (e.g. `base64 -w0 rsa_key.p8`)"
        )
    return None
