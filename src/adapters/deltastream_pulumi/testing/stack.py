"""A stack driver that plays the Pulumi engine's step generator against a provider process.

It keeps Pulumi-like state (urn → id, inputs, outputs, dependencies) and issues the RPC
sequences of protocol doc §3: preview, up (create / same / update / replace, both
delete-before-replace and create-before-delete, deletes of removed resources at the end in
reverse dependency order), refresh, import (``pulumi import`` and the ``import:`` option),
destroy and invoke. Resources are small dataclasses; an input may reference another
resource's output with :func:`ref` / :meth:`Resource.out`, resolved once that resource's step
finished — unknown during preview unless the preview step returned a known value, as with
the engine.
"""

from __future__ import annotations

import os
import queue
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pulumi.runtime.proto import provider_pb2

from deltastream_pulumi.config import engine_default_parallel
from deltastream_pulumi.testing.errors import (
    CheckFailedError,
    Failure,
    HarnessError,
    ImportMismatchError,
    InvokeFailedError,
)
from deltastream_pulumi.testing.process import ProviderProcess
from deltastream_pulumi.testing.wire import (
    Secret,
    Unknown,
    contains_unknown,
    decode_struct,
    encode_struct,
    reveal,
)

_KIND_NAMES = {v: k for k, v in provider_pb2.PropertyDiff.Kind.items()}
_CHANGES = {0: "unknown", 1: "none", 2: "some"}

StepOp = Literal["create", "same", "update", "replace", "delete", "import", "read"]


# -- program model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OutputRef:
    """An input that is another resource's output (``key`` may be ``"id"`` or ``"urn"``),
    optionally mapped through ``transform`` once known."""

    target: Resource
    key: str
    transform: Callable[[Any], Any] | None = None

    def apply(self, transform: Callable[[Any], Any]) -> OutputRef:
        previous = self.transform

        def chained(value: Any) -> Any:
            return transform(previous(value) if previous else value)

        return OutputRef(self.target, self.key, chained)


@dataclass(eq=False)
class Resource:
    """A custom resource as a program registers it.

    ``inputs`` may hold plain values, :class:`Secret`, :class:`Unknown` and :class:`OutputRef`
    (anywhere inside lists and dicts). ``depends_on`` adds ordering-only dependencies.
    """

    type: str
    name: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    depends_on: Sequence[Resource] = ()
    delete_before_replace: bool | None = None
    ignore_changes: Sequence[str] = ()
    import_id: str | None = None
    additional_secret_outputs: Sequence[str] = ()
    timeout: float = 0.0

    def out(self, key: str, transform: Callable[[Any], Any] | None = None) -> OutputRef:
        """A reference to one of this resource's outputs."""
        return OutputRef(self, key, transform)

    @property
    def id(self) -> OutputRef:
        return OutputRef(self, "id")


def ref(resource: Resource, key: str, transform: Callable[[Any], Any] | None = None) -> OutputRef:
    """``resource.out(key)``: an output reference for another resource's inputs."""
    return OutputRef(resource, key, transform)


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PropertyDiff:
    kind: str  # ADD, ADD_REPLACE, DELETE, DELETE_REPLACE, UPDATE, UPDATE_REPLACE
    input_diff: bool


