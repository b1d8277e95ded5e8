"""Secret through the real provider and deltastream-local: autonaming that preview and up
agree on, every change a replacement, and the value nowhere but the program and the state
(as a secret): not in the catalog, LIST, lookups, logs or engine messages."""

from __future__ import annotations

import secrets as token_source

from deltastream_local.testing import LocalServer
from deltastream_pulumi.testing import (
    EngineLogServer,
    ProviderProcess,
    Resource,
    Stack,
    assert_secret,
)
from deltastream_pulumi.testing.local import run_sql, unique_name

SECRET = "deltastream:index:Secret"


def test_an_unnamed_secret_is_autonamed_the_same_in_preview_and_up(stack: Stack) -> None:
    res = Resource(SECRET, "apiToken", {"type": "generic_string"})
    planned = stack.preview([res]).step("apiToken").inputs["name"]
    created = stack.up([res]).step("apiToken").outputs["name"]
    assert planned == created and created.startswith("apiToken-") and len(created) == 16
    assert stack.up([res]).step("apiToken").op == "same"  # the name given once stays


def test_every_change_is_a_replacement(stack: Stack) -> None:
    name = unique_name("sec")
    first = Resource(SECRET, "s", {"name": name, "type": "generic_string", "description": "a"})
    stack.up([first])
    changed = Resource(SECRET, "s", {"name": name, "type": "generic_string", "description": "b"})
    step = stack.up([changed]).step("s")
    assert step.op == "replace" and step.outputs["description"] == "b"


def test_the_value_is_never_shown(
    stack: Stack,
    local_server: LocalServer,
    unconfigured_provider: ProviderProcess,
    engine_log: EngineLogServer,
) -> None:
    value = f"pw-{token_source.token_hex(12)}"
    custom = f"cv-{token_source.token_hex(12)}"
    name = unique_name("sec")
    res = Resource(
        SECRET,
        "s",
        {
            "name": name,
            "type": "generic_string",
            "stringValue": value,  # not marked by the program: the schema marks it
            "customProperties": {"vault.path": custom},
        },
    )
    outputs = stack.up([res]).step("s").outputs
    assert_secret(stack.get("s").outputs, "stringValue")
    listed = stack.invoke("deltastream:index:getSecrets")["secrets"]
    one = stack.invoke("deltastream:index:getSecret", {"name": name})
    catalog = [
        run_sql(local_server, 'SELECT * FROM deltastream.sys."secrets";'),
        run_sql(local_server, "LIST SECRETS;"),
        run_sql(local_server, f'DESCRIBE SECRET "{name}";'),
    ]
    stack.refresh()
    stack.destroy()
    shown = {
        "the lookups": repr((listed, one)),
        "the catalog": repr(catalog),
        "the provider's stderr": unconfigured_provider.stderr_text(),
        "the engine log": engine_log.text(),
    }
    for where, text in shown.items():
        assert value not in text, f"the secret's value appears in {where}"
        assert custom not in text, f"a custom property's value appears in {where}"
    # the program's own custom properties are echoed as given; the value only as a secret
    assert value not in repr({k: v for k, v in outputs.items() if k != "stringValue"})
    assert one["name"] == name and "stringValue" not in one
