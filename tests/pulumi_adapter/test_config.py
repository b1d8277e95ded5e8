"""Provider configuration: string values, environment fallbacks, missing-key messages, diffs."""

from __future__ import annotations

import pytest

from deltastream_core.diff import DiffKind
from deltastream_core.unknown import UNKNOWN
from deltastream_pulumi.config import (
    API_KEY_MISSING,
    SERVER_MISSING,
    check_config,
    default_max_concurrent_requests,
    diff_config,
    engine_default_parallel,
    missing_keys,
    parse_bool,
    parse_config,
)
from deltastream_pulumi.local_server import data_path

FULL = {"server": "https://api.example/v2", "apiKey": "k3y-value"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("false", False), ("TRUE", True), (" False ", False), (True, True),
     (False, False), ("1", True), ("0", False), (None, False), ("", False)],
)  # fmt: skip
def test_booleans_arrive_as_strings_or_natives(raw: object, expected: bool) -> None:
    assert parse_bool(raw) is expected


def test_bad_boolean_is_a_check_failure_naming_the_key() -> None:
    problems = check_config({**FULL, "insecureSkipVerify": "sometimes"}, env={})
    assert [p.property for p in problems] == ["insecureSkipVerify"]
    assert "sometimes" in problems[0].reason
    with pytest.raises(ValueError):
        parse_config({**FULL, "insecureSkipVerify": "sometimes"}, env={})


@pytest.mark.parametrize("raw", ["0", "-3", "many", 2.5, True])
def test_bad_request_ceiling_is_a_check_failure_naming_the_key(raw: object) -> None:
    problems = check_config({**FULL, "maxConcurrentRequests": raw}, env={})
    assert [p.property for p in problems] == ["maxConcurrentRequests"]
    with pytest.raises(ValueError):
        parse_config({**FULL, "maxConcurrentRequests": raw}, env={})


def test_request_ceiling_arrives_as_a_string_or_a_number() -> None:
    assert (
        parse_config({**FULL, "maxConcurrentRequests": "200"}, env={}).max_concurrent_requests
        == 200
    )
    assert parse_config({**FULL, "maxConcurrentRequests": 8.0}, env={}).max_concurrent_requests == 8
    assert parse_config(FULL, env={}).max_concurrent_requests is None
    assert not diff_config(
        {**FULL, "maxConcurrentRequests": "8"}, {**FULL, "maxConcurrentRequests": 8}
    ).changed


def test_default_ceiling_is_never_below_the_engines_default_parallelism() -> None:
    # the CLI's default --parallel: PULUMI_PARALLEL when set, else 4 x the CPU count
    assert engine_default_parallel({"PULUMI_PARALLEL": "300"}) == 300
    assert engine_default_parallel({}) % 4 == 0
    assert engine_default_parallel({"PULUMI_PARALLEL": "junk"}) == engine_default_parallel({})
    assert default_max_concurrent_requests({"PULUMI_PARALLEL": "300"}) == 300
    assert default_max_concurrent_requests({"PULUMI_PARALLEL": "2"}) == 64


def test_values_are_parsed_and_the_api_key_wrapped() -> None:
    config = parse_config(
        {**FULL, "insecureSkipVerify": "true", "organization": "acme", "role": " r ",
         "sessionId": "s1"},
        env={},
    )  # fmt: skip
    assert config.server == "https://api.example/v2"
    assert config.api_key is not None and config.api_key.reveal() == "k3y-value"
    assert "k3y-value" not in repr(config)
    assert config.insecure_skip_verify is True
    assert (config.organization, config.role, config.session_id) == ("acme", "r", "s1")


def test_every_key_falls_back_to_its_environment_variable() -> None:
    env = {
        "DELTASTREAM_SERVER": "https://env/v2",
        "DELTASTREAM_API_KEY": "env-key",
        "DELTASTREAM_ORGANIZATION": "env-org",
        "DELTASTREAM_ROLE": "env-role",
        "DELTASTREAM_INSECURE_SKIP_VERIFY": "true",
        "DELTASTREAM_SESSION_ID": "env-session",
        "DELTASTREAM_MAX_CONCURRENT_REQUESTS": "12",
    }
    config = parse_config({}, env=env)
    assert config.max_concurrent_requests == 12
    assert config.server == "https://env/v2"
    assert config.api_key is not None and config.api_key.reveal() == "env-key"
    assert (config.organization, config.role, config.session_id) == (
        "env-org",
        "env-role",
        "env-session",
    )
    assert config.insecure_skip_verify is True
    assert check_config({}, env=env) == []