@dataclass(frozen=True)
class DiffResult:
    """A ``DiffResponse``, decoded, after the engine's validity checks."""

    changes: str  # "unknown" | "none" | "some"
    replaces: tuple[str, ...] = ()
    stables: tuple[str, ...] = ()
    delete_before_replace: bool = False
    diffs: tuple[str, ...] = ()
    detailed_diff: Mapping[str, PropertyDiff] = field(default_factory=dict)
    has_detailed_diff: bool = False

    @property
    def replace(self) -> bool:
        """The engine replaces on a non-empty ``replaces`` or any ``*_REPLACE`` kind."""
        return bool(self.replaces) or any(
            d.kind.endswith("REPLACE") for d in self.detailed_diff.values()
        )

    @classmethod
    def from_proto(cls, response: Any) -> DiffResult:
        detailed = {
            path: PropertyDiff(_KIND_NAMES.get(d.kind, "UPDATE"), d.inputDiff)
            for path, d in response.detailedDiff.items()
        }
        result = cls(
            changes=_CHANGES.get(response.changes, "invalid"),
            replaces=tuple(response.replaces),
            stables=tuple(response.stables),
            delete_before_replace=response.deleteBeforeReplace,
            diffs=tuple(response.diffs),
            detailed_diff=detailed,
            has_detailed_diff=response.hasDetailedDiff,
        )
        result.validate()
        return result

    def validate(self) -> None:
        """Proto invariants (protocol doc §2.5) a well-behaved provider keeps."""
        if self.changes == "invalid":
            raise HarnessError("Diff returned an invalid DiffChanges value")
        if len(set(self.diffs)) != len(self.diffs):
            raise HarnessError(f"Diff lists a key twice in diffs: {self.diffs}")
        if self.has_detailed_diff:
            tops = {_top_key(p) for p in self.detailed_diff}
            if self.changes != "some" and self.detailed_diff:
                raise HarnessError(
                    f"Diff says {self.changes} but has detailedDiff {self.detailed_diff}"
                )
            missing = [k for k in self.diffs if k not in tops]
            extra = sorted(t for t in tops if t not in self.diffs)
            if self.changes == "some" and (missing or extra):
                raise HarnessError(
                    f"diffs {list(self.diffs)} and detailedDiff paths {sorted(self.detailed_diff)} "
                    f"disagree (missing {missing}, extra {extra})"
                )


def _top_key(path: str) -> str:
    for i, char in enumerate(path):
        if char in ".[":
            return path[:i]
    return path


@dataclass
class Step:
    """One resource step of an operation, with what the provider answered."""

    op: StepOp
    urn: str
    id: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    #: outputs exactly as the provider returned them (before the engine re-marks secrets)
    outputs: dict[str, Any] = field(default_factory=dict)
    diff: DiffResult | None = None
    delete_before_replace: bool = False
    #: replaced because a dependency was deleted before replacement (engine "dependent replace")
    dependent_replace: bool = False
    imported: bool = False

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


@dataclass
class OperationResult:
    """The steps an operation performed (or, for preview, planned)."""

    kind: str
    steps: list[Step] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """Step counts per op, like the CLI's "Resources:" footer."""
        return dict(Counter(s.op for s in self.steps))

    def step(self, name: str, op: str | None = None) -> Step:
        """The last step of the resource named ``name`` (optionally of one op)."""
        for s in reversed(self.steps):
            if s.name == name and (op is None or s.op == op):
                return s
        raise KeyError(f"no {op or ''} step for {name!r} in {[(s.op, s.name) for s in self.steps]}")

    def ops(self) -> list[tuple[str, str]]:
        """``(op, name)`` in execution order."""
        return [(s.op, s.name) for s in self.steps]


@dataclass
class ResourceState:
    """One resource in the stack's state, as the engine's snapshot holds it."""

    urn: str
    type: str
    name: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    #: deleted ahead of its replacement (delete-before-replace of a dependency)
    pending_replacement: bool = False
    delete_before_replace: bool | None = None
    timeout: float = 0.0


# -- the driver ------------------------------------------------------------------------------

T = TypeVar("T")


class _Run:
    """Per-operation bookkeeping shared by the step threads."""

    def __init__(self, kind: str, preview: bool) -> None:
        self.kind = kind
        self.preview = preview
        self.lock = threading.Lock()
        self.result = OperationResult(kind)
        #: urn → (id, outputs) visible to dependents
        self.resolved: dict[str, tuple[Any, dict[str, Any]]] = {}
        #: urns a delete-before-replace scheduled for replacement
        self.dependent_replaces: set[str] = set()
        #: create-before-delete replacements: old states to delete at the end
        self.pending_deletes: list[ResourceState] = []

    def add(self, step: Step) -> None:
        with self.lock:
            self.result.steps.append(step)


