"""The Pulumi package schema, generated from the registered plugins.

Everything comes from the models' field metadata (:class:`~deltastream_core.model.Prop`):
descriptions, ``secret``, replace-on-change, deprecation; nested attrs models become
``types`` under their ``TYPE_TOKEN``. The top-level metadata is the official provider's, so
SDKs generated from this schema are drop-in replacements (same package names and tokens).

``python -m deltastream_pulumi.schema`` prints it; ``--write [PATH]`` writes the repository's
committed ``schema.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import importlib.metadata
import json
import sys
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from deltastream_core.kinds import Function, ResourceKind
from deltastream_core.model import (
    all_fields,
    input_fields,
    is_model,
    is_required_input,
    meta_of,
    resolved_type,
    strip_optional,
    wire_name,
)
from deltastream_core.registry import Registry, load_registry
from deltastream_core.secrets import Secret
from deltastream_pulumi.config import DESCRIPTIONS as CONFIG_DESCRIPTIONS

PACKAGE: Final = "deltastream"
DISTRIBUTION: Final = "pulumi-deltastream-py"

#: Where an engine that installs plugins automatically is told to get ours. Not a download
#: location: the engine knows no ``pip`` scheme, so it fails without a request (never fetching
#: the official Go binary from ``github://api.github.com/deltastreaminc``, the official URL),
#: with an error naming this URL: the pip distribution that installs the plugin
#: ``pulumi-resource-deltastream`` (docs/sdks.md, "How a program finds the plugin").
PLUGIN_DOWNLOAD_URL: Final = "pip://pulumi-deltastream-py"

#: The official provider's, so generated SDKs are drop-in replacements (same package, module and
#: type names), except ``pluginDownloadURL`` (above).
#: The distribution names that keep ours apart from the official packages are set by
#: ``make sdks`` (tools/sdkgen/generate.py), as the code generators have no option for them.
METADATA: Final[Mapping[str, Any]] = {
    "displayName": "DeltaStream",
    "description": "A Pulumi native provider for DeltaStream — manage databases, namespaces, "
    "stores, streams, queries, and applications as infrastructure.",
    "homepage": "https://www.deltastream.io",
    "pluginDownloadURL": PLUGIN_DOWNLOAD_URL,
    "namespace": "deltastream",
    "publisher": "DeltaStream Inc.",
    "logoUrl": "https://raw.githubusercontent.com/deltastreaminc/pulumi-deltastream/main/docs/"
    "deltastream-logo.png",
    "keywords": ["pulumi", "deltastream", "category/database", "kind/native"],
    "language": {
        "csharp": {
            "respectSchemaVersion": True,
            "packageName": "Pulumi.DeltaStream",
            "rootNamespace": "Pulumi",
        },
        "go": {
            "generateResourceContainerTypes": True,
            "importBasePath": "github.com/deltastreaminc/pulumi-deltastream/sdk/go/"
            "pulumi-deltastream",
            "respectSchemaVersion": True,
        },
        "nodejs": {"respectSchemaVersion": True, "packageName": "@deltastream/pulumi-deltastream"},
        "python": {
            "pyproject": {"enabled": True},
            "respectSchemaVersion": True,
            "packageName": "pulumi_deltastream",
        },
        "java": {
            "basePackage": "io.deltastream.pulumi.deltastream",
            "buildFiles": "gradle",
            "gradleNexusPublishPluginVersion": "1.3.0",
            "dependencies": {"com.pulumi:pulumi": "1.0.0"},
        },
    },
}

#: Provider configuration: key → (schema type, secret).
CONFIG_KEYS: Final = {
    "server": ("string", False),
    "apiKey": ("string", True),
    "organization": ("string", False),
    "role": ("string", False),
    "insecureSkipVerify": ("boolean", False),
    "sessionId": ("string", False),
    "maxConcurrentRequests": ("integer", False),
}
PROVIDER_DESCRIPTION: Final = (
    "The provider type for the DeltaStream package. Every key falls back to its "
    "`DELTASTREAM_*` environment variable; `server: local` runs an embedded local server."
)


def package_version() -> str:
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:  # running from a source tree
        return "0.0.0"


class SchemaError(Exception):
    """A plugin model cannot be expressed in the package schema."""


def type_token(model: type) -> str:
    """A nested model's ``types`` token: ``TYPE_TOKEN``, else ``deltastream:index:<Name>``."""
    token = getattr(model, "TYPE_TOKEN", None)
    return str(token) if token else f"{PACKAGE}:index:{model.__name__}"


