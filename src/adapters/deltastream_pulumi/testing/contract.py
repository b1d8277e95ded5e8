"""The contract kit: the lifecycle laws every resource kind must keep, checked on the real
provider process and a real ``deltastream-local`` with hypothesis-generated inputs.

A kind's author declares what the kit cannot guess (which values are valid, which properties
update in place, how to drop the object behind Pulumi's back) in a :class:`KindContract`;
:func:`check_contract` then checks, per generated example:

1. valid inputs pass Check; each declared invalid input fails naming its property;
2. preview writes nothing to the catalog;
3. create, then the outputs echo every input (secrets still secret);
4. a second ``up`` with equal inputs is no change;
5. refresh after create shows no drift (server-filled defaults included);
6. import by id diffs clean, except declared unreadable inputs;
7. each declared in-place property updates in place and reads back;
8. each replace-on-change property plans a replacement;
9. creating the same object again fails with a ``pulumi import`` line that works;
10. an out-of-band drop makes refresh drop the resource;
11. delete twice succeeds;
12. no secret value appears in the provider's stderr or the engine's log.

A broken law raises :class:`ContractViolation` naming the kind, the law and the example.
See ``docs/testing-plugins.md``.
"""

from __future__ import annotations

import re
import shlex
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing.engine import EngineLogServer
from deltastream_pulumi.testing.errors import CheckFailedError, HarnessError, ProviderRPCError
from deltastream_pulumi.testing.process import ProviderProcess
from deltastream_pulumi.testing.stack import Resource, ResourceState, Stack
from deltastream_pulumi.testing.strategies import names, strategies_for
from deltastream_pulumi.testing.wire import Secret, reveal

#: builds the inputs strategy from the prerequisites' outputs (by resource name)
InputsFactory = Callable[[Mapping[str, Mapping[str, Any]]], st.SearchStrategy[dict[str, Any]]]
#: drops the object out of band, given the server and the resource's outputs
Dropper = Callable[[LocalServer, Mapping[str, Any]], None]

__all__ = [
    "ContractViolation",
    "Dropper",
    "InputsFactory",
    "Invalid",
    "KindContract",
    "Mutation",
    "check_contract",
    "names",
    "strategies_for",
]

_IMPORT_LINE = re.compile(r"pulumi import [^\n`]+")


class ContractViolation(AssertionError):
    """A lifecycle law does not hold for a kind; the message names the law and the example."""


@attrs.frozen
class Mutation:
    """An input change the kit applies to a valid example: ``property`` gets one of
    ``values`` that differs from the example's (declare values that also differ once
    normalized, e.g. by case)."""

    property: str
    values: st.SearchStrategy[Any]


@attrs.frozen
class Invalid:
    """An invalid input: ``transform`` breaks a valid example; Check must name ``property``."""

    property: str
    transform: Callable[[dict[str, Any]], dict[str, Any]]
    why: str = ""


@attrs.frozen
class KindContract:
    """What the kit needs to know of one kind."""

    #: the kind's type token, e.g. ``deltastream:index:Database``
    token: str
    #: valid inputs, given the prerequisites' outputs; make names unique with :func:`names`,
    #: or derive them from the inputs model with :func:`strategies_for`
    inputs: InputsFactory
    #: resources the inputs refer to (a database for a namespace, …), created once
    prerequisites: Callable[[], Sequence[Resource]] = tuple
    #: properties that must update in place, with new values for them
    updates: Sequence[Mutation] = ()
    #: properties whose change must plan a replacement, with new values for them
    replaces: Sequence[Mutation] = ()
    #: inputs Check must refuse
    invalid: Sequence[Invalid] = ()
    #: drops the object out of band (None: the refresh-after-drop law is not checked)
    drop: Dropper | None = None
    #: inputs DeltaStream never returns (secrets, write-only settings): import cannot read
    #: them; a dotted path (``confluent.password``) names a key inside a block
    unreadable: tuple[str, ...] = ()
    #: creating the same inputs twice must fail with a working import line
    unique: bool = True


def check_contract(
    contract: KindContract,
    *,
    provider: ProviderProcess,
    server: LocalServer,
    engine_log: EngineLogServer | None = None,
    examples: int = 3,
) -> None:
    """Check every law of ``contract`` on ``examples`` generated inputs (see the module doc)."""
    base = Stack(provider)
    prerequisites = list(contract.prerequisites())
    try:
        if prerequisites:
            base.up(prerequisites)
        env = {res.name: dict(base.get(res.name).outputs) for res in prerequisites}
        strategy = contract.inputs(env)
        laws = _Laws(contract, provider, server, engine_log)

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            # no shrinking: each run is a whole lifecycle; the failing example is in the message
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(inputs=strategy, data=st.data())
        def each(inputs: dict[str, Any], data: st.DataObject) -> None:
            laws.check_all(inputs, data)

        each()
    finally:
        if base.state and provider.running:
            base.destroy()