class Stack:
    """Pulumi-like state plus the engine's call sequences, over a :class:`ProviderProcess`.

    The provider is configured on first use (``CheckConfig`` → ``Configure``) unless it
    already is. ``parallel`` bounds concurrent steps (the CLI's ``--parallel``; ``None`` = the
    CLI's default, ``PULUMI_PARALLEL`` or else 4 x the CPU count, read when an operation starts;
    see docs/reference/rate-limits.md). Operations raise the first step error after in-flight steps
    finish, keeping state for the steps that completed, as the engine does.
    """

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

    def _ensure_configured(self, preview: bool) -> None:
        if not self.provider.configured:
            self.provider.configure(preview=preview)

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
            # the engine copies secretness from the request onto same-named keys (§2.13)
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

    # -- input resolution --------------------------------------------------------------------
    def _resolve(self, value: Any, run: _Run, deps: set[str]) -> Any:
        if isinstance(value, OutputRef):
            target_urn = self.urn_of(value.target)
            deps.add(target_urn)
            resolved = run.resolved.get(target_urn)
            if resolved is None:
                raise HarnessError(
                    f"{value.target.name!r} is referenced but not part of this program"
                )
            rid, outputs = resolved
            if value.key == "id":
                raw: Any = rid
            elif value.key == "urn":
                raw = target_urn
            else:
                raw = outputs.get(value.key, Unknown() if run.preview else None)
            if contains_unknown(raw):
                return Unknown()
            if value.transform is None:
                return raw
            secret = isinstance(raw, Secret)
            mapped = value.transform(reveal(raw))
            return Secret(mapped) if secret else mapped
        if isinstance(value, Secret):
            inner = self._resolve(value.value, run, deps)
            return inner if isinstance(inner, Secret) else Secret(inner)
        if isinstance(value, Mapping):
            return {k: self._resolve(v, run, deps) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._resolve(v, run, deps) for v in value]
        return value

    def _inputs_of(
        self, resource: Resource, run: _Run
    ) -> tuple[dict[str, Any], dict[str, list[str]]]:
        news: dict[str, Any] = {}
        property_deps: dict[str, list[str]] = {}
        for key, value in resource.inputs.items():
            deps: set[str] = set()
            news[key] = self._resolve(value, run, deps)
            if deps:
                property_deps[key] = sorted(deps)
        return news, property_deps

    @staticmethod
    def _dependencies(resource: Resource, urn_of: Callable[[Resource], str]) -> set[str]:
        deps = {urn_of(d) for d in resource.depends_on}

        def walk(value: Any) -> None:
            if isinstance(value, OutputRef):
                deps.add(urn_of(value.target))
            elif isinstance(value, Secret):
                walk(value.value)
            elif isinstance(value, Mapping):
                for v in value.values():
                    walk(v)
            elif isinstance(value, list | tuple):
                for v in value:
                    walk(v)

        walk(dict(resource.inputs))
        return deps

    # -- scheduling --------------------------------------------------------------------------
    def _run_graph(
        self,
        nodes: Sequence[T],
        key: Callable[[T], str],
        waits_for: Callable[[T], set[str]],
        fn: Callable[[T], None],
    ) -> None:
        """Run ``fn`` per node once the nodes it waits for finished; at most ``parallel`` at
        once. After a failure no new step starts; the first error is raised at the end."""
        pending = list(nodes)
        keys = {key(n) for n in nodes}
        # asked once per node: the scheduling loop below rescans the pending nodes often
        blocked_by = {id(n): waits_for(n) & keys for n in nodes}
        done: set[str] = set()
        errors: list[BaseException] = []
        workers = max(1, self.parallel or engine_default_parallel())
        pool = self._step_pool(workers)
        # steps report here as they end: one blocking get per step, where futures.wait would
        # lock and unlock every running future each time one finishes
        finished: queue.SimpleQueue[tuple[T, BaseException | None]] = queue.SimpleQueue()

        def step(node: T) -> None:
            try:
                fn(node)
            except BaseException as exc:  # re-raised by the scheduling thread below
                finished.put((node, exc))
            else:
                finished.put((node, None))

        running = 0
        while pending or running:
            if not errors:
                for node in list(pending):
                    if running >= workers:
                        break
                    if blocked_by[id(node)] <= done:
                        pending.remove(node)
                        pool.submit(step, node)
                        running += 1
            if not running:
                if pending and not errors:
                    raise HarnessError(f"dependency cycle among {[key(n) for n in pending]}")
                break
            node, exc = finished.get()
            running -= 1
            if exc is not None:
                errors.append(exc)
            else:
                done.add(key(node))
        if errors:
            raise errors[0]

    def _step_pool(self, workers: int) -> futures.ThreadPoolExecutor:
        """The stack's step threads, kept between operations (starting up to 64 threads per
        ``up`` cost the harness as much CPU as the RPCs it sends)."""
        if self._pool is None or self._pool_size < workers:
            if self._pool is not None:
                self._pool.shutdown(wait=False)
            self._pool = futures.ThreadPoolExecutor(workers, thread_name_prefix="step")
            self._pool_size = workers
            weakref.finalize(self, self._pool.shutdown, wait=False)
        return self._pool

    # -- RPC wrappers ------------------------------------------------------------------------
    def _check(
        self,
        urn: str,
        type_token: str,
        name: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        preview: bool,
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
            ),
        )
        failures = [Failure(f.property, f.reason) for f in response.failures]
        if failures:
            raise CheckFailedError(urn, failures)
        # with acceptSecrets the engine does NOT re-mark secrets on Check output (§2.4)
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
            # legacy: the engine compares old and new inputs itself (§3.3)
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
        name and for ``additionalSecretOutputs`` (§2.6)."""
        marked = dict(outputs)
        secret_keys = {k for k, v in program_inputs.items() if isinstance(v, Secret)}
        if resource is not None:
            secret_keys |= set(resource.additional_secret_outputs)
        for key in secret_keys & marked.keys():
            if not isinstance(marked[key], Secret):
                marked[key] = Secret(marked[key])
        return marked

    # -- preview / up ------------------------------------------------------------------------
    def preview(self, resources: Sequence[Resource]) -> OperationResult:
        """``pulumi preview``: Check (unknowns allowed) → Diff → Create/Update with
        ``preview=true``; never Delete; state untouched."""
        return self._deploy(resources, preview=True)

    def up(self, resources: Sequence[Resource]) -> OperationResult:
        """``pulumi up --skip-preview``: the update pass of §3.2-3.5, then deletes of removed
        resources (and create-before-delete leftovers) in reverse dependency order."""
        return self._deploy(resources, preview=False)

    def _deploy(self, resources: Sequence[Resource], *, preview: bool) -> OperationResult:
        self._ensure_configured(preview)
        run = _Run("preview" if preview else "update", preview)
        urns = [self.urn_of(r) for r in resources]
        if len(set(urns)) != len(urns):
            raise HarnessError("duplicate resource URNs in the program")
        self._run_graph(
            list(resources),
            self.urn_of,
            lambda r: self._dependencies(r, self.urn_of),
            lambda r: self._register(r, run),
        )
        if not preview:
            # create-before-delete leftovers, then resources the program no longer declares
            program = set(urns)
            removed = [st for st in self.state.values() if st.urn not in program]
            self._delete_many(run.pending_deletes, run, replaced=True)
            self._delete_many(removed, run, replaced=False)
        else:
            program = set(urns)
            for st in reversed(list(self.state.values())):
                if st.urn not in program:
                    run.add(Step("delete", st.urn, st.id, st.inputs, st.outputs))
        return run.result

    def _register(self, resource: Resource, run: _Run) -> None:
        urn = self.urn_of(resource)
        news, property_deps = self._inputs_of(resource, run)
        dependencies = sorted(self._dependencies(resource, self.urn_of))
        if not run.preview and any(contains_unknown(v) for v in news.values()):
            raise HarnessError(f"{urn}: unknown inputs outside preview")
        old = self.state.get(urn)

        if old is None and resource.import_id is not None:
            self._import_option(resource, urn, news, property_deps, dependencies, run)
            return

        if old is None:
            checked = self._check(urn, resource.type, resource.name, {}, news, run.preview)
            rid, outputs = self._create(urn, resource, checked, run.preview)
            self._commit(
                run,
                resource,
                urn,
                rid,
                checked,
                outputs,
                news,
                property_deps,
                dependencies,
                Step("create", urn, rid, checked, outputs),
            )
            return

        checked = self._check(urn, resource.type, resource.name, old.inputs, news, run.preview)
        diff = self._diff(
            old, old.outputs, old.inputs, checked, resource.ignore_changes, run.preview
        )
        forced = old.pending_replacement or urn in run.dependent_replaces
        if forced or diff.replace:
            self._replace(resource, old, news, property_deps, dependencies, diff, run, forced)
        elif diff.changes == "some":
            outputs = self._update(old, resource, checked, run.preview)
            self._commit(
                run,
                resource,
                urn,
                old.id,
                checked,
                outputs,
                news,
                property_deps,
                dependencies,
                Step("update", urn, old.id, checked, outputs, diff),
            )
        else:
            # "same": no provider call, but the new checked inputs are written to state (§3.3)
            self._commit(
                run,
                resource,
                urn,
                old.id,
                checked,
                old.outputs,
                news,
                property_deps,
                dependencies,
                Step("same", urn, old.id, checked, old.outputs, diff),
                mark=False,
            )

    def _replace(
        self,
        resource: Resource,
        old: ResourceState,
        news: dict[str, Any],
        property_deps: dict[str, list[str]],
        dependencies: list[str],
        diff: DiffResult,
        run: _Run,
        forced: bool,
    ) -> None:
        urn = old.urn
        # the engine re-runs Check with empty olds before replacing (§3.5)
        checked = self._check(urn, resource.type, resource.name, {}, news, run.preview)
        dbr = (
            resource.delete_before_replace
            if resource.delete_before_replace is not None
            else diff.delete_before_replace
        )
        if not old.pending_replacement and urn not in run.dependent_replaces and dbr:
            # dependents that a delete of this resource would replace go first (reverse order)
            dependents = self._dependent_replacements(old, run.preview)
            with run.lock:
                run.dependent_replaces.update(d.urn for d in dependents)
            if not run.preview:
                for dependent in reversed(dependents):
                    self._delete(dependent)
                    dependent.pending_replacement = True
                    run.add(
                        Step(
                            "delete",
                            dependent.urn,
                            dependent.id,
                            dependent.inputs,
                            dependent.outputs,
                            dependent_replace=True,
                        )
                    )
                self._delete(old)
                old.pending_replacement = True
        already_deleted = old.pending_replacement
        rid, outputs = self._create(urn, resource, checked, run.preview)
        step = Step(
            "replace",
            urn,
            rid,
            checked,
            outputs,
            diff,
            delete_before_replace=bool(dbr) or already_deleted,
            dependent_replace=forced,
        )
        if not run.preview and not dbr and not already_deleted:
            run.pending_deletes.append(old)  # create-before-delete: old deleted at the end
        self._commit(
            run, resource, urn, rid, checked, outputs, news, property_deps, dependencies, step
        )

    def _dependent_replacements(self, root: ResourceState, preview: bool) -> list[ResourceState]:
        """Engine ``calculateDependentReplacements``: dependents whose Diff, with inputs that
        depend on a to-be-deleted resource set unknown, asks for replacement."""
        replace_set = {root.urn}
        found: list[ResourceState] = []
        for st in list(self.state.values()):
            if st.urn == root.urn or st.pending_replacement:
                continue
            if not (set(st.dependencies) & replace_set):
                continue
            news = dict(st.inputs)
            touched = False
            for key, deps in st.property_dependencies.items():
                if set(deps) & replace_set:
                    news[key] = Unknown()
                    touched = True
            if not touched:
                continue
            diff = self._diff(st, st.outputs, st.inputs, news, (), preview=True)
            if diff.replace:
                replace_set.add(st.urn)
                found.append(st)
        return found

    def _commit(
        self,
        run: _Run,
        resource: Resource,
        urn: str,
        rid: str,
        checked: dict[str, Any],
        outputs: dict[str, Any],
        program_inputs: Mapping[str, Any],
        property_deps: dict[str, list[str]],
        dependencies: list[str],
        step: Step,
        *,
        mark: bool = True,
    ) -> None:
        stored_outputs = self._mark_secrets(resource, program_inputs, outputs) if mark else outputs
        run.add(step)
        with run.lock:
            run.resolved[urn] = (
                Unknown() if run.preview and step.op in ("create", "replace") else rid,
                stored_outputs,
            )
        if run.preview:
            return
        with self._state_lock:
            self.state[urn] = ResourceState(
                urn=urn,
                type=resource.type,
                name=resource.name,
                id=rid,
                inputs=checked,
                outputs=stored_outputs,
                dependencies=dependencies,
                property_dependencies=property_deps,
                delete_before_replace=resource.delete_before_replace,
                timeout=resource.timeout,
            )

    def _import_option(
        self,
        resource: Resource,
        urn: str,
        news: dict[str, Any],
        property_deps: dict[str, list[str]],
        dependencies: list[str],
        run: _Run,
    ) -> None:
        """``import: <id>``: Read(id only) → Check(olds=read inputs, news=program inputs) →
        Diff(read outputs, read inputs, checked); replace is an error, update follows (3.174+)."""
        assert resource.import_id is not None
        rid, outputs, read_inputs = self._read_for_import(
            urn, resource.type, resource.name, resource.import_id
        )
        checked = self._check(urn, resource.type, resource.name, read_inputs, news, run.preview)
        imported = ResourceState(urn, resource.type, resource.name, rid, read_inputs, outputs)
        diff = self._diff(
            imported, outputs, read_inputs, checked, resource.ignore_changes, run.preview
        )
        if diff.replace:
            raise ImportMismatchError(
                f"{urn}: inputs to import do not match the existing resource; importing this "
                f"resource would require replacement "
                f"({list(diff.replaces) or list(diff.detailed_diff)})"
            )
        step = Step("import", urn, rid, checked, outputs, diff, imported=True)
        if diff.changes == "some":
            outputs = self._update(imported, resource, checked, run.preview)
            step = Step("update", urn, rid, checked, outputs, diff, imported=True)
        self._commit(
            run, resource, urn, rid, checked, outputs, news, property_deps, dependencies, step
        )

    def _read_for_import(
        self, urn: str, type_token: str, name: str, resource_id: str
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        response = self._read(urn, type_token, name, resource_id, None, None)
        if not response.id:
            raise HarnessError(f"resource '{resource_id}' does not exist")
        if not response.HasField("inputs") or not response.inputs.fields:
            raise HarnessError(
                f"{type_token}: provider does not support importing resources "
                "(Read returned no inputs)"
            )
        outputs = self._decode(response.properties, {}, unknowns_ok=False, what=f"Read {urn}")
        inputs = self._decode(response.inputs, {}, unknowns_ok=False, what=f"Read {urn}")
        return response.id, outputs, inputs

    # -- deletes -----------------------------------------------------------------------------
    def _delete_many(self, states: Sequence[ResourceState], run: _Run, *, replaced: bool) -> None:
        """Delete in reverse dependency order: a resource waits for its dependents."""
        if not states:
            return
        targets = {st.urn for st in states}
        dependents: dict[str, set[str]] = {st.urn: set() for st in states}
        for other in states:
            for urn in other.dependencies:
                if urn in dependents and urn != other.urn and other.urn in targets:
                    dependents[urn].add(other.urn)

        def dependents_of(st: ResourceState) -> set[str]:
            return dependents[st.urn]

        def key(st: ResourceState) -> str:
            return f"{st.urn}#{id(st)}" if replaced else st.urn

        keyed = {st.urn: key(st) for st in states}

        def delete(st: ResourceState) -> None:
            if not st.pending_replacement:
                self._delete(st)
            run.add(Step("delete", st.urn, st.id, st.inputs, st.outputs))
            if not replaced:
                with self._state_lock:
                    self.state.pop(st.urn, None)

        self._run_graph(list(states), key, lambda st: {keyed[u] for u in dependents_of(st)}, delete)

    def destroy(self) -> OperationResult:
        """``pulumi destroy``: Delete every resource in reverse dependency order."""
        self._ensure_configured(False)
        run = _Run("destroy", False)
        self._delete_many(list(self.state.values()), run, replaced=False)
        return run.result

    # -- refresh and import ------------------------------------------------------------------
    def refresh(self) -> OperationResult:
        """``pulumi refresh``: Read(id, properties, inputs) per resource; an empty id drops it;
        otherwise the inverted Diff (olds = refreshed, news = pre-refresh inputs)."""
        self._ensure_configured(False)
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
            diff = self._diff(refreshed, outputs, inputs, st.inputs, (), preview=False)
            with self._state_lock:
                st.id, st.inputs, st.outputs = response.id, inputs, outputs
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


def assert_secret(values: Mapping[str, Any], *keys: str) -> None:
    """Assert each key is present and still a :class:`Secret` (kept secret end to end)."""
    for key in keys:
        if key not in values:
            raise AssertionError(f"{key!r} missing from {sorted(values)}")
        if not isinstance(values[key], Secret):
            raise AssertionError(f"{key!r} lost its secretness: {values[key]!r}")


def resources(*items: Resource | Iterable[Resource]) -> list[Resource]:
    """Flatten resources and lists of resources into a program."""
    out: list[Resource] = []
    for item in items:
        if isinstance(item, Resource):
            out.append(item)
        else:
            out.extend(item)
    return out