def _description(obj: Any) -> str:
    text = getattr(obj, "DESCRIPTION", None) or (obj.__doc__ or "")
    return str(text).strip().split("\n\n", 1)[0].replace("\n", " ").strip()


class _Builder:
    def __init__(self) -> None:
        self.types: dict[str, dict[str, Any]] = {}
        self._seen: dict[str, type] = {}

    # -- type references -------------------------------------------------------------------

    def type_ref(self, tp: Any, where: str) -> dict[str, Any]:
        tp, _ = strip_optional(tp)
        origin = typing.get_origin(tp)
        if tp is str or tp is Secret:
            return {"type": "string"}
        if tp is bool:
            return {"type": "boolean"}
        if tp is int:
            return {"type": "integer"}
        if tp is float:
            return {"type": "number"}
        if tp in (dt.datetime, dt.date):
            return {"type": "string"}
        if tp is Any:
            return {"$ref": "pulumi.json#/Any"}
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            values = {type(m.value) for m in tp}
            return {"type": "integer" if values == {int} else "string"}
        if origin is typing.Literal:
            first = typing.get_args(tp)[0]
            return self.type_ref(type(first), where)
        if origin in (list, tuple, set, frozenset, Sequence):
            args = typing.get_args(tp)
            return {"type": "array", "items": self.type_ref(args[0] if args else str, where)}
        if origin in (dict, Mapping):
            args = typing.get_args(tp)
            value = args[1] if len(args) == 2 else str
            return {"type": "object", "additionalProperties": self.type_ref(value, where)}
        if is_model(tp):
            return {"$ref": f"#/types/{self.add_type(tp)}"}
        raise SchemaError(f"{where}: no schema type for {tp!r}")

    def add_type(self, model: type) -> str:
        token = type_token(model)
        if token in self._seen:
            if self._seen[token] is not model:
                raise SchemaError(f"two models claim the type token {token!r}")
            return token
        self._seen[token] = model
        self.types[token] = {}  # reserve first: models may nest themselves
        spec: dict[str, Any] = {
            "type": "object",
            "description": _description(model) or f"The {model.__name__} settings.",
            "properties": self.properties(model, all_fields(model), token),
        }
        required = [wire_name(f) for f in all_fields(model) if _required_in_type(model, f)]
        if required:
            spec["required"] = required
        self.types[token] = spec
        return token

    # -- properties ------------------------------------------------------------------------

    def properties(
        self, model: type, fields: list[attrs.Attribute[Any]], where: str
    ) -> dict[str, Any]:
        return {wire_name(f): self.property(model, f, where) for f in fields}

    def property(self, model: type, field: attrs.Attribute[Any], where: str) -> dict[str, Any]:
        meta = meta_of(field)
        name = wire_name(field)
        spec = dict(self.type_ref(resolved_type(model, field), f"{where}.{name}"))
        spec["description"] = meta.description
        if meta.secret:
            spec["secret"] = True
        if meta.replace:
            spec["replaceOnChanges"] = True
            spec["willReplaceOnChanges"] = True
        if meta.deprecated:
            spec["deprecationMessage"] = meta.deprecated
        default = field.default
        if not meta.output and isinstance(default, str | bool | int | float) and default != "":
            spec["default"] = default  # SDKs fill it in; Check applies the same value
        return spec

    # -- resources and functions -----------------------------------------------------------

    def resource(self, kind: ResourceKind[Any, Any]) -> dict[str, Any]:
        token = kind.token
        outputs = all_fields(kind.outputs)
        inputs = input_fields(kind.inputs)
        spec: dict[str, Any] = {
            "description": kind.description,
            "properties": self.properties(kind.outputs, outputs, token),
            "required": _required_outputs(kind, outputs),
            "inputProperties": self.properties(kind.inputs, inputs, token),
            "requiredInputs": [wire_name(f) for f in inputs if is_required_input(f)],
        }
        deprecated = kind.deprecation_message
        if deprecated:
            spec["deprecationMessage"] = deprecated
        return spec

    def function(self, fn: Function[Any, Any]) -> dict[str, Any]:
        token = fn.token
        args = input_fields(fn.args)
        results = all_fields(fn.result)
        inputs: dict[str, Any] = {"type": "object"}
        if args:
            inputs["properties"] = self.properties(fn.args, args, token)
            required = [wire_name(f) for f in args if is_required_input(f)]
            if required:
                inputs["required"] = required
        outputs: dict[str, Any] = {
            "type": "object",
            "properties": self.properties(fn.result, results, token),
        }
        required_out = [wire_name(f) for f in results if _always_present(fn.result, f)]
        if required_out:
            outputs["required"] = required_out
        spec: dict[str, Any] = {"description": fn.description, "inputs": inputs, "outputs": outputs}
        deprecated = fn.deprecation_message
        if deprecated:
            spec["deprecationMessage"] = deprecated
        return spec


