"""A strict, small ``multipart/form-data`` parser (RFC 7578) for statement requests.

The stdlib ``cgi`` module is gone in 3.13 and the ``email`` parser normalises line endings,
which would corrupt binary attachments; this parser splits on the exact boundary bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message


class MultipartError(ValueError):
    """The body is not well-formed multipart/form-data."""


@dataclass(frozen=True)
class Part:
    name: str | None
    filename: str | None
    content_type: str | None
    data: bytes


def boundary_of(content_type: str) -> str:
    """The ``boundary`` parameter of a ``multipart/form-data`` Content-Type header."""
    try:
        msg = Message()
        msg["content-type"] = content_type
        boundary = msg.get_param("boundary")
    except Exception as exc:
        raise MultipartError("malformed multipart/form-data Content-Type") from exc
    if not isinstance(boundary, str) or not boundary or len(boundary) > 200:
        raise MultipartError("multipart/form-data body without a valid boundary")
    return boundary


def _parse_headers(raw: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in raw.split(b"\r\n"):
        if not line:
            continue
        name, sep, value = line.partition(b":")
        if not sep or not name.strip():
            raise MultipartError("malformed header line in a multipart part")
        headers[name.strip().decode("latin-1").lower()] = value.strip().decode("utf-8", "replace")
    return headers


def parse_multipart(body: bytes, boundary: str) -> list[Part]:
    """Split ``body`` into its parts. Raises :class:`MultipartError` on malformed input."""
    delimiter = b"\r\n--" + boundary.encode("latin-1", "replace")
    chunks = (b"\r\n" + body).split(delimiter)
    if len(chunks) < 2:
        raise MultipartError("multipart/form-data body without its boundary")
    parts: list[Part] = []
    closed = False
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            closed = True
            break
        # transport padding (spaces/tabs) may follow the boundary before its CRLF
        rest = chunk.lstrip(b" \t")
        if not rest.startswith(b"\r\n"):
            raise MultipartError("malformed multipart boundary line")
        head, sep, data = rest[2:].partition(b"\r\n\r\n")
        if not sep:
            if rest[2:].startswith(b"\r\n"):  # a part without any header
                head, data = b"", rest[4:]
            else:
                raise MultipartError("multipart part without a header/body separator")
        headers = _parse_headers(head)
        disposition = headers.get("content-disposition")
        name: str | None = None
        filename: str | None = None
        if disposition:
            try:
                msg = Message()
                msg["content-disposition"] = disposition
                raw_name = msg.get_param("name", header="content-disposition")
                name = raw_name if isinstance(raw_name, str) else None
                filename = msg.get_filename()
            except Exception as exc:  # the email package is lenient, but be safe
                raise MultipartError("malformed Content-Disposition in a multipart part") from exc
        parts.append(Part(name, filename, headers.get("content-type"), data))
    if not closed:
        raise MultipartError("multipart/form-data body without its closing boundary")
    return parts
