"""The harness itself: wire encodings as the engine writes them, the Engine log endpoint, and
the launch checks a provider must pass. No provider process needed (fake executables)."""

from __future__ import annotations

import stat
from pathlib import Path

import grpc
import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from deltastream_pulumi.testing import (
    EngineLogServer,
    OutputValue,
    ProviderProcess,
    ProviderStartError,
    ResourceRef,
    Secret,
    Unknown,
    decode_struct,
    decode_value,
    encode_struct,
    encode_value,
)
from deltastream_pulumi.testing.stack import DiffResult
from deltastream_pulumi.testing.wire import SIG_KEY, WireError

SIG = "4dabf18193072939515e22adb298388d"
SECRET = "1b47061264138c4ac30d75fd1eb44270"


def as_json(value: struct_pb2.Value) -> object:
    from google.protobuf import json_format

    return json_format.MessageToDict(value)


def test_secret_envelope_is_the_engine_form() -> None:
    assert SIG_KEY == SIG
    assert as_json(encode_value(Secret("k"))) == {SIG: SECRET, "value": "k"}
    # CheckConfig/DiffConfig strip secrets
    assert as_json(encode_value(Secret("k"), keep_secrets=False)) == "k"


def test_numbers_are_doubles_and_round_trip() -> None:
    encoded = encode_value(5)
    assert encoded.WhichOneof("kind") == "number_value" and encoded.number_value == 5.0
    values = {"a": 1, "b": [True, None, "x"], "c": {"d": Secret({"e": 2.5})}}
    decoded = decode_struct(encode_struct(values))
    assert decoded["a"] == 1.0 and isinstance(decoded["a"], float)
    assert decoded["b"] == [True, None, "x"]
    assert isinstance(decoded["c"]["d"], Secret) and decoded["c"]["d"].value == {"e": 2.5}


@pytest.mark.parametrize(
    ("kind", "sentinel"),
    [
        ("string", "04da6b54-80e4-46f7-96ec-b56ff0331ba9"),
        ("bool", "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7"),
        ("number", "3eeb2bf0-c639-47a8-9e75-3b44932eb421"),
        ("array", "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"),
        ("object", "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"),
    ],
)
def test_unknown_sentinels_per_type(kind: str, sentinel: str) -> None:
    assert as_json(encode_value(Unknown(kind))) == sentinel  # type: ignore[arg-type]
    assert decode_value(struct_pb2.Value(string_value=sentinel)) == Unknown(kind)  # type: ignore[arg-type]


def test_unknowns_dropped_or_rejected_outside_preview() -> None:
    values = {"a": Unknown(), "b": ["x", Unknown()], "c": Secret(Unknown())}
    assert decode_struct(encode_struct(values, keep_unknowns=False)) == {"b": ["x"]}
    with pytest.raises(WireError):
        encode_struct(values, reject_unknowns=True)
    secret_unknown = encode_struct(values)["c"]
    assert as_json(secret_unknown) == {SIG: SECRET, "value": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}


def test_output_values_and_references_decode_with_omitted_fields() -> None:
    encoded = encode_value(OutputValue())  # unknown, not secret, no deps: all omitted
    assert as_json(encoded) == {SIG: "d0e6a833031e9bbcd3f4e8bde6ca49a4"}
    assert decode_value(encoded) == OutputValue()
    ref = ResourceRef("urn:pulumi:s::p::t::n", "id-1", "1.0.0")
    assert decode_value(encode_value(ref)) == ref
    assert "resource_id" not in str(as_json(encode_value(ref)))  # engine keys: id, packageVersion


def test_diff_invariants_are_checked() -> None:
    from pulumi.runtime.proto import provider_pb2

    ok = provider_pb2.DiffResponse(
        changes=2,
        diffs=["owner"],
        replaces=["owner"],
        hasDetailedDiff=True,
        detailedDiff={"owner": provider_pb2.PropertyDiff(kind=5)},
    )
    assert DiffResult.from_proto(ok).replace
    bad = provider_pb2.DiffResponse(
        changes=2,
        diffs=["name"],
        hasDetailedDiff=True,
        detailedDiff={"owner": provider_pb2.PropertyDiff(kind=4)},
    )
    with pytest.raises(AssertionError, match="disagree"):
        DiffResult.from_proto(bad)


def test_engine_log_server_records_and_rejects_unknown_severity() -> None:
    with EngineLogServer() as engine:
        with grpc.insecure_channel(engine.address) as channel:
            stub = engine_pb2_grpc.EngineStub(channel)
            stub.Log(engine_pb2.LogRequest(severity=2, message="careful", urn="urn:x"))
            with pytest.raises(grpc.RpcError) as info:
                stub.Log(engine_pb2.LogRequest(severity=9, message="?"))
            assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert stub.GetRootResource(engine_pb2.GetRootResourceRequest()).urn == ""
        (record,) = engine.records("warning")
        assert (record.message, record.urn, record.ephemeral) == ("careful", "urn:x", False)


def _script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pulumi-resource-fake"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_stray_stdout_before_the_port_fails_the_launch(tmp_path: Path) -> None:
    exe = _script(tmp_path, 'echo "starting provider"; echo 12345; sleep 30')
    with EngineLogServer() as engine:
        process = ProviderProcess(engine, executable=exe, project_dir=tmp_path / "p")
        with pytest.raises(ProviderStartError, match="not just a port"):
            process.start()


def test_exit_before_the_port_reports_the_code_and_stderr(tmp_path: Path) -> None:
    exe = _script(tmp_path, 'echo "boom: $PULUMI_PROJECT $*" >&2; exit 3')
    with EngineLogServer() as engine:
        process = ProviderProcess(engine, executable=exe, project_dir=tmp_path / "p")
        with pytest.raises(ProviderStartError, match="code 3") as info:
            process.start()
        # launched like the engine: flags first, engine address last, PULUMI_PROJECT set
        assert f"boom: harness --logtostderr -v=9 {engine.address}" in str(info.value)
