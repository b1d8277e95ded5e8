"""The generated package schema: valid, a superset of the official one, documented, secret-safe,
and the committed ``schema.json`` up to date."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from deltastream_core.model import all_fields, input_fields, meta_of, wire_name
from deltastream_core.registry import Registry, load_registry
from deltastream_pulumi.schema import build_schema, default_path, main, render, type_token
from pulumi_adapter.widgets import GET_WIDGETS, WIDGET

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
OFFICIAL_PATH = REFERENCE / "official-pulumi-deltastream-schema.json"
METASCHEMA_PATH = REFERENCE / "pulumi-package-metaschema.json"
REPO_SCHEMA = Path(__file__).resolve().parents[2] / "schema.json"


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _official() -> dict[str, Any]:
    return _load(OFFICIAL_PATH)


@functools.cache
def _real_registry() -> Registry:
    return load_registry()


@functools.cache
def _real_schema() -> dict[str, Any]:
    return build_schema(_real_registry(), "0.1.0")


def _validator() -> jsonschema.Draft202012Validator:
    # Python's `re` does not know ECMA-262 named groups `(?<name>…)`: read them as `(?P<name>…)`.
    meta = json.loads(METASCHEMA_PATH.read_text(encoding="utf-8").replace("(?<", "(?P<"))
    return jsonschema.Draft202012Validator(meta, format_checker=jsonschema.FormatChecker())


def _type(spec: dict[str, Any]) -> dict[str, Any]:
    """The type part of a property spec (what must match the official schema)."""
    out = {k: spec[k] for k in ("type", "$ref") if k in spec}
    for key in ("items", "additionalProperties"):
        if key in spec:
            out[key] = _type(spec[key])
    return out


# -- validity --------------------------------------------------------------------------------


def test_schema_validates_against_the_pulumi_metaschema(registry: Registry) -> None:
    validator = _validator()
    for schema in (_real_schema(), build_schema(registry, "1.2.3")):
        errors = sorted(validator.iter_errors(schema), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_the_metaschema_rejects_a_broken_schema() -> None:
    broken = dict(_real_schema(), version="not-semver")
    assert list(_validator().iter_errors(broken))


def test_committed_schema_json_is_up_to_date() -> None:
    expected = render(build_schema(_real_registry()))
    assert REPO_SCHEMA.exists(), (
        "schema.json is missing: run `python -m deltastream_pulumi.schema --write`"
    )
    assert REPO_SCHEMA.read_text(encoding="utf-8") == expected, (
        "schema.json is stale: run `python -m deltastream_pulumi.schema --write` and commit it"
    )


def test_default_write_path_is_the_repository_root() -> None:
    assert default_path() == REPO_SCHEMA


def test_write_command(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    assert main(["--write", str(target)]) == 0
    assert json.loads(target.read_text())["name"] == "deltastream"


# -- superset of the official provider's schema ----------------------------------------------


def _official_tokens(section: str) -> list[str]:
    return sorted(_official()[section])


def _ours_or_xfail(section: str, token: str) -> dict[str, Any]:
    ours = _real_schema()[section]
    assert token in ours, f"{token} of the official schema is missing from ours"
    return ours[token]


def test_package_metadata_is_the_official_one() -> None:
    official, ours = _official(), _real_schema()
    for key in ("name", "displayName", "namespace", "publisher"):
        assert ours[key] == official[key], key


def test_import_names_are_the_official_ones() -> None:
    """Programs written for the official SDKs import ours unchanged (docs/sdks.md)."""
    official, ours = _official()["language"], _real_schema()["language"]
    for language, key in (
        ("python", "packageName"),
        ("nodejs", "packageName"),
        ("go", "importBasePath"),
        ("java", "basePackage"),
        ("csharp", "rootNamespace"),
    ):
        assert ours[language][key] == official[language][key], (language, key)


def test_plugin_download_url_is_not_the_official_binary() -> None:
    """An engine that installs plugins must never fetch the official Go binary for our SDKs."""
    official, ours = _official(), _real_schema()
    assert official["pluginDownloadURL"] == "github://api.github.com/deltastreaminc"
    assert ours["pluginDownloadURL"] == "pip://pulumi-deltastream-py"


def test_config_and_provider_are_a_superset_with_the_api_key_secret() -> None:
    official, ours = _official(), _real_schema()
    for name, spec in official["config"]["variables"].items():
        assert _type(ours["config"]["variables"][name]) == _type(spec)
    for part in ("properties", "inputProperties"):
        for name, spec in official["provider"][part].items():
            assert _type(ours["provider"][part][name]) == _type(spec), (part, name)
    assert set(ours["provider"].get("requiredInputs", [])) <= set(
        official["provider"].get("requiredInputs", [])
    )
    assert ours["config"]["variables"]["apiKey"]["secret"] is True
    assert ours["provider"]["inputProperties"]["apiKey"]["secret"] is True
    assert ours["provider"]["properties"]["apiKey"]["secret"] is True


@pytest.mark.parametrize("token", _official_tokens("resources"))
def test_official_resource_is_a_subset_of_ours(token: str) -> None:
    official = _official()["resources"][token]
    ours = _ours_or_xfail("resources", token)
    for part in ("properties", "inputProperties"):
        for name, spec in official.get(part, {}).items():
            assert name in ours[part], f"{token}.{part}: missing {name}"
            assert _type(ours[part][name]) == _type(spec), f"{token}.{part}.{name}"
    extra = set(ours.get("requiredInputs", [])) - set(official.get("requiredInputs", []))
    assert not extra, f"{token}: required inputs the official provider does not require: {extra}"
    missing = set(official.get("required", [])) - set(ours.get("required", []))
    assert not missing, f"{token}: outputs the official provider guarantees: {missing}"


@pytest.mark.parametrize("token", _official_tokens("functions"))
def test_official_function_is_a_subset_of_ours(token: str) -> None:
    official = _official()["functions"][token]
    ours = _ours_or_xfail("functions", token)
    for part in ("inputs", "outputs"):
        for name, spec in official[part].get("properties", {}).items():
            assert name in ours[part].get("properties", {}), f"{token}.{part}: missing {name}"
            assert _type(ours[part]["properties"][name]) == _type(spec), f"{token}.{part}.{name}"
    extra = set(ours["inputs"].get("required", [])) - set(official["inputs"].get("required", []))
    assert not extra, f"{token}: required arguments the official provider does not require"
    missing = set(official["outputs"].get("required", [])) - set(
        ours["outputs"].get("required", [])
    )
    assert not missing, f"{token}: results the official provider guarantees: {missing}"


@pytest.mark.parametrize("token", _official_tokens("types"))
def test_official_type_is_a_subset_of_ours(token: str) -> None:
    official = _official()["types"][token]
    ours = _ours_or_xfail("types", token)
    for name, spec in official.get("properties", {}).items():
        assert name in ours["properties"], f"{token}: missing {name}"
        assert _type(ours["properties"][name]) == _type(spec), f"{token}.{name}"
        if spec.get("secret"):
            assert ours["properties"][name].get("secret") is True, f"{token}.{name} secret"


# -- documentation and secrets ---------------------------------------------------------------


def _described(schema: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(where, description) for every resource, function, type and property."""

    def props(where: str, mapping: dict[str, Any]) -> Iterator[tuple[str, Any]]:
        for name, spec in mapping.items():
            yield f"{where}.{name}", spec.get("description")

    yield from props("config", schema["config"]["variables"])
    yield "provider", schema["provider"].get("description")
    yield from props("provider", schema["provider"]["inputProperties"])
    for token, spec in schema["resources"].items():
        yield token, spec.get("description")
        yield from props(token, spec["properties"])
        yield from props(token, spec["inputProperties"])
    for token, spec in schema["functions"].items():
        yield token, spec.get("description")
        yield from props(f"{token}(inputs)", spec["inputs"].get("properties", {}))
        yield from props(f"{token}(outputs)", spec["outputs"].get("properties", {}))
    for token, spec in schema["types"].items():
        yield token, spec.get("description")
        yield from props(token, spec.get("properties", {}))


