"""Exceptions the harness raises, carrying what the engine would show the user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import grpc


@dataclass(frozen=True)
class Failure:
    """One ``CheckFailure``: the property (may be empty) and the reason."""

    property: str
    reason: str


class HarnessError(AssertionError):
    """The provider broke the protocol (what the engine would reject), or misuse of the harness."""


class ProviderStartError(HarnessError):
    """The plugin did not come up as the engine requires (port line, handshake, plugin info)."""


class ProviderRPCError(Exception):
    """A gRPC call failed: the status ``code``, the ``details`` text the CLI would print as
    ``error: …``, and the unpacked status ``details`` (e.g. ``ErrorResourceInitFailed``)."""

    def __init__(
        self, method: str, code: grpc.StatusCode, details: str, status_details: Sequence[Any] = ()
    ) -> None:
        self.method = method
        self.code = code
        self.details = details
        self.status_details = tuple(status_details)
        super().__init__(f"{method}: {code.name}: {details}")

    def detail(self, kind: type) -> Any | None:
        """The first unpacked status detail of protobuf type ``kind``, if any."""
        return next((d for d in self.status_details if isinstance(d, kind)), None)


class CheckFailedError(Exception):
    """``Check``/``CheckConfig`` returned failures; the message lists them like the CLI does."""

    def __init__(self, urn: str, failures: Sequence[Failure]) -> None:
        self.urn = urn
        self.failures = tuple(failures)
        lines = [
            f"property {f.property} has a problem: {f.reason}" if f.property else f.reason
            for f in self.failures
        ]
        super().__init__(f"{urn}: " + "; ".join(lines))

    @property
    def properties(self) -> list[str]:
        return [f.property for f in self.failures]


class InvokeFailedError(Exception):
    """``Invoke`` returned failures."""

    def __init__(self, token: str, failures: Sequence[Failure]) -> None:
        self.token = token
        self.failures = tuple(failures)
        super().__init__(f"{token}: " + "; ".join(f"{f.property}: {f.reason}" for f in failures))


class ImportMismatchError(Exception):
    """An ``import:`` resource option whose program inputs would replace the imported object."""