def _required_outputs(
    kind: ResourceKind[Any, Any], fields: list[attrs.Attribute[Any]]
) -> list[str]:
    """Outputs always present after create: required inputs (echoed), non-optional fields,
    fields DeltaStream computes (``output()``) or fills when absent (``keep_when_absent``, e.g.
    ``owner``: the creating role), and any the kind lists in ``required_outputs``; minus those
    it lists in ``optional_outputs`` (values DeltaStream may leave null, e.g. a
    query's name, kept optional as in the official schema)."""
    extra = set(kind.required_outputs)
    optional = set(kind.optional_outputs)
    return [
        wire_name(f)
        for f in fields
        if wire_name(f) in extra
        or (meta_of(f).output and wire_name(f) not in optional)
        or (meta_of(f).keep_when_absent and wire_name(f) not in optional)
        or is_required_input(f)
        or _always_present(kind.outputs, f)
    ]


def _always_present(model: type, field: attrs.Attribute[Any]) -> bool:
    """An output is required in the schema unless its annotation allows None."""
    _, optional = strip_optional(resolved_type(model, field))
    return not optional


def _required_in_type(model: type, field: attrs.Attribute[Any]) -> bool:
    if meta_of(field).output:
        return _always_present(model, field)
    return is_required_input(field)


def _config_properties() -> dict[str, Any]:
    props: dict[str, Any] = {}
    for key, (kind, secret) in CONFIG_KEYS.items():
        spec: dict[str, Any] = {"type": kind, "description": CONFIG_DESCRIPTIONS[key]}
        if secret:
            spec["secret"] = True
        props[key] = spec
    return props


def build_schema(registry: Registry, version: str | None = None) -> dict[str, Any]:
    """The package schema for every kind and function in ``registry``."""
    builder = _Builder()
    resources = {t: builder.resource(k) for t, k in sorted(registry.kinds.items())}
    functions = {t: builder.function(f) for t, f in sorted(registry.functions.items())}
    schema: dict[str, Any] = {
        "name": PACKAGE,
        "version": version or package_version(),
        **{k: v for k, v in METADATA.items() if k != "language"},
        "license": "Apache-2.0",
        "config": {"variables": _config_properties(), "defaults": list(CONFIG_KEYS)},
        "provider": {
            "description": PROVIDER_DESCRIPTION,
            "properties": _config_properties(),
            "required": ["server"],
            "inputProperties": _config_properties(),
        },
        "resources": resources,
        "functions": functions,
        "types": dict(sorted(builder.types.items())),
        "language": METADATA["language"],
    }
    return schema


def render(schema: Mapping[str, Any]) -> str:
    """The canonical text of ``schema.json`` (stable key order as built, trailing newline)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def default_path() -> Path:
    """The repository's ``schema.json`` (this file is ``src/adapters/deltastream_pulumi/``)."""
    return Path(__file__).resolve().parents[3] / "schema.json"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deltastream_pulumi.schema",
        description="Print (or write) the Pulumi package schema of the registered plugins.",
    )
    parser.add_argument(
        "--write",
        nargs="?",
        const=str(default_path()),
        default=None,
        metavar="PATH",
        help=f"write the schema to PATH (default {default_path()})",
    )
    args = parser.parse_args(argv)
    text = render(build_schema(load_registry()))
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
        print(f"wrote {args.write}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