class _Laws:
    def __init__(
        self,
        contract: KindContract,
        provider: ProviderProcess,
        server: LocalServer,
        engine_log: EngineLogServer | None,
    ) -> None:
        self.c = contract
        self.provider = provider
        self.server = server
        self.engine_log = engine_log
        self.example: dict[str, Any] = {}

    def fail(self, law: str, detail: str) -> ContractViolation:
        shown = {k: ("[secret]" if isinstance(v, Secret) else v) for k, v in self.example.items()}
        return ContractViolation(f"{self.c.token}: {law}: {detail}\n  example inputs: {shown}")

    def writes(self) -> int:
        return int(self.server.stats()["statements"].get("writes", 0))

    def check_all(self, inputs: dict[str, Any], data: st.DataObject) -> None:
        self.example = inputs
        stack = Stack(self.provider)
        name = f"res{uuid.uuid4().hex[:6]}"
        res = Resource(self.c.token, name, inputs)
        try:
            self.invalid_inputs_fail(stack, inputs)
            self.preview_writes_nothing(stack, res)
            state = self.create_round_trips(stack, res)
            self.equal_inputs_no_change(stack, res)
            self.refresh_no_drift(stack, name, "after create")
            self.import_diffs_clean(state, inputs)
            self.updates_in_place(stack, res, data)
            self.replaces_plan_replacement(stack, res, data)
            if self.c.unique:
                self.already_exists_imports(stack.get(name), inputs)
            self.delete_twice(stack, name)
            if self.c.drop is not None:
                self.drop_out_of_band_refreshes_away(inputs)
            self.no_secret_leaks(inputs)
        finally:
            if stack.state and self.provider.running:
                stack.destroy()

    # -- the laws ----------------------------------------------------------------------------
    def invalid_inputs_fail(self, stack: Stack, inputs: dict[str, Any]) -> None:
        for invalid in self.c.invalid:
            bad = invalid.transform(dict(inputs))
            try:
                stack.preview([Resource(self.c.token, "invalid", bad)])
            except CheckFailedError as exc:
                if invalid.property not in exc.properties:
                    raise self.fail(
                        "invalid input names its property",
                        f"{invalid.why or invalid.property}: Check failed on "
                        f"{sorted(exc.properties)}, not {invalid.property!r}",
                    ) from None
            else:
                raise self.fail(
                    "invalid input fails Check", f"{invalid.why or invalid.property} passed Check"
                )

    def preview_writes_nothing(self, stack: Stack, res: Resource) -> None:
        before = self.writes()
        try:
            plan = stack.preview([res])
        except CheckFailedError as exc:
            raise self.fail("valid inputs pass Check", str(exc)) from None
        if plan.step(res.name).op != "create":
            raise self.fail("preview plans a create", f"planned {plan.step(res.name).op}")
        if self.writes() != before:
            raise self.fail("preview writes nothing", f"{self.writes() - before} write(s)")

    def create_round_trips(self, stack: Stack, res: Resource) -> ResourceState:
        step = stack.up([res]).step(res.name)
        if step.op != "create":
            raise self.fail("up creates", f"step was {step.op}")
        state = stack.get(res.name)
        for key, value in res.inputs.items():
            if key not in state.outputs:
                raise self.fail("outputs echo the inputs", f"{key!r} missing from the outputs")
            if isinstance(value, Secret) and not isinstance(state.outputs[key], Secret):
                raise self.fail("secrets stay secret", f"output {key!r} is not secret")
        return state

    def equal_inputs_no_change(self, stack: Stack, res: Resource) -> None:
        op = stack.up([res]).step(res.name).op
        if op != "same":
            raise self.fail("equal inputs are no change", f"a second up planned {op}")

    def refresh_no_drift(self, stack: Stack, name: str, when: str) -> None:
        step = stack.refresh().step(name)
        if step.op != "same":
            changed = list(step.diff.diffs) if step.diff else "?"
            raise self.fail("refresh shows no drift", f"{when}: refresh found changes in {changed}")

    def import_diffs_clean(self, state: ResourceState, inputs: dict[str, Any]) -> None:
        other = Stack(self.provider)
        program = _without(inputs, self.c.unreadable)
        imported = Resource(self.c.token, f"{state.name}imp", program, import_id=state.id)
        try:
            step = other.up([imported]).step(imported.name)
        except (HarnessError, ProviderRPCError) as exc:
            raise self.fail("import by id diffs clean", str(exc)) from None
        finally:
            other.state.clear()  # the original stack owns the object
        if step.op != "import":
            raise self.fail("import by id diffs clean", f"import planned {step.op}")

    def updates_in_place(self, stack: Stack, res: Resource, data: st.DataObject) -> None:
        for mutation in self.c.updates:
            values = _differing(mutation.values, res.inputs.get(mutation.property))
            value = data.draw(values, label=f"update {mutation.property}")
            res.inputs = {**res.inputs, mutation.property: value}
            try:
                step = stack.up([res]).step(res.name)
            except CheckFailedError as exc:
                raise self.fail("a declared new value passes Check", str(exc)) from None
            if step.op != "update":
                raise self.fail(
                    "in-place property updates in place",
                    f"changing {mutation.property!r} planned {step.op}",
                )
            read_back = stack.get(res.name).outputs.get(mutation.property)
            if reveal(read_back) != reveal(value):
                raise self.fail(
                    "an update reads back", f"{mutation.property!r} reads back as {read_back!r}"
                )
            self.refresh_no_drift(stack, res.name, f"after updating {mutation.property!r}")

    def replaces_plan_replacement(self, stack: Stack, res: Resource, data: st.DataObject) -> None:
        for mutation in self.c.replaces:
            values = _differing(mutation.values, res.inputs.get(mutation.property))
            value = data.draw(values, label=f"replace {mutation.property}")
            changed = Resource(res.type, res.name, {**res.inputs, mutation.property: value})
            try:
                op = stack.preview([changed]).step(res.name).op
            except CheckFailedError as exc:
                raise self.fail("a declared new value passes Check", str(exc)) from None
            if op != "replace":
                raise self.fail(
                    "replace-on-change property plans a replacement",
                    f"changing {mutation.property!r} planned {op}",
                )

    def already_exists_imports(self, state: ResourceState, inputs: dict[str, Any]) -> None:
        other = Stack(self.provider)
        twin = Resource(self.c.token, f"{state.name}twin", inputs)
        try:
            other.up([twin])
        except ProviderRPCError as exc:
            message = exc.details
        else:
            other.destroy()
            raise self.fail("a second create of the same object fails", "it succeeded")
        match = _IMPORT_LINE.search(message)
        if match is None:
            raise self.fail("'already exists' carries an import line", message)
        argv = shlex.split(match.group(0))
        if argv[:2] != ["pulumi", "import"] or len(argv) != 5:
            raise self.fail("the import line is `pulumi import <type> <name> <id>`", str(argv))
        _, _, token, name, resource_id = argv
        importer = Stack(self.provider)
        try:
            step = importer.import_(token, name, resource_id)
        except (HarnessError, ProviderRPCError, CheckFailedError) as exc:
            raise self.fail("the import line works", f"{argv}: {exc}") from None
        finally:
            importer.state.clear()
        if token != self.c.token or step.id != state.id:
            raise self.fail("the import line adopts this object", f"{argv} imported {step.id}")

    def delete_twice(self, stack: Stack, name: str) -> None:
        state = stack.get(name)
        stack.destroy()
        stack.state[state.urn] = state  # the engine retrying a delete it lost the answer to
        try:
            stack.destroy()
        except ProviderRPCError as exc:
            raise self.fail("delete of a gone object succeeds", str(exc)) from None

    def drop_out_of_band_refreshes_away(self, inputs: dict[str, Any]) -> None:
        assert self.c.drop is not None
        stack = Stack(self.provider)
        res = Resource(self.c.token, f"oob{uuid.uuid4().hex[:6]}", inputs)
        stack.up([res])
        self.c.drop(self.server, stack.get(res.name).outputs)
        step = stack.refresh().step(res.name)
        if step.op != "delete" or stack.state:
            raise self.fail("refresh drops what was dropped out of band", f"refresh: {step.op}")

    def no_secret_leaks(self, inputs: dict[str, Any]) -> None:
        secrets = [reveal(v) for v in _walk_secrets(inputs)]
        texts = {"the provider's stderr": self.provider.stderr_text()}
        if self.engine_log is not None:
            texts["the engine log"] = self.engine_log.text()
        for where, text in texts.items():
            for value in secrets:
                if len(str(value)) >= 4 and str(value) in text:
                    raise self.fail("no secret leaks", f"a secret input appears in {where}")


def _without(values: Mapping[str, Any], paths: Sequence[str]) -> dict[str, Any]:
    """``values`` less the (dotted) ``paths``: ``confluent.password`` drops one nested key."""
    out = dict(values)
    for path in paths:
        head, _, rest = path.partition(".")
        if head not in out:
            continue
        if rest and isinstance(out[head], Mapping):
            out[head] = _without(out[head], [rest])
        elif not rest:
            del out[head]
    return out


def _differing(values: st.SearchStrategy[Any], current: Any) -> st.SearchStrategy[Any]:
    """``values`` without the example's current value (a change to itself is no change)."""
    plain = reveal(current)

    def differs(value: Any) -> bool:
        return bool(reveal(value) != plain)

    return values.filter(differs)


def _walk_secrets(value: Any) -> list[Secret]:
    if isinstance(value, Secret):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _walk_secrets(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _walk_secrets(v)]
    return []
