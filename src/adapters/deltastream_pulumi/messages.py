"""The SDK's request classes plus the fields its servicer drops
(docs/reference/pulumi-protocol.md#request-fields-the-sdk-drops, bug #9).

``pulumi.provider.experimental.provider`` has no place for ``old_inputs`` (Diff, Update,
Delete), ``preview`` (Invoke), ``timeout`` (Read) or the provider's urn/id (Configure). These
subclasses carry them, so :class:`~deltastream_pulumi.provider.DeltaStreamProvider` still
implements the SDK's ``Provider`` interface and still works when called with the base classes.
"""

from __future__ import annotations

from pulumi.provider.experimental import provider as sdk
from pulumi.provider.experimental.property_value import PropertyValue

PropertyMap = dict[str, PropertyValue]


class DiffRequest(sdk.DiffRequest):
    """Diff/DiffConfig request with the engine's ``old_inputs``."""

    def __init__(
        self,
        urn: str,
        resource_id: str,
        old_state: PropertyMap,
        new_inputs: PropertyMap,
        ignore_changes: list[str],
        *,
        old_inputs: PropertyMap,
    ) -> None:
        super().__init__(urn, resource_id, old_state, new_inputs, ignore_changes)
        self.old_inputs = old_inputs


class UpdateRequest(sdk.UpdateRequest):
    """Update request with the engine's ``old_inputs``."""

    def __init__(
        self,
        urn: str,
        resource_id: str,
        olds: PropertyMap,
        news: PropertyMap,
        timeout: float,
        ignore_changes: list[str],
        preview: bool,
        *,
        old_inputs: PropertyMap,
    ) -> None:
        super().__init__(urn, resource_id, olds, news, timeout, ignore_changes, preview)
        self.old_inputs = old_inputs


class DeleteRequest(sdk.DeleteRequest):
    """Delete request with the engine's ``old_inputs``."""

    def __init__(
        self,
        urn: str,
        resource_id: str,
        properties: PropertyMap,
        timeout: float,
        *,
        old_inputs: PropertyMap,
    ) -> None:
        super().__init__(urn, resource_id, properties, timeout)
        self.old_inputs = old_inputs


class ReadRequest(sdk.ReadRequest):
    """Read request with the engine's ``timeout`` (customTimeouts.read; 0 = default)."""

    def __init__(
        self,
        urn: str,
        resource_id: str,
        properties: PropertyMap,
        inputs: PropertyMap,
        *,
        timeout: float = 0.0,
    ) -> None:
        super().__init__(urn, resource_id, properties, inputs)
        self.timeout = timeout


class InvokeRequest(sdk.InvokeRequest):
    """Invoke request with ``preview`` (engine 3.206+)."""

    def __init__(self, tok: str, args: PropertyMap, *, preview: bool = False) -> None:
        super().__init__(tok, args)
        self.preview = preview


class ConfigureRequest(sdk.ConfigureRequest):
    """Configure request with the provider resource's ``urn``, ``name``, ``type`` and ``id``."""

    def __init__(
        self,
        variables: dict[str, str],
        args: PropertyMap,
        accept_secrets: bool,
        accept_resources: bool,
        *,
        urn: str = "",
        name: str = "",
        type_: str = "",
        resource_id: str = "",
    ) -> None:
        super().__init__(variables, args, accept_secrets, accept_resources)
        self.urn = urn
        self.name = name
        self.type = type_
        self.resource_id = resource_id

    @property
    def stack(self) -> str:
        """The stack named in the urn (``urn:pulumi:<stack>::…``), or ""."""
        head = self.urn.split("::", 1)[0]
        return head.split(":", 2)[2] if head.count(":") >= 2 else ""
