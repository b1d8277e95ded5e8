"""The step planner: what the engine's step generator decides per resource from Check and
Diff (create, same, update, replace in either order, import, delete) and how a finished
step is committed to the state.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from pulumi.runtime.proto import provider_pb2

from deltastream_pulumi.testing.errors import (
    HarnessError,
    ImportMismatchError,
    ProviderRPCError,
)
from deltastream_pulumi.testing.graph import GraphRunner, _Run
from deltastream_pulumi.testing.results import (
    DiffResult,
    OperationResult,
    OutputRef,
    Resource,
    ResourceState,
    Step,
)
from deltastream_pulumi.testing.wire import (
    Secret,
    Unknown,
    contains_unknown,
    reveal,
)


class StepPlanner(GraphRunner):
    """The engine's step generator: per resource, create, same, update, replace (both orders),
    import or delete, from Check and Diff answers; state committed as each step ends."""

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
            with self._partial(run, resource, urn, checked, news, property_deps, dependencies):
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

        checked = self._check(
            urn, resource.type, resource.name, old.inputs, news, run.preview, old.outputs
        )
        diff = self._diff(
            old, old.outputs, old.inputs, checked, resource.ignore_changes, run.preview
        )
        forced = old.pending_replacement or urn in run.dependent_replaces
        if forced or diff.replace:
            self._replace(resource, old, news, property_deps, dependencies, diff, run, forced)
        elif diff.changes == "some" or old.init_errors:
            # a resource with init errors is updated even without changes (engine behaviour)
            with self._partial(
                run, resource, urn, checked, news, property_deps, dependencies, old.id
            ):
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
            # "same": no provider call, but the new checked inputs are written to state
            # (docs/reference/pulumi-protocol.md#no-changes)
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
        # the engine re-runs Check with empty olds before replacing
        # (docs/reference/pulumi-protocol.md#replacement)
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
        with self._partial(run, resource, urn, checked, news, property_deps, dependencies):
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

    @contextlib.contextmanager
    def _partial(
        self,
        run: _Run,
        resource: Resource,
        urn: str,
        checked: dict[str, Any],
        program_inputs: Mapping[str, Any],
        property_deps: dict[str, list[str]],
        dependencies: list[str],
        old_id: str = "",
    ) -> Iterator[None]:
        """Record a Create/Update partial failure as the engine does, then let it fail the
        step: the id and outputs it carries go to the state, its reasons to ``init_errors``."""
        try:
            yield
        except ProviderRPCError as exc:
            detail = exc.detail(provider_pb2.ErrorResourceInitFailed)
            rid = (detail.id or old_id) if detail is not None else ""
            if run.preview or detail is None or not rid:
                raise
            outputs = self._decode(
                detail.properties, checked, unknowns_ok=False, what=f"partial failure {urn}"
            )
            self._commit(
                run,
                resource,
                urn,
                rid,
                checked,
                outputs,
                program_inputs,
                property_deps,
                dependencies,
                Step("create" if not old_id else "update", urn, rid, checked, outputs),
            )
            with self._state_lock:
                self.state[urn].init_errors = list(detail.reasons) or [exc.details]
            raise

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
                ignore_changes=tuple(resource.ignore_changes),
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