def test_config_values_win_over_the_environment_and_empty_values_fall_back() -> None:
    env = {"DELTASTREAM_SERVER": "https://env/v2", "DELTASTREAM_ROLE": "env-role"}
    config = parse_config({"server": "https://cfg/v2", "apiKey": "k3y-value", "role": ""}, env)
    assert config.server == "https://cfg/v2"
    assert config.role == "env-role"


def test_missing_server_and_key_name_the_command_that_fixes_them() -> None:
    problems = {p.property: p.reason for p in check_config({}, env={})}
    assert problems == {"server": SERVER_MISSING, "apiKey": API_KEY_MISSING}
    assert "`pulumi config set deltastream:server <url>`" in SERVER_MISSING
    assert "DELTASTREAM_SERVER" in SERVER_MISSING
    assert "`pulumi config set --secret deltastream:apiKey <key>`" in API_KEY_MISSING
    assert "DELTASTREAM_API_KEY" in API_KEY_MISSING
    assert missing_keys(parse_config({}, env={})) == {
        "server": SERVER_MISSING,
        "apiKey": API_KEY_MISSING,
    }


@pytest.mark.parametrize("server", ["local", "LOCAL", " Local "])
def test_local_server_needs_no_api_key(server: str) -> None:
    assert check_config({"server": server}, env={}) == []
    config = parse_config({"server": server}, env={})
    assert config.is_local
    assert missing_keys(config) == {}


def test_unknown_values_are_never_a_problem() -> None:
    assert check_config({"server": UNKNOWN, "insecureSkipVerify": UNKNOWN}, env={}) == []


def test_version_passes_through_and_is_not_diffed() -> None:
    assert check_config({**FULL, "version": "0.1.0"}, env={}) == []
    assert not diff_config({**FULL, "version": "0.1.0"}, {**FULL, "version": "0.2.0"}).changed


@pytest.mark.parametrize(
    ("key", "old", "new", "kind"),
    [
        ("server", "https://a", "https://b", DiffKind.UPDATE_REPLACE),
        ("organization", "a", "b", DiffKind.UPDATE_REPLACE),
        ("organization", None, "b", DiffKind.ADD_REPLACE),
        ("apiKey", "k1-value", "k2-value", DiffKind.UPDATE),
        ("role", "a", None, DiffKind.DELETE),
        ("sessionId", None, "s", DiffKind.ADD),
        ("insecureSkipVerify", "false", True, DiffKind.UPDATE),
        ("maxConcurrentRequests", "8", "16", DiffKind.UPDATE),
        ("server", "https://a", UNKNOWN, DiffKind.UPDATE_REPLACE),
    ],
)
def test_config_diff_kinds(key: str, old: object, new: object, kind: DiffKind) -> None:
    olds = {k: v for k, v in {**FULL, key: old}.items() if v is not None}
    news = {k: v for k, v in {**FULL, key: new}.items() if v is not None}
    result = diff_config(olds, news)
    assert dict(result.detailed) == {key: kind}
    assert not result.delete_before_replace


def test_equivalent_spellings_are_no_change() -> None:
    olds = {"server": "LOCAL", "insecureSkipVerify": "true", "role": " r"}
    news = {"server": "local", "insecureSkipVerify": True, "role": "r"}
    assert not diff_config(olds, news).changed


def test_local_data_lives_under_the_stack_folder(tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    assert data_path(root, "dev") == root / ".deltastream-local" / "dev" / "catalog.sqlite"
    assert data_path(root, "") == root / ".deltastream-local" / "default" / "catalog.sqlite"
    assert data_path(root, "org/../x").parent.parent == root / ".deltastream-local"
