"""Typed provider calls as the engine makes them (Check, Diff, Create, Update, Delete, Read),
with the engine's encoding of secrets and unknowns, over the stack's state.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from concurrent import futures
from typing import Any

from pulumi.runtime.proto import provider_pb2

from deltastream_pulumi.testing.errors import (
    CheckFailedError,
    Failure,
    HarnessError,
)
from deltastream_pulumi.testing.process import ProviderProcess
from deltastream_pulumi.testing.results import (
    DiffResult,
    Resource,
    ResourceState,
)
from deltastream_pulumi.testing.wire import (
    Secret,
    contains_unknown,
    decode_struct,
    encode_struct,
    reveal,
)


class StackRpc:
    """The stack's state and the provider RPCs as the engine sends them: requests encoded
    (secrets, unknowns, timeouts, ignoreChanges) and responses decoded and checked."""

    def __init__(
        self,
        provider: ProviderProcess,
        *,
        parallel: int | None = None,
        project: str | None = None,
        stack: str | None = None,
    ) -> None:
        self.provider = provider
        self.parallel = parallel
        self.project = project or provider.project
        self.stack_name = stack or provider.stack
        self.state: dict[str, ResourceState] = {}
        #: the default provider's checked inputs, as the engine keeps them in the state; a
        #: provider process that replaces ``provider`` (the CLI starts one per command) is then
        #: configured as the engine does it for an existing stack
        self.provider_inputs: dict[str, Any] | None = None
        self._state_lock = threading.Lock()
        self._pool: futures.ThreadPoolExecutor | None = None
        self._pool_size = 0

    # -- helpers -----------------------------------------------------------------------------
    def urn(self, type_token: str, name: str) -> str:
        return f"urn:pulumi:{self.stack_name}::{self.project}::{type_token}::{name}"

    def urn_of(self, resource: Resource) -> str:
        return self.urn(resource.type, resource.name)

    def get(self, name: str, type_token: str | None = None) -> ResourceState:
        """The state of the resource named ``name``."""
        for st in self.state.values():
            if st.name == name and (type_token is None or st.type == type_token):
                return st
        raise KeyError(f"{name!r} is not in the stack state")

    def _ensure_configured(self, preview: bool, *, from_state: bool = False) -> None:
        """As the engine brings up the default provider: preview/up run CheckConfig (with the
        stored inputs as olds), DiffConfig when there are stored inputs, then Configure;
        refresh and destroy (``from_state``) Configure from the stored inputs only."""
        if self.provider.configured:
            return
        if from_state and self.provider_inputs is not None:
            self.provider.configure_with(self.provider_inputs)
            return
        checked = self.provider.configure(old_inputs=self.provider_inputs, preview=preview)
        if not preview:
            self.provider_inputs = checked

    @property
    def _keep_secrets(self) -> bool:
        return self.provider.capabilities.accept_secrets

    def _encode(self, values: Mapping[str, Any], *, unknowns: bool) -> Any:
        return encode_struct(
            values,
            keep_secrets=self._keep_secrets,
            keep_unknowns=unknowns,
            reject_unknowns=False,
        )

    def _decode(
        self, struct: Any, sent: Mapping[str, Any], *, unknowns_ok: bool, what: str
    ) -> dict[str, Any]:
        values = decode_struct(struct)
        if not self._keep_secrets:
            # the engine copies secretness from the request onto same-named keys
            # (docs/reference/pulumi-protocol.md#secrets-and-unknowns-per-call)
            for key, value in sent.items():
                if (
                    isinstance(value, Secret)
                    and key in values
                    and not isinstance(values[key], Secret)
                ):
                    values[key] = Secret(values[key])
        if not unknowns_ok and any(contains_unknown(v) for v in values.values()):
            raise HarnessError(f"{what}: unexpected unknown property value in {sorted(values)}")
        return values

    # -- RPC wrappers ------------------------------------------------------------------------
    def _check(
        self,
        urn: str,
        type_token: str,
        name: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        preview: bool,
        old_outputs: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        response = self.provider.call(
            "Check",
            provider_pb2.CheckRequest(
                urn=urn,
                name=name,
                type=type_token,
                olds=self._encode(olds, unknowns=False),
                news=self._encode(news, unknowns=preview),  # unknowns dropped outside preview
                randomSeed=os.urandom(32),
                # the engine sends the old state's outputs with an update's Check
                old_outputs=self._encode(old_outputs, unknowns=False) if old_outputs else None,
            ),
        )
        failures = [Failure(f.property, f.reason) for f in response.failures]
        if failures:
            raise CheckFailedError(urn, failures)
        # with acceptSecrets the engine does NOT re-mark secrets on Check output
        # (docs/reference/pulumi-protocol.md#check)
        return self._decode(response.inputs, news, unknowns_ok=preview, what=f"Check {urn}")

    def _diff(
        self,
        st: ResourceState,
        olds: Mapping[str, Any],
        old_inputs: Mapping[str, Any],
        news: Mapping[str, Any],
        ignore_changes: Sequence[str],
        preview: bool,
    ) -> DiffResult:
        response = self.provider.call(
            "Diff",
            provider_pb2.DiffRequest(
                id=st.id,
                urn=st.urn,
                name=st.name,
                type=st.type,
                olds=self._encode(olds, unknowns=False),
                old_inputs=self._encode(old_inputs, unknowns=False),
                news=self._encode(news, unknowns=preview),
                ignoreChanges=list(ignore_changes),
            ),
        )
        result = DiffResult.from_proto(response)
        if result.changes == "unknown":
            # legacy: the engine compares old and new inputs itself
            # (docs/reference/pulumi-protocol.md#diff)
            changed = reveal(dict(old_inputs)) != reveal(dict(news))
            result = DiffResult(changes="some" if changed else "none")
        return result

    def _create(
        self, urn: str, resource: Resource, inputs: Mapping[str, Any], preview: bool
    ) -> tuple[str, dict[str, Any]]:
        response = self.provider.call(
            "Create",
            provider_pb2.CreateRequest(
                urn=urn,
                name=resource.name,
                type=resource.type,
                properties=self._encode(inputs, unknowns=preview),
                timeout=resource.timeout,
                preview=preview,
            ),
        )
        outputs = self._decode(
            response.properties, inputs, unknowns_ok=preview, what=f"Create {urn}"
        )
        if not preview and not response.id:
            raise HarnessError(f"plugin returned empty resource.ID from create ({urn})")
        return response.id, outputs

    def _update(
        self, st: ResourceState, resource: Resource, news: Mapping[str, Any], preview: bool
    ) -> dict[str, Any]:
        response = self.provider.call(
            "Update",
            provider_pb2.UpdateRequest(
                id=st.id,
                urn=st.urn,
                name=st.name,
                type=st.type,
                olds=self._encode(st.outputs, unknowns=False),
                old_inputs=self._encode(st.inputs, unknowns=False),
                news=self._encode(news, unknowns=preview),
                timeout=resource.timeout,
                ignoreChanges=list(resource.ignore_changes),
                preview=preview,
            ),
        )
        return self._decode(response.properties, news, unknowns_ok=preview, what=f"Update {st.urn}")

    def _delete(self, st: ResourceState) -> None:
        self.provider.call(
            "Delete",
            provider_pb2.DeleteRequest(
                id=st.id,
                urn=st.urn,
                name=st.name,
                type=st.type,
                properties=self._encode(st.outputs, unknowns=False),
                old_inputs=self._encode(st.inputs, unknowns=False),
                timeout=st.timeout,
            ),
        )

    def _read(
        self,
        urn: str,
        type_token: str,
        name: str,
        resource_id: str,
        properties: Mapping[str, Any] | None,
        inputs: Mapping[str, Any] | None,
    ) -> Any:
        request = provider_pb2.ReadRequest(id=resource_id, urn=urn, name=name, type=type_token)
        if properties is not None:
            request.properties.CopyFrom(self._encode(properties, unknowns=False))
        if inputs is not None:
            request.inputs.CopyFrom(self._encode(inputs, unknowns=False))
        return self.provider.call("Read", request)

    def _mark_secrets(
        self,
        resource: Resource | None,
        program_inputs: Mapping[str, Any],
        outputs: Mapping[str, Any],
    ) -> dict[str, Any]:
        """What the engine stores: outputs re-marked secret for secret inputs of the same
        name and for ``additionalSecretOutputs`` (docs/reference/pulumi-protocol.md#create)."""
        marked = dict(outputs)
        secret_keys = {k for k, v in program_inputs.items() if isinstance(v, Secret)}
        if resource is not None:
            secret_keys |= set(resource.additional_secret_outputs)
        for key in secret_keys & marked.keys():
            if not isinstance(marked[key], Secret):
                marked[key] = Secret(marked[key])
        return marked
