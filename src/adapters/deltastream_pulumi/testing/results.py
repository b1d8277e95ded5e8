"""What a harness program and its operations are made of: resources and output references,
decoded diffs, steps, operation results and the stack's per-resource state.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pulumi.runtime.proto import provider_pb2

from deltastream_pulumi.testing.errors import (
    HarnessError,
)
from deltastream_pulumi.testing.wire import (
    Secret,
)

_KIND_NAMES = {v: k for k, v in provider_pb2.PropertyDiff.Kind.items()}


_CHANGES = {0: "unknown", 1: "none", 2: "some"}


StepOp = Literal["create", "same", "update", "replace", "delete", "import", "read"]


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
        """Proto invariants (docs/reference/pulumi-protocol.md#diff-invariants) a well-behaved
        provider keeps."""
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
    #: the program's ignoreChanges, kept in the state: refresh's Diff sends them too
    ignore_changes: tuple[str, ...] = ()
    #: reasons of a partial failure (``ErrorResourceInitFailed``): the next up calls Update
    init_errors: list[str] = field(default_factory=list)


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
