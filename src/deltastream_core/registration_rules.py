"""The rules a resource kind or function must meet to be registered.

Each rule catches a mistake that would otherwise pass the schema and the harness and fail
only for a real program: a token a generated SDK cannot reach, a lifecycle method the
provider cannot await, outputs that drop an input or its replace/secret marks.
"""

from __future__ import annotations

import inspect
import re

import attrs

from deltastream_core.model import input_fields, is_model, meta_of, wire_name

PACKAGE = "deltastream"
#: ``deltastream:index:<Name>``: the only module the generated SDKs expose
TOKEN = re.compile(r"^(?P<package>[^:]*):(?P<module>[^:]*):(?P<name>[^:]*)$")
RESOURCE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
FUNCTION_NAME = re.compile(r"^[a-z][A-Za-z0-9]*$")

KIND_LIFECYCLE = ("check", "create", "read", "update", "delete")
FUNCTION_LIFECYCLE = ("invoke",)


def token_problems(token: object, *, resource: bool) -> list[str]:
    """Why ``token`` cannot be a resource (or function) token of this package."""
    shape = "PascalCase, e.g. MyStore" if resource else "camelCase, e.g. getMyStores"
    example = "deltastream:index:MyStore" if resource else "deltastream:index:getMyStores"
    if not isinstance(token, str) or not token:
        return [f"the class declares no `token` (expected e.g. {example!r})"]
    match = TOKEN.match(token)
    if match is None:
        return [f"token {token!r} is not of the form 'deltastream:index:<Name>'"]
    problems = []
    if match["package"] != PACKAGE or match["module"] != "index":
        problems.append(
            f"token {token!r} is outside the {PACKAGE!r} package's index module: a program "
            f"using this provider's SDK can only reach 'deltastream:index:<Name>' tokens"
        )
    name_rule = RESOURCE_NAME if resource else FUNCTION_NAME
    if not name_rule.match(match["name"]):
        problems.append(f"name {match['name']!r} in token {token!r} must be {shape}")
    return problems


def _description_problems(obj: object) -> list[str]:
    description = getattr(obj, "description", None)
    if not isinstance(description, str) or not description.strip():
        return ["it has no `description` (the schema and every SDK show it)"]
    return []


def _sync_methods(obj: object, names: tuple[str, ...]) -> list[str]:
    return [
        f"`{name}` must be `async def` (the provider awaits it)"
        for name in names
        if callable(getattr(obj, name, None))
        and not inspect.iscoroutinefunction(getattr(obj, name))
    ]


def _model_problems(obj: object, attribute: str) -> list[str]:
    model = getattr(obj, attribute, None)
    if not is_model(model):
        return [f"`{attribute}` must be an attrs class whose fields use prop()/output()"]
    return []


def _coverage_problems(inputs: type, outputs: type) -> list[str]:
    # Pulumi shows outputs as the resource's state: an input missing there is lost on refresh,
    # and a differing replace/secret mark diffs or leaks differently than the schema says.
    by_wire = {wire_name(f): meta_of(f) for f in attrs.fields(outputs)}
    problems = []
    for field in input_fields(inputs):
        key = wire_name(field)
        meta = meta_of(field)
        out = by_wire.get(key)
        if out is None:
            problems.append(f"outputs lack the input {key!r}")
            continue
        if out.secret != meta.secret:
            problems.append(
                f"input {key!r} is {'secret' if meta.secret else 'not secret'} but its "
                "output is not marked the same"
            )
        if out.replace != meta.replace:
            problems.append(f"input {key!r} and its output disagree on replace-on-change")
    return problems


def kind_problems(kind: object) -> list[str]:
    """Every rule a resource kind instance breaks (empty when it may be registered)."""
    problems = token_problems(getattr(kind, "token", None), resource=True)
    problems += _description_problems(kind)
    models = _model_problems(kind, "inputs") + _model_problems(kind, "outputs")
    problems += models
    problems += _sync_methods(kind, KIND_LIFECYCLE)
    if not models:
        problems += _coverage_problems(kind.inputs, kind.outputs)  # type: ignore[attr-defined]
    return problems


def function_problems(function: object) -> list[str]:
    """Every rule an invoke function instance breaks (empty when it may be registered)."""
    problems = token_problems(getattr(function, "token", None), resource=False)
    problems += _description_problems(function)
    problems += _model_problems(function, "args") + _model_problems(function, "result")
    problems += _sync_methods(function, FUNCTION_LIFECYCLE)
    return problems
