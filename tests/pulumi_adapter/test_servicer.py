"""The servicer over real gRPC: each SDK 3.272 workaround proven by an engine-like call."""

from __future__ import annotations

from typing import Any

import grpc
import grpc.aio
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import (
    engine_pb2,
    errors_pb2,
    plugin_pb2,
    provider_pb2,
    status_pb2,
)

from deltastream_pulumi import messages, wire
from pulumi_adapter.widgets import (
    GET_WIDGETS,
    PROVIDER_URN,
    WIDGET_URN,
    Calls,
    Served,
    secret,
    struct,
)

pytestmark = pytest.mark.anyio

DIFF_NONE = provider_pb2.DiffResponse.DIFF_NONE
DIFF_SOME = provider_pb2.DiffResponse.DIFF_SOME
PD = provider_pb2.PropertyDiff


async def rpc_error(call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    return info.value


def status_details(err: grpc.aio.AioRpcError) -> status_pb2.Status:
    metadata = dict(err.trailing_metadata() or ())
    status = status_pb2.Status()
    status.ParseFromString(metadata["grpc-status-details-bin"])
    return status


def assert_diff_invariants(resp: provider_pb2.DiffResponse) -> None:
    """Proto invariants: diffs ⇄ detailedDiff top-level keys; replaces ⊆ diffs."""
    tops = {path.split(".")[0].split("[")[0] for path in resp.detailedDiff}
    assert tops == set(resp.diffs)
    assert set(resp.replaces) <= set(resp.diffs)
    assert resp.hasDetailedDiff


# -- capabilities (bug #9) -------------------------------------------------------------------


async def test_handshake_is_implemented_with_the_configure_capabilities(served: Served) -> None:
    resp = await served.stub.Handshake(
        provider_pb2.ProviderHandshakeRequest(
            engine_address="127.0.0.1:1", root_directory="/r", program_directory="/p"
        )
    )
    assert (resp.accept_secrets, resp.accept_resources, resp.accept_outputs) == (True, True, False)
    conf = await served.stub.Configure(
        provider_pb2.ConfigureRequest(args=struct({"server": "https://x", "apiKey": "k3y-value"}))
    )
    assert (conf.acceptSecrets, conf.acceptResources, conf.acceptOutputs) == (True, True, False)
    assert conf.supportsPreview


async def test_attach_is_implemented_and_takes_the_engine_address(served: Served) -> None:
    await served.stub.Attach(plugin_pb2.PluginAttach(address="127.0.0.1:4242"))
    assert served.provider.engine.address == "127.0.0.1:4242"


async def test_plugin_info_and_schema_work_unconfigured(served: Served) -> None:
    info = await served.stub.GetPluginInfo(empty_pb2.Empty())
    assert info.version == "1.2.3"
    schema = await served.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0))
    assert '"deltastream:index:Widget"' in schema.schema


async def test_cancel_answers(served: Served) -> None:
    await served.stub.Cancel(empty_pb2.Empty())


# -- provider configuration ------------------------------------------------------------------


async def test_diff_config_reports_a_server_change_as_a_replacement(served: Served) -> None:
    # bug #1: the SDK turned changes=True into DIFF_NONE; bug #2: detailed diffs crashed it
    old = struct({"server": "https://a", "apiKey": "k3y-value", "version": "0.1.0"})
    resp = await served.stub.DiffConfig(
        provider_pb2.DiffRequest(
            urn=PROVIDER_URN,
            olds=old,
            old_inputs=old,
            news=struct({"server": "https://b", "apiKey": "k3y-value", "version": "0.1.0"}),
        )
    )
    assert resp.changes == DIFF_SOME
    assert list(resp.replaces) == ["server"]
    assert resp.detailedDiff["server"].kind == PD.UPDATE_REPLACE
    assert_diff_invariants(resp)


async def test_diff_config_api_key_rotation_is_an_update_not_a_replacement(served: Served) -> None:
    old = struct({"server": "https://a", "apiKey": "k3y-value"})
    resp = await served.stub.DiffConfig(
        provider_pb2.DiffRequest(
            urn=PROVIDER_URN,
            olds=old,
            old_inputs=old,
            news=struct({"server": "https://a", "apiKey": "other-key"}),
        )
    )
    assert resp.changes == DIFF_SOME
    assert list(resp.replaces) == []
    assert resp.detailedDiff["apiKey"].kind == PD.UPDATE
    assert not resp.deleteBeforeReplace


