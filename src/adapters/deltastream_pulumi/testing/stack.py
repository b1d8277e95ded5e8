"""A stack driver that plays the Pulumi engine's step generator against a provider process.

It keeps Pulumi-like state (urn → id, inputs, outputs, dependencies) and issues the RPC
sequences of docs/reference/pulumi-protocol.md#call-sequences: preview, up (create / same / update /
replace, both
delete-before-replace and create-before-delete, deletes of removed resources at the end in
reverse dependency order), refresh, import (``pulumi import`` and the ``import:`` option),
destroy and invoke. A partial failure (``ErrorResourceInitFailed``) is recorded as the engine
does: the id and outputs it carries join the state with its reasons as ``init_errors``, the
step fails, and the next ``up`` calls Update for that resource even when Diff finds no
change. Resources are small dataclasses; an input may reference another
resource's output with :func:`ref` / :meth:`Resource.out`, resolved once that resource's step
finished — unknown during preview unless the preview step returned a known value, as with
the engine.

The driver is split along the engine's own seams: :mod:`.results` (what programs and
operations are made of), :mod:`.rpc` (typed provider calls), :mod:`.graph` (the
dependency-graph runner), :mod:`.planner` (the step generator) and this module's
:class:`Stack` (the operations a user runs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.runtime.proto import provider_pb2

from deltastream_pulumi.testing.errors import (
    Failure,
    HarnessError,
    InvokeFailedError,
)
from deltastream_pulumi.testing.graph import _Run
from deltastream_pulumi.testing.planner import StepPlanner
from deltastream_pulumi.testing.results import (
    DiffResult,
    OperationResult,
    OutputRef,
    PropertyDiff,
    Resource,
    ResourceState,
    Step,
    StepOp,
    assert_secret,
    ref,
    resources,
)
from deltastream_pulumi.testing.wire import (
    encode_struct,
)

__all__ = [
    "DiffResult",
    "OperationResult",
    "OutputRef",
    "PropertyDiff",
    "Resource",
    "ResourceState",
    "Stack",
    "Step",
    "StepOp",
    "assert_secret",
    "ref",
    "resources",
]


class Stack(StepPlanner):
    """Pulumi-like state plus the engine's call sequences, over a :class:`ProviderProcess`.

    The provider is configured on first use (``CheckConfig`` → ``Configure``) unless it
    already is. ``parallel`` bounds concurrent steps (the CLI's ``--parallel``; ``None`` = the
    CLI's default, ``PULUMI_PARALLEL`` or else 4 x the CPU count, read when an operation starts;
    see docs/reference/rate-limits.md). Operations raise the first step error after in-flight
    steps finish, keeping state for the steps that completed, as the engine does.
    """

    # -- preview / up ------------------------------------------------------------------------
    def preview(self, resources: Sequence[Resource]) -> OperationResult:
        """``pulumi preview``: Check (unknowns allowed) → Diff → Create/Update with
        ``preview=true``; never Delete; state untouched."""
        return self._deploy(resources, preview=True)

    def up(self, resources: Sequence[Resource]) -> OperationResult:
        """``pulumi up --skip-preview``: the update pass of
        docs/reference/pulumi-protocol.md#up-create to #replacement, then deletes of removed
        resources (and create-before-delete leftovers) in reverse dependency order."""
        return self._deploy(resources, preview=False)

    def destroy(self) -> OperationResult:
        """``pulumi destroy``: Delete every resource in reverse dependency order."""
        self._ensure_configured(False, from_state=True)
        run = _Run("destroy", False)
        self._delete_many(list(self.state.values()), run, replaced=False)
        return run.result

    # -- refresh and import ------------------------------------------------------------------
    def refresh(self) -> OperationResult:
        """``pulumi refresh``: Read(id, properties, inputs) per resource; an empty id drops it;
        otherwise the inverted Diff (olds = refreshed, news = pre-refresh inputs)."""
        self._ensure_configured(False, from_state=True)
        run = _Run("refresh", False)

        def refresh_one(st: ResourceState) -> None:
            if st.pending_replacement:
                return
            response = self._read(st.urn, st.type, st.name, st.id, st.outputs, st.inputs)
            if not response.id:
                with self._state_lock:
                    self.state.pop(st.urn, None)
                run.add(Step("delete", st.urn, st.id, st.inputs, st.outputs))
                return
            outputs = self._decode(
                response.properties, st.outputs, unknowns_ok=False, what=f"Read {st.urn}"
            )
            inputs = (
                self._decode(response.inputs, st.inputs, unknowns_ok=False, what=f"Read {st.urn}")
                if response.inputs.fields
                else dict(st.inputs)
            )
            refreshed = ResourceState(
                st.urn,
                st.type,
                st.name,
                response.id,
                inputs,
                outputs,
                st.dependencies,
                st.property_dependencies,
            )
            diff = self._diff(
                refreshed, outputs, inputs, st.inputs, st.ignore_changes, preview=False
            )
            with self._state_lock:
                st.id, st.inputs, st.outputs = response.id, inputs, outputs
                st.init_errors = []  # a Read that succeeds clears them (engine RefreshStep)
            run.add(
                Step(
                    "same" if diff.changes == "none" else "update",
                    st.urn,
                    response.id,
                    inputs,
                    outputs,
                    diff,
                )
            )

        states = list(self.state.values())
        self._run_graph(states, lambda st: st.urn, lambda st: set(), refresh_one)
        return run.result

    def import_(self, type_token: str, name: str, resource_id: str) -> Step:
        """``pulumi import <type> <name> <id>``: Read(id only) → Check(olds = news = read
        inputs), which must report no failures; the resource joins the state."""
        self._ensure_configured(False)
        urn = self.urn(type_token, name)
        if urn in self.state:
            raise HarnessError(f"{urn} is already in the stack")
        rid, outputs, read_inputs = self._read_for_import(urn, type_token, name, resource_id)
        checked = self._check(urn, type_token, name, read_inputs, read_inputs, False)
        with self._state_lock:
            self.state[urn] = ResourceState(urn, type_token, name, rid, checked, outputs)
        return Step("import", urn, rid, checked, outputs, imported=True)

    # -- invoke ------------------------------------------------------------------------------
    def invoke(
        self, token: str, args: Mapping[str, Any] | None = None, *, preview: bool = False
    ) -> dict[str, Any]:
        """``Invoke``: args never unknown; ``failures`` raise :class:`InvokeFailedError`."""
        self._ensure_configured(preview)
        args = dict(args or {})
        response = self.provider.call(
            "Invoke",
            provider_pb2.InvokeRequest(
                tok=token,
                args=encode_struct(args, keep_secrets=self._keep_secrets, reject_unknowns=True),
                preview=preview,
            ),
        )
        failures = [Failure(f.property, f.reason) for f in response.failures]
        if failures:
            raise InvokeFailedError(token, failures)
        return self._decode(
            getattr(response, "return"), args, unknowns_ok=False, what=f"Invoke {token}"
        )