@pytest.mark.parametrize("which", ["real", "test"])
def test_everything_has_a_description(which: str, registry: Registry) -> None:
    schema = _real_schema() if which == "real" else build_schema(registry, "1.2.3")
    missing = [where for where, text in _described(schema) if not (text and str(text).strip())]
    assert not missing, f"without description: {missing}"


def test_every_secret_field_is_marked_secret() -> None:
    schema = _real_schema()
    reg = _real_registry()
    for token, kind in reg.kinds.items():
        spec = schema["resources"][token]
        for model, part, fields in (
            (kind.outputs, "properties", all_fields(kind.outputs)),
            (kind.inputs, "inputProperties", input_fields(kind.inputs)),
        ):
            for field in fields:
                if meta_of(field).secret:
                    assert spec[part][wire_name(field)].get("secret") is True, (token, model)
    for token, fn in reg.functions.items():
        for field in all_fields(fn.result):
            if meta_of(field).secret:
                assert schema["functions"][token]["outputs"]["properties"][wire_name(field)][
                    "secret"
                ]


# -- shapes, on the test kind ----------------------------------------------------------------


def test_widget_schema_shapes(registry: Registry) -> None:
    schema = build_schema(registry, "1.2.3")
    assert schema["version"] == "1.2.3"
    widget = schema["resources"][WIDGET]
    inputs, outputs = widget["inputProperties"], widget["properties"]
    assert widget["requiredInputs"] == ["name"]
    assert "createdAt" not in inputs and outputs["createdAt"]["type"] == "string"
    assert "createdAt" in widget["required"] and "name" in widget["required"]
    assert inputs["name"]["replaceOnChanges"] is True
    assert outputs["name"]["willReplaceOnChanges"] is True
    assert inputs["size"] == {"type": "integer", "description": "A count."}
    assert inputs["ratio"]["type"] == "number"
    assert inputs["enabled"]["type"] == "boolean"
    assert _type(inputs["counts"]) == {"type": "array", "items": {"type": "integer"}}
    assert _type(inputs["labels"]) == {
        "type": "object",
        "additionalProperties": {"type": "string"},
    }
    assert inputs["token"]["secret"] is True and outputs["token"]["secret"] is True
    assert inputs["legacy"]["deprecationMessage"] == "use name"
    assert inputs["endpoint"]["$ref"] == "#/types/deltastream:index:WidgetEndpoint"
    endpoint = schema["types"]["deltastream:index:WidgetEndpoint"]
    assert endpoint["required"] == ["uris"]
    assert endpoint["properties"]["password"]["secret"] is True
    fn = schema["functions"][GET_WIDGETS]
    assert fn["inputs"]["required"] == ["prefix"]
    assert _type(fn["outputs"]["properties"]["widgets"]) == {
        "type": "array",
        "items": {"$ref": "#/types/deltastream:index:WidgetEndpoint"},
    }
    assert fn["outputs"]["required"] == ["widgets", "total"]


def test_type_token_falls_back_to_the_class_name() -> None:
    class Thing:
        pass

    assert type_token(Thing) == "deltastream:index:Thing"