async def test_diff_config_same_values_in_other_forms_is_no_change(served: Served) -> None:
    old = struct({"server": "LOCAL", "insecureSkipVerify": "true", "version": "0.1.0"})
    resp = await served.stub.DiffConfig(
        provider_pb2.DiffRequest(
            urn=PROVIDER_URN,
            olds=old,
            old_inputs=old,
            news=struct({"server": "local", "insecureSkipVerify": True, "version": "0.2.0"}),
        )
    )
    assert resp.changes == DIFF_NONE
    assert not resp.detailedDiff


async def test_diff_config_uses_old_inputs_when_sent(served: Served) -> None:
    # bug #9: old_inputs dropped by the SDK; the olds here are provider outputs
    resp = await served.stub.DiffConfig(
        provider_pb2.DiffRequest(
            urn=PROVIDER_URN,
            olds=struct({"server": "https://stale-output"}),
            old_inputs=struct({"server": "https://a"}),
            news=struct({"server": "https://a"}),
        )
    )
    assert resp.changes == DIFF_NONE


async def test_check_config_reports_missing_keys_with_the_fixing_command(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("DELTASTREAM_SERVER", "DELTASTREAM_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    resp = await served.stub.CheckConfig(
        provider_pb2.CheckRequest(urn=PROVIDER_URN, olds=struct({}), news=struct({}))
    )
    reasons = {f.property: f.reason for f in resp.failures}
    assert "pulumi config set deltastream:server <url>" in reasons["server"]
    assert "DELTASTREAM_SERVER" in reasons["server"]
    assert "pulumi config set --secret deltastream:apiKey <key>" in reasons["apiKey"]
    assert "DELTASTREAM_API_KEY" in reasons["apiKey"]


async def test_check_config_keeps_version_and_marks_the_api_key_secret(served: Served) -> None:
    news = {"server": "https://a", "apiKey": "k3y-value", "version": "0.1.0", "role": "r"}
    resp = await served.stub.CheckConfig(
        provider_pb2.CheckRequest(urn=PROVIDER_URN, olds=struct({}), news=struct(news))
    )
    assert not resp.failures
    assert resp.inputs["version"] == "0.1.0"
    assert dict(resp.inputs["apiKey"]) == secret("k3y-value")


async def test_configure_fails_with_missing_keys_detail(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("DELTASTREAM_SERVER", "DELTASTREAM_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    err = await rpc_error(
        served.stub.Configure(provider_pb2.ConfigureRequest(args=struct({"server": "https://x"})))
    )
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    detail = provider_pb2.ConfigureErrorMissingKeys()
    assert status_details(err).details[0].Unpack(detail)
    assert [k.name for k in detail.missingKeys] == ["apiKey"]


async def test_configure_restores_the_urn_and_reads_secret_args(served: Served) -> None:
    # bug #9: urn/name/type/id dropped by the SDK; the stack names the local data folder
    await served.stub.Configure(
        provider_pb2.ConfigureRequest(
            args=struct({"server": "local", "role": "r1", "organization": "o1"}),
            urn="urn:pulumi:staging::proj::pulumi:providers:deltastream::default",
            id="4b0e",
        )
    )
    runner = served.provider.runner
    assert runner.local is not None
    assert runner.local.data.parts[-2:] == ("staging", "catalog.sqlite")
    assert (served.provider.base.role, served.provider.base.organization) == ("r1", "o1")


async def test_configure_falls_back_to_variables(served: Served) -> None:
    await served.stub.Configure(
        provider_pb2.ConfigureRequest(
            variables={
                "deltastream:config:server": "https://x",
                "deltastream:config:apiKey": "k3y-value",
                "deltastream:config:insecureSkipVerify": "true",
            },
        )
    )
    assert served.provider.config.insecure_skip_verify is True
    assert served.provider.config.api_key.reveal() == "k3y-value"


# -- Check and Diff --------------------------------------------------------------------------


async def test_check_echoes_secrets_still_secret_and_tolerates_unknowns(
    served: Served, calls: Calls
) -> None:
    news = {
        "name": "w",
        "token": secret("t0ken-value"),
        "size": wire.UNKNOWN_STRING,
        "endpoint": {"uris": "u", "password": "plain-pw"},
    }
    resp = await served.stub.Check(
        provider_pb2.CheckRequest(urn=WIDGET_URN, olds=struct({}), news=struct(news))
    )
    assert not resp.failures
    assert dict(resp.inputs["token"]) == secret("t0ken-value")
    assert resp.inputs["size"] == wire.UNKNOWN_STRING
    # a plain value in a secret field is stored secret
    assert dict(resp.inputs["endpoint"]["password"]) == secret("plain-pw")


async def test_check_reports_every_invalid_input_at_once(served: Served) -> None:
    news = {"size": "many", "enabled": "maybe"}
    resp = await served.stub.Check(
        provider_pb2.CheckRequest(urn=WIDGET_URN, olds=struct({}), news=struct(news))
    )
    assert {f.property for f in resp.failures} == {"name", "size", "enabled"}


async def test_diff_compares_old_inputs_not_outputs(served: Served, calls: Calls) -> None:
    # bug #9: the SDK drops old_inputs; the kind must get them
    resp = await served.stub.Diff(
        provider_pb2.DiffRequest(
            urn=WIDGET_URN,
            id="w",
            olds=struct({"name": "w", "size": 1, "createdAt": "t"}),
            old_inputs=struct({"name": "w", "size": 2}),
            news=struct({"name": "w", "size": 2}),
        )
    )
    assert calls.diffs == [({"name": "w", "size": 2}, {"name": "w", "size": 2})]
    assert resp.changes == DIFF_NONE


async def test_diff_without_old_inputs_falls_back_to_the_input_part_of_outputs(
    served: Served, calls: Calls
) -> None:
    await served.stub.Diff(
        provider_pb2.DiffRequest(
            urn=WIDGET_URN,
            id="w",
            olds=struct({"name": "w", "size": 1, "createdAt": "t"}),
            news=struct({"name": "w", "size": 1}),
        )
    )
    assert calls.diffs == [({"name": "w", "size": 1}, {"name": "w", "size": 1})]


async def test_diff_detailed_diff_is_consistent_and_replaces_delete_first(served: Served) -> None:
    resp = await served.stub.Diff(
        provider_pb2.DiffRequest(
            urn=WIDGET_URN,
            id="w",
            olds=struct({"name": "w"}),
            old_inputs=struct({"name": "w", "size": 1, "endpoint": {"uris": "a"}}),
            news=struct(
                {"name": "v", "size": wire.UNKNOWN_STRING, "endpoint": {"uris": "b"}, "tags": ["t"]}
            ),
        )
    )
    assert resp.changes == DIFF_SOME
    assert resp.detailedDiff["name"].kind == PD.UPDATE_REPLACE
    assert resp.detailedDiff["size"].kind == PD.UPDATE  # unknown: changed
    assert resp.detailedDiff["endpoint.uris"].kind == PD.UPDATE
    assert resp.detailedDiff["tags"].kind == PD.ADD
    assert all(d.inputDiff for d in resp.detailedDiff.values())
    assert list(resp.replaces) == ["name"]
    assert resp.deleteBeforeReplace
    assert_diff_invariants(resp)


async def test_diff_honours_ignore_changes(served: Served) -> None:
    resp = await served.stub.Diff(
        provider_pb2.DiffRequest(
            urn=WIDGET_URN,
            id="w",
            old_inputs=struct({"name": "w", "size": 1}),
            news=struct({"name": "v", "size": 2}),
            ignoreChanges=["name"],
        )
    )
    assert list(resp.diffs) == ["size"]
    assert not resp.replaces
    assert not resp.deleteBeforeReplace


# -- Create, Read, Update, Delete ------------------------------------------------------------


async def test_preview_create_never_reaches_the_kind_and_keeps_unknowns(
    served: Served, calls: Calls
) -> None:
    resp = await served.stub.Create(
        provider_pb2.CreateRequest(
            urn=WIDGET_URN,
            properties=struct({"name": "w", "size": wire.UNKNOWN_STRING, "token": secret("t0k3n")}),
            preview=True,
        )
    )
    assert calls.creates == []
    assert resp.properties["size"] == wire.UNKNOWN_STRING
    assert dict(resp.properties["token"]) == secret("t0k3n")


async def test_create_returns_id_and_outputs_with_secrets_and_numbers(
    served: Served, calls: Calls
) -> None:
    props = {
        "name": "w",
        "size": 3,
        "counts": [1, 2],
        "token": secret("t0k3n"),
        "endpoint": {"uris": "u", "password": "pw-plain", "port": 9092},
    }
    resp = await served.stub.Create(
        provider_pb2.CreateRequest(urn=WIDGET_URN, properties=struct(props), timeout=12)
    )
    assert resp.id == "w"
    (args,) = calls.creates
    assert args.size == 3 and type(args.size) is int
    assert args.token.reveal() == "t0k3n"
    assert resp.properties["size"] == 3.0
    assert list(resp.properties["counts"]) == [1.0, 2.0]
    assert dict(resp.properties["token"]) == secret("t0k3n")
    assert dict(resp.properties["endpoint"]["password"]) == secret("pw-plain")
    assert resp.properties["createdAt"] == "2026-01-01T00:00:00Z"


async def test_kind_messages_reach_the_engine_log_with_the_urn(served: Served) -> None:
    await served.stub.Create(
        provider_pb2.CreateRequest(urn=WIDGET_URN, properties=struct({"name": "w"}))
    )
    (record,) = served.engine.logs
    assert (record.severity, record.message, record.urn) == (
        engine_pb2.INFO,
        "creating w",
        WIDGET_URN,
    )


async def test_unhealthy_object_is_a_partial_failure_carrying_its_id(served: Served) -> None:
    err = await rpc_error(
        served.stub.Create(
            provider_pb2.CreateRequest(
                urn=WIDGET_URN, properties=struct({"name": "unhealthy", "token": secret("t0k3n")})
            )
        )
    )
    assert "broker unreachable" in err.details()
    detail = provider_pb2.ErrorResourceInitFailed()
    assert status_details(err).details[0].Unpack(detail)
    assert detail.id == "unhealthy"
    assert detail.properties["name"] == "unhealthy"
    assert dict(detail.properties["token"]) == secret("t0k3n")
    assert list(detail.reasons) == ["the widget is in state errored: broker unreachable"]


@pytest.mark.parametrize(
    ("name", "code", "text"),
    [
        ("taken", grpc.StatusCode.ALREADY_EXISTS, "pulumi import x"),
        ("forbidden", grpc.StatusCode.PERMISSION_DENIED, "permission denied"),
    ],
)
async def test_errors_have_their_own_code_and_a_clean_message(
    served: Served, name: str, code: grpc.StatusCode, text: str
) -> None:
    # bug #10: the SDK returned UNKNOWN with a traceback for every error
    err = await rpc_error(
        served.stub.Create(
            provider_pb2.CreateRequest(urn=WIDGET_URN, properties=struct({"name": name}))
        )
    )
    assert err.code() == code
    assert text in err.details()
    assert "Traceback" not in err.details() and 'File "' not in err.details()


async def test_unexpected_errors_are_unknown_without_traceback_or_secrets(served: Served) -> None:
    err = await rpc_error(
        served.stub.Create(
            provider_pb2.CreateRequest(
                urn=WIDGET_URN, properties=struct({"name": "crash", "token": secret("t0p-secret")})
            )
        )
    )
    assert err.code() == grpc.StatusCode.UNKNOWN
    assert err.details() == "RuntimeError: boom with token <redacted>"


async def test_validation_errors_are_invalid_argument_with_property_details(
    served: Served,
) -> None:
    err = await rpc_error(
        served.stub.Create(
            provider_pb2.CreateRequest(urn="urn:pulumi:dev::proj::deltastream:index:Nope::n")
        )
    )
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "unknown resource type 'deltastream:index:Nope'" in err.details()
    detail = errors_pb2.InputPropertiesError()
    assert status_details(err).details[0].Unpack(detail)


async def test_read_passes_the_timeout_and_returns_inputs_for_import(
    served: Served, calls: Calls
) -> None:
    # bug #9: ReadRequest.timeout dropped by the SDK
    resp = await served.stub.Read(provider_pb2.ReadRequest(urn=WIDGET_URN, id="w", timeout=7))
    assert calls.reads == [("w", None, 7.0)]
    assert resp.id == "w"
    assert resp.inputs["name"] == "w" and resp.inputs["size"] == 3.0
    assert "createdAt" not in resp.inputs


async def test_read_of_a_gone_object_is_an_empty_id(served: Served) -> None:
    resp = await served.stub.Read(
        provider_pb2.ReadRequest(
            urn=WIDGET_URN, id="gone", properties=struct({"name": "gone"}), inputs=struct({})
        )
    )
    assert resp.id == ""
    assert not resp.properties.fields


async def test_refresh_keeps_secret_inputs_secret(served: Served) -> None:
    state = {"name": "w", "token": secret("t0k3n"), "createdAt": "t"}
    resp = await served.stub.Read(
        provider_pb2.ReadRequest(
            urn=WIDGET_URN,
            id="w",
            properties=struct(state),
            inputs=struct({"name": "w", "token": secret("t0k3n")}),
        )
    )
    assert dict(resp.properties["token"]) == secret("t0k3n")
    assert dict(resp.inputs["token"]) == secret("t0k3n")


async def test_update_preview_does_nothing_and_real_update_gets_old_state(
    served: Served, calls: Calls
) -> None:
    request = provider_pb2.UpdateRequest(
        urn=WIDGET_URN,
        id="w",
        olds=struct({"name": "w", "size": 1, "createdAt": "t"}),
        old_inputs=struct({"name": "w", "size": 1}),
        news=struct({"name": "w", "size": 2}),
        preview=True,
        ignoreChanges=["tags"],
    )
    preview = await served.stub.Update(request)
    assert calls.updates == []
    assert preview.properties["size"] == 2.0
    request.preview = False
    resp = await served.stub.Update(request)
    ((rid, olds, news),) = calls.updates
    assert (rid, olds.size, olds.created_at, news.size) == ("w", 1, "t", 2)
    assert resp.properties["createdAt"] == "t"


async def test_delete_and_update_receive_old_inputs(
    served: Served, calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    # bug #9: old_inputs dropped by the SDK in Update and Delete
    seen: list[Any] = []
    original_delete = served.provider.delete

    async def spy(request: Any) -> None:
        seen.append(request)
        await original_delete(request)

    monkeypatch.setattr(served.provider, "delete", spy)
    await served.stub.Delete(
        provider_pb2.DeleteRequest(
            urn=WIDGET_URN,
            id="w",
            properties=struct({"name": "w", "createdAt": "t"}),
            old_inputs=struct({"name": "w"}),
            timeout=3,
        )
    )
    (request,) = seen
    assert isinstance(request, messages.DeleteRequest)
    assert wire.to_plain(request.old_inputs).values == {"name": "w"}
    assert calls.deletes[0][0] == "w"


# -- Invoke ----------------------------------------------------------------------------------


async def test_invoke_returns_a_list_of_models_with_secrets_and_knows_preview(
    served: Served, calls: Calls
) -> None:
    # bug #9: InvokeRequest.preview dropped by the SDK
    resp = await served.stub.Invoke(
        provider_pb2.InvokeRequest(tok=GET_WIDGETS, args=struct({"prefix": "w"}), preview=True)
    )
    assert not resp.failures
    ret = getattr(resp, "return")
    assert ret["total"] == 2.0
    (widget,) = ret["widgets"]
    assert widget["uris"] == "a:1"
    assert dict(widget["password"]) == secret("pw")
    assert calls.invokes[0][1] is True
    (record,) = served.engine.logs
    assert record.severity == engine_pb2.WARNING


async def test_invoke_bad_arguments_are_failures(served: Served, calls: Calls) -> None:
    resp = await served.stub.Invoke(
        provider_pb2.InvokeRequest(tok=GET_WIDGETS, args=struct({"limit": "ten"}))
    )
    assert {f.property for f in resp.failures} == {"prefix", "limit"}
    assert calls.invokes == []
