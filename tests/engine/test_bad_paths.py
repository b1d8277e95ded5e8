"""What a user sees through the real CLI when things go wrong: a Check failure at preview
names the property and the reason; an unreachable server, a wrong API key and a store that
never becomes ready each end in one readable error; SIGINT to ``pulumi up`` during a slow
store wait stops the provider's wait (the engine's Cancel) and the next ``up`` recovers, with
nothing left that the stack does not know about.

Small YAML projects (the real YAML language host), against a deltastream-local of the test's
own, started with the readiness behaviour each case needs.
"""

from __future__ import annotations

import signal
import socket
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from deltastream_local.testing import LocalServer
from engine.project import Project

STORE = {
    "type": "deltastream:Store",
    "properties": {
        "name": "slow_kafka",
        "kafka": {"uris": "localhost:9092", "saslHashFunction": "NONE"},
    },
}


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def yaml_project(
    workspace: Path,
    cli: Path,
    env: Mapping[str, str],
    name: str,
    resources: Mapping[str, Any],
    config: Mapping[str, str],
    secrets: Mapping[str, str] | None = None,
) -> Project:
    source = workspace / "sources" / name
    source.mkdir(parents=True)
    settings = {
        "name": name,
        "runtime": "yaml",
        "plugins": {"providers": [{"name": "deltastream", "path": "../../.venv/bin"}]},
        "resources": dict(resources),
    }
    (source / "Pulumi.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    project = Project(source, workspace / "root", cli, env)
    project.init_stack()
    for key, value in config.items():
        project.pulumi("config", "set", key, value).expect()
    for key, value in (secrets or {}).items():
        project.pulumi("config", "set", "--secret", key, value).expect()
    return project


def diagnostics_errors(output: str) -> list[str]:
    """The ``error:`` lines of a run's output, each once."""
    lines = [line.strip() for line in output.splitlines() if line.strip().startswith("error:")]
    return list(dict.fromkeys(lines))


def readable(output: str) -> None:
    assert "Traceback" not in output, output
    assert "panic:" not in output, output


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer(token="right-token") as running:
        yield running


def test_check_failure_names_property_and_reason(
    workspace: Path, pulumi_cli: Path, engine_home: dict[str, str]
) -> None:
    bad = {"type": "deltastream:Database", "properties": {"name": ""}}
    project = yaml_project(
        workspace,
        pulumi_cli,
        engine_home,
        "check-failure",
        {"badDb": bad},
        {"deltastream:server": "local"},
    )
    run = project.pulumi("preview")
    assert run.returncode != 0
    out = run.output
    readable(out)
    assert "badDb" in out and "name" in out, out
    failures = [line for line in out.splitlines() if "deltastream:index:Database resource" in line]
    print(failures)  # what the user reads (shown with pytest -s)
    assert failures, out


def test_unreachable_server_is_one_readable_error(
    workspace: Path, pulumi_cli: Path, engine_home: dict[str, str]
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v2"
    project = yaml_project(
        workspace,
        pulumi_cli,
        engine_home,
        "unreachable",
        {"db": {"type": "deltastream:Database", "properties": {"name": "unreachable_db"}}},
        {"deltastream:server": url},
        {"deltastream:apiKey": "some-token"},
    )
    run = project.pulumi("up", "--yes", "--skip-preview")
    assert run.returncode != 0
    readable(run.output)
    errors = [e for e in diagnostics_errors(run.output) if e != "error: update failed"]
    print(errors)  # what the user reads (shown with pytest -s)
    assert len(errors) == 1, run.output
    assert "127.0.0.1" in errors[0], run.output
    assert project.resources() == []


def test_wrong_api_key_is_one_readable_error(
    workspace: Path, pulumi_cli: Path, engine_home: dict[str, str], server: LocalServer
) -> None:
    project = yaml_project(
        workspace,
        pulumi_cli,
        engine_home,
        "wrong-key",
        {"db": {"type": "deltastream:Database", "properties": {"name": "wrong_key_db"}}},
        {"deltastream:server": server.url},
        {"deltastream:apiKey": "wrong-token"},
    )
    run = project.pulumi("up", "--yes", "--skip-preview")
    assert run.returncode != 0
    readable(run.output)
    assert "wrong-token" not in run.output  # secrets never in output
    errors = [e for e in diagnostics_errors(run.output) if e != "error: update failed"]
    print(errors)  # what the user reads (shown with pytest -s)
    assert len(errors) == 1, run.output
    assert "apiKey" in errors[0] or "API key" in errors[0] or "token" in errors[0], run.output


def test_store_never_ready_is_one_readable_error(
    workspace: Path, pulumi_cli: Path, engine_home: dict[str, str]
) -> None:
    uris = f"127.0.0.1:{closed_port()}"
    store = {
        "type": "deltastream:Store",
        "properties": {"name": "never_ready", "kafka": {"uris": uris, "saslHashFunction": "NONE"}},
        "options": {"customTimeouts": {"create": "20s"}},
    }
    with LocalServer("--verify-store-connectivity", token="right-token") as running:
        project = yaml_project(
            workspace,
            pulumi_cli,
            engine_home,
            "never-ready",
            {"store": store},
            {"deltastream:server": running.url},
            {"deltastream:apiKey": "right-token"},
        )
        run = project.pulumi("up", "--yes", "--skip-preview")
        assert run.returncode != 0
        readable(run.output)
        errors = [e for e in diagnostics_errors(run.output) if e != "error: update failed"]
        print(errors)  # what the user reads (shown with pytest -s)
        assert len(errors) == 1, run.output
        assert "never_ready" in errors[0], run.output
        # nothing the stack does not know about: the failed store is gone or in the state
        kept = [r for r in project.resources() if r["type"] == "deltastream:index:Store"]
        project.pulumi("destroy", "--yes", "--skip-preview").expect()
        assert len(kept) <= 1


@pytest.mark.timeout(600)
def test_sigint_during_a_slow_store_wait_stops_and_the_next_up_recovers(
    workspace: Path, pulumi_cli: Path, engine_home: dict[str, str]
) -> None:
    # The store stays "pending" for 150 s, far longer than the 60 s `pulumi up` is given to
    # stop after SIGINT: only Cancel ends the provider's wait that early. (The readiness time
    # is kept with the store, so the next up below waits out the rest of it.)
    data = workspace / "sigint.sqlite"
    with LocalServer("--store-ready-delay", "150", token="right-token", data=data) as running:
        project = yaml_project(
            workspace,
            pulumi_cli,
            engine_home,
            "sigint",
            {"store": STORE},
            {"deltastream:server": running.url},
            {"deltastream:apiKey": "right-token"},
        )
        up = subprocess.Popen(
            [str(pulumi_cli), "up", "--yes", "--skip-preview", "--stack", project.stack],
            cwd=project.dir,
            env=project.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert up.stdout is not None
        seen: list[str] = []
        for line in up.stdout:  # until the engine reports the store being created
            seen.append(line)
            if "Store store creating" in line or "store creating" in line.lower():
                break
        up.send_signal(signal.SIGINT)
        try:
            rest, _ = up.communicate(timeout=60)  # far less than the store's 150 s
        except subprocess.TimeoutExpired:
            up.send_signal(signal.SIGINT)  # the CLI's "terminate immediately" (and its plugins)
            try:
                up.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                up.kill()
            pytest.fail("pulumi up did not stop within 60 s of SIGINT:\n" + "".join(seen))
        out = "".join(seen) + rest
        assert up.returncode != 0, out
        readable(out)

    # The server is back (same address: a changed `server` would replace every resource)
    # with stores that become ready: the next up recovers.
    port = str(running.port)
    with LocalServer("--port", port, token="right-token", data=data) as again:
        assert again.url == running.url
        run = project.pulumi("up", "--yes", "--skip-preview").expect()
        readable(run.output)
        stores = [r for r in project.resources() if r["type"] == "deltastream:index:Store"]
        assert len(stores) == 1, run.output
        project.pulumi("destroy", "--yes", "--skip-preview").expect()
        assert project.resources() == []
