"""Launch the real provider executable exactly as the Pulumi engine does, and talk to it.

What is imitated (docs/reference/pulumi-protocol.md#plugin-launch, #provider-bring-up,
#harness-checklist items 1-5, 19-20):

* command line ``[--logtostderr -v=9] <engine-address>`` (address last), cwd = a project
  directory holding a ``Pulumi.yaml``, ``PULUMI_PROJECT`` / ``PULUMI_CONFIG`` in the env;
* the first stdout line must be the port alone; later stdout is kept but, like the engine,
  never interpreted; stderr goes to a file for secret-leak assertions;
* ``Handshake`` as liveness probe (retry ``UNAVAILABLE`` up to 10 s, accept
  ``UNIMPLEMENTED``), then ``GetPluginInfo`` (semver);
* bring-up ``CheckConfig`` (secrets stripped, values as strings) → ``DiffConfig`` (existing
  provider) → ``Configure`` (secret envelopes in ``args``, ``variables`` keyed
  ``<pkg>:config:<key>``);
* shutdown: ``Cancel`` (5 s deadline) → close → SIGINT → SIGKILL after 5 s;
* every exchange recorded as ``PULUMI_DEBUG_GRPC``-style JSON lines.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import grpc
from google.protobuf import empty_pb2, json_format
from google.protobuf.message import Message
from pulumi.runtime.proto import errors_pb2, provider_pb2, provider_pb2_grpc

from deltastream_pulumi.testing.engine import EngineLogServer
from deltastream_pulumi.testing.errors import (
    CheckFailedError,
    Failure,
    HarnessError,
    ProviderRPCError,
    ProviderStartError,
)
from deltastream_pulumi.testing.wire import (
    UNKNOWN_ID,
    Secret,
    Unknown,
    config_string,
    contains_unknown,
    decode_struct,
    encode_struct,
)

SERVICE = "/pulumirpc.ResourceProvider/"
#: engine timings (docs/reference/pulumi-protocol.md#constants)
CONNECT_TIMEOUT = 10.0
CANCEL_DEADLINE = 5.0
KILL_GRACE = 5.0
_SEMVER = re.compile(
    r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)


@dataclass(frozen=True)
class Capabilities:
    """What the provider accepts, from ``Handshake`` or (legacy) ``ConfigureResponse``."""

    accept_secrets: bool = False
    accept_resources: bool = False
    accept_outputs: bool = False
    supports_preview: bool = False
    handshake: bool = False


@dataclass
class ProviderConfig:
    """Provider configuration as stack config holds it: plain values, :class:`Secret` for
    ``pulumi config set --secret``. Values are handed over as strings, as the engine does."""

    values: Mapping[str, Any] = field(default_factory=dict)
    version: str | None = None

    def as_strings(self) -> dict[str, Any]:
        """Each value as a config string, secrets kept wrapped and unknowns kept."""
        out: dict[str, Any] = {}
        for key, value in self.values.items():
            if isinstance(value, Unknown):
                out[key] = value
            elif isinstance(value, Secret):
                out[key] = Secret(config_string(value.value))
            else:
                out[key] = config_string(value)
        if self.version is not None:
            out["version"] = self.version
        return out

    @property
    def has_unknowns(self) -> bool:
        return any(contains_unknown(v) for v in self.values.values())


def default_executable(package: str = "deltastream") -> str:
    """``pulumi-resource-<package>`` next to the running interpreter (the venv), else on PATH."""
    name = f"pulumi-resource-{package}"
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise ProviderStartError(f"{name} is neither next to {sys.executable} nor on PATH")
    return found


def _to_json(message: Message | None) -> Any:
    if message is None:
        return None
    return json_format.MessageToDict(message)


@dataclass(frozen=True)
class _Exchange:
    """One line of the gRPC log, kept as the messages themselves until it is read."""

    method: str
    progress: str
    request: Message
    response: Message | None
    errors: list[str]
    started: float
    duration: float

    def entry(self, package: str) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "method": self.method,
            "request": _to_json(self.request),
            "metadata": {"mode": "client", "kind": "resource", "name": package},
            "progress": self.progress,
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.started)),
        }
        if self.progress == "response_completed":
            entry["response"] = _to_json(self.response)
            entry["errors"] = self.errors
            entry["duration"] = int(self.duration * 1e9)
        return entry


def _status_details(error: grpc.RpcError) -> list[Any]:
    """Unpack ``grpc-status-details-bin`` into the Pulumi error messages it carries."""
    # pulumi's copy of google.rpc.Status: the provider (deltastream_pulumi.failures) loads it,
    # and importing googleapis' google.rpc.status_pb2 as well in the same process fails with
    # "duplicate symbol 'google.rpc.Status'"
    from pulumi.runtime.proto import status_pb2

    metadata = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None
    found: list[Any] = []
    for key, value in metadata or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            for kind in (
                provider_pb2.ErrorResourceInitFailed,
                provider_pb2.ConfigureErrorMissingKeys,
                errors_pb2.InputPropertiesError,
            ):
                if detail.Is(kind.DESCRIPTOR):
                    message = kind()
                    detail.Unpack(message)
                    found.append(message)
                    break
            else:
                found.append(detail)
    return found


class ProviderProcess:
    """The real ``pulumi-resource-<package>`` process, launched and driven like the engine.

    ::

        with EngineLogServer() as engine, ProviderProcess(engine) as provider:
            provider.configure(ProviderConfig({"server": url, "apiKey": Secret(token)}))
            provider.call("Check", provider_pb2.CheckRequest(...))
    """

    def __init__(
        self,
        engine: EngineLogServer,
        *,
        package: str = "deltastream",
        executable: str | os.PathLike[str] | None = None,
        project: str = "harness",
        stack: str = "test",
        project_dir: str | os.PathLike[str] | None = None,
        config: ProviderConfig | None = None,
        env: Mapping[str, str] | None = None,
        log_flags: tuple[str, ...] = ("--logtostderr", "-v=9"),
        grpc_log: str | os.PathLike[str] | None = None,
        start_timeout: float = 60.0,
        call_timeout: float = 300.0,
    ) -> None:
        self.engine = engine
        self.package = package
        self.executable = str(executable) if executable else default_executable(package)
        self.project = project
        self.stack = stack
        self._own_dir: tempfile.TemporaryDirectory[str] | None = None
        if project_dir is None:
            self._own_dir = tempfile.TemporaryDirectory(prefix="pulumi-harness-")
            project_dir = self._own_dir.name
        self.project_dir = Path(project_dir)
        self.stack_config = config or ProviderConfig()
        self.extra_env = dict(env or {})
        self.log_flags = log_flags
        self.start_timeout = start_timeout
        self.call_timeout = call_timeout
        self.grpc_log_path = Path(grpc_log) if grpc_log else self.project_dir / "grpc.jsonl"
        # Exchanges as recorded; turned into PULUMI_DEBUG_GRPC-style JSON only when somebody
        # reads them (protobuf → JSON costs more harness CPU than the RPC itself).
        self._raw_log: list[_Exchange] = []
        self._grpc_log: list[dict[str, Any]] = []
        self.stderr_path = self.project_dir / "provider.stderr"
        #: stdout after the port line: the engine hides it; a provider should print nothing
        self.stdout_after_port: list[str] = []
        self.port = 0
        self.plugin_version = ""
        self.capabilities = Capabilities()
        #: checked provider inputs (secrets re-marked by key) once configured
        self.config_inputs: dict[str, Any] | None = None
        self.configured = False
        self.provider_id = ""
        self.exit_code: int | None = None
        self.killed = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: Any = None
        self._log_lock = threading.Lock()

    # -- identity ----------------------------------------------------------------------------
    @property
    def provider_urn(self) -> str:
        """URN of the default provider resource."""
        return f"urn:pulumi:{self.stack}::{self.project}::pulumi:providers:{self.package}::default"

    def urn(self, type_token: str, name: str) -> str:
        """URN of a top-level resource of this stack."""
        return f"urn:pulumi:{self.stack}::{self.project}::{type_token}::{name}"

    # -- launch ------------------------------------------------------------------------------
    def start(self) -> ProviderProcess:
        """Launch, read the port line, probe with Handshake, ask GetPluginInfo."""
        self.project_dir.mkdir(parents=True, exist_ok=True)
        pulumi_yaml = self.project_dir / "Pulumi.yaml"
        if not pulumi_yaml.exists():
            pulumi_yaml.write_text(f"name: {self.project}\nruntime: python\n")
        env = {
            **os.environ,
            **self.extra_env,
            "PULUMI_PROJECT": self.project,
            "PULUMI_CONFIG": json.dumps(
                {
                    k: config_string(v)
                    for k, v in self.stack_config.values.items()
                    if not isinstance(v, Unknown)
                }
            ),
        }
        self._stderr = open(self.stderr_path, "ab")  # noqa: SIM115 - closed in stop()
        # address last; flags first (docs/reference/pulumi-protocol.md#command-line); own session so
        # SIGINT reaches its children only
        self._proc = subprocess.Popen(
            [self.executable, *self.log_flags, self.engine.address],
            cwd=self.project_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            start_new_session=True,
        )
        self.port = self._read_port()
        self._channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)
        self._handshake()
        info = self.call("GetPluginInfo", empty_pb2.Empty())
        self.plugin_version = info.version
        if not _SEMVER.match(info.version):
            raise ProviderStartError(f"GetPluginInfo version {info.version!r} is not semver")
        return self

    def _read_port(self) -> int:
        assert self._proc is not None and self._proc.stdout is not None
        stdout = self._proc.stdout
        lines: queue.Queue[bytes] = queue.Queue()

        def pump() -> None:
            first = True
            for raw in iter(stdout.readline, b""):
                if first:
                    lines.put(raw)
                    first = False
                else:
                    self.stdout_after_port.append(raw.decode(errors="replace"))
            if first:
                lines.put(b"")

        threading.Thread(target=pump, name="provider-stdout", daemon=True).start()
        try:
            line = lines.get(timeout=self.start_timeout)
        except queue.Empty:
            self._abort()
            raise ProviderStartError(
                f"no port line within {self.start_timeout}s; stderr:\n{self.stderr_text()}"
            ) from None
        if not line:
            code = self._proc.wait(5)
            raise ProviderStartError(
                f"plugin exited with code {code} before writing its port; "
                f"stderr:\n{self.stderr_text()}"
            )
        # the engine trims whitespace, but anything else before the port breaks the launch
        if not re.fullmatch(rb"\d+\r?\n", line):
            self._abort()
            raise ProviderStartError(f"first stdout line is not just a port: {line!r}")
        port = int(line)
        if not 1 <= port <= 65535:
            self._abort()
            raise ProviderStartError(f"wrote an invalid port to stdout: {port}")
        return port

    def _handshake(self) -> None:
        request = provider_pb2.ProviderHandshakeRequest(
            engine_address=self.engine.address,
            root_directory=str(Path(self.executable).parent),
            program_directory=str(Path(self.executable).parent),
            configure_with_urn=True,
            supports_views=True,
            supports_refresh_before_update=True,
            invoke_with_preview=True,
            accepts_byte_string=True,
        )
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while True:
            try:
                response = self.call("Handshake", request, timeout=CONNECT_TIMEOUT, quiet=True)
            except ProviderRPCError as exc:
                if exc.code == grpc.StatusCode.UNIMPLEMENTED:
                    return  # legacy: capabilities come from ConfigureResponse
                exited = self._proc is not None and self._proc.poll() is not None
                if (
                    exc.code == grpc.StatusCode.UNAVAILABLE
                    and time.monotonic() < deadline
                    and not exited
                ):
                    time.sleep(0.01)
                    continue
                code = self._proc.poll() if self._proc is not None else None
                self._abort()
                raise ProviderStartError(
                    f"Handshake failed: {exc}"
                    + (f" (plugin exited with code {code})" if code is not None else "")
                    + f"; stderr tail:\n{self.stderr_text()[-4000:]}"
                ) from exc
            self.capabilities = Capabilities(
                accept_secrets=response.accept_secrets,
                accept_resources=response.accept_resources,
                accept_outputs=response.accept_outputs,
                supports_preview=True,  # assumed when Handshake succeeds
                # (docs/reference/pulumi-protocol.md#handshake)
                handshake=True,
            )
            return

    # -- calls -------------------------------------------------------------------------------
    def call(
        self, method: str, request: Message, *, timeout: float | None = None, quiet: bool = False
    ) -> Any:
        """One unary RPC, recorded; gRPC errors become :class:`ProviderRPCError`."""
        if self._stub is None:
            raise HarnessError("the provider is not started")
        path = SERVICE + method
        started = time.time()
        self._log_line(path, "request_started", request, None, [], started, 0.0)
        try:
            response = getattr(self._stub, method)(request, timeout=timeout or self.call_timeout)
        except grpc.RpcError as exc:
            code = exc.code() if hasattr(exc, "code") else grpc.StatusCode.UNKNOWN
            details = (exc.details() if hasattr(exc, "details") else str(exc)) or ""
            error = ProviderRPCError(path, code, details, _status_details(exc))
            if not quiet or code not in (grpc.StatusCode.UNAVAILABLE,):
                self._log_line(
                    path,
                    "response_completed",
                    request,
                    None,
                    [str(error)],
                    started,
                    time.time() - started,
                )
            raise error from None
        self._log_line(
            path, "response_completed", request, response, [], started, time.time() - started
        )
        return response

    def _log_line(
        self,
        method: str,
        progress: str,
        request: Message,
        response: Message | None,
        errors: list[str],
        started: float,
        duration: float,
    ) -> None:
        exchange = _Exchange(method, progress, request, response, errors, started, duration)
        with self._log_lock:
            self._raw_log.append(exchange)

    def _flush_log(self) -> list[dict[str, Any]]:
        """Convert the exchanges recorded since the last flush; append them to the file."""
        with self._log_lock:
            raw, self._raw_log = self._raw_log, []
            entries = [e.entry(self.package) for e in raw]
            if entries:
                with open(self.grpc_log_path, "a", encoding="utf-8") as out:
                    out.writelines(json.dumps(e) + "\n" for e in entries)
            self._grpc_log.extend(e for e in entries if e["progress"] == "response_completed")
            return list(self._grpc_log)

    @property
    def grpc_log(self) -> list[dict[str, Any]]:
        """Every completed exchange, PULUMI_DEBUG_GRPC style (``grpc_log_path`` has them all,
        request_started lines too, once read here or once the provider stops)."""
        return self._flush_log()

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Completed exchanges, optionally only those of one method (``"Create"``)."""
        entries = self._flush_log()
        if method is None:
            return entries
        return [e for e in entries if e["method"] == SERVICE + method]

    # -- schema and configuration ------------------------------------------------------------
    def get_schema(self) -> dict[str, Any]:
        """``GetSchema(version=0)`` parsed (may run on an unconfigured provider)."""
        response = self.call("GetSchema", provider_pb2.GetSchemaRequest(version=0))
        schema: dict[str, Any] = json.loads(response.schema)
        return schema

    def check_config(
        self, config: ProviderConfig, olds: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """``CheckConfig`` as the engine sends it: unknowns kept, secrets stripped; the
        returned inputs get secretness re-marked by key
        (docs/reference/pulumi-protocol.md#checkconfig)."""
        news = config.as_strings()
        response = self.call(
            "CheckConfig",
            provider_pb2.CheckRequest(
                urn=self.provider_urn,
                name="default",
                type=f"pulumi:providers:{self.package}",
                olds=encode_struct(olds or {}, keep_secrets=False),
                news=encode_struct(news, keep_secrets=False),
                # no randomSeed: the engine sends none with CheckConfig
            ),
        )
        failures = [Failure(f.property, f.reason) for f in response.failures]
        if failures:
            raise CheckFailedError(self.provider_urn, failures)
        checked = decode_struct(response.inputs)
        secret_keys = {k for k, v in news.items() if isinstance(v, Secret)}
        for key in secret_keys & checked.keys():
            if not isinstance(checked[key], Secret):
                checked[key] = Secret(checked[key])
        if config.version is not None and checked.get("version") != config.version:
            raise HarnessError(
                f"CheckConfig changed or dropped 'version': {checked.get('version')!r}"
            )
        return checked

    def diff_config(self, old_inputs: Mapping[str, Any], news: Mapping[str, Any]) -> Any:
        """``DiffConfig`` (existing provider): secrets stripped, no id (as the engine sends
        it); returns the raw response."""
        response = self.call(
            "DiffConfig",
            provider_pb2.DiffRequest(
                # no id: the engine sends none with DiffConfig
                urn=self.provider_urn,
                name="default",
                type=f"pulumi:providers:{self.package}",
                olds=encode_struct(old_inputs, keep_secrets=False),
                old_inputs=encode_struct(old_inputs, keep_secrets=False),
                news=encode_struct(news, keep_secrets=False),
            ),
        )
        if response.changes not in (0, 1, 2):
            raise HarnessError(f"DiffConfig returned an invalid DiffChanges {response.changes}")
        return response

    def configure_with(
        self, inputs: Mapping[str, Any], *, preview: bool = False, provider_id: str | None = None
    ) -> bool:
        """``Configure`` with already-checked inputs (refresh/destroy configure from state).

        Returns False without calling when an input is unknown, as the engine skips
        ``Configure`` then (docs/reference/pulumi-protocol.md#unknown-provider-configuration).
        """
        if any(contains_unknown(v) for v in inputs.values()):
            self.configured = False
            return False
        self.provider_id = provider_id or (UNKNOWN_ID if preview else str(uuid.uuid4()))
        variables = {
            f"{self.package}:config:{k}": config_string(v)
            for k, v in inputs.items()
            if k != "version"
        }
        response = self.call(
            "Configure",
            provider_pb2.ConfigureRequest(
                variables=variables,
                args=encode_struct(inputs, keep_secrets=True),
                acceptSecrets=True,
                acceptResources=True,
                sends_old_inputs=True,
                sends_old_inputs_to_delete=True,
                id=self.provider_id,
                urn=self.provider_urn,
                name="default",
                type=f"pulumi:providers:{self.package}",
            ),
        )
        if not self.capabilities.handshake:
            self.capabilities = Capabilities(
                accept_secrets=response.acceptSecrets,
                accept_resources=response.acceptResources,
                accept_outputs=response.acceptOutputs,
                supports_preview=response.supportsPreview,
            )
        self.config_inputs = dict(inputs)
        self.configured = True
        return True

    def configure(
        self,
        config: ProviderConfig | None = None,
        *,
        old_inputs: Mapping[str, Any] | None = None,
        preview: bool = False,
    ) -> dict[str, Any]:
        """Full bring-up: ``CheckConfig`` → (``DiffConfig`` when ``old_inputs``) → ``Configure``.

        Returns the checked inputs (what the engine stores as the provider's state).
        """
        config = config or self.stack_config
        checked = self.check_config(config, old_inputs)
        if old_inputs is not None:
            response = self.diff_config(old_inputs, checked)
            if response.replaces or any(
                d.kind in (1, 3, 5) for d in response.detailedDiff.values()
            ):
                raise HarnessError(
                    "DiffConfig asks to replace the provider (which replaces every resource): "
                    f"{list(response.replaces)}"
                )
        self.configure_with(checked, preview=preview)
        return checked

    # -- shutdown ----------------------------------------------------------------------------
    def stop(self) -> int | None:
        """``Cancel`` (5 s) → close the connection → SIGINT → SIGKILL after 5 s."""
        if self._proc is None:
            return self.exit_code
        if self._stub is not None and self._proc.poll() is None:
            with contextlib.suppress(ProviderRPCError):
                self.call("Cancel", empty_pb2.Empty(), timeout=CANCEL_DEADLINE)
        if self._channel is not None:
            self._channel.close()
            self._channel = None
            self._stub = None
        if self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGINT)
            try:
                self._proc.wait(KILL_GRACE)
            except subprocess.TimeoutExpired:
                self.killed = True
                self._abort()
        self.exit_code = self._proc.returncode
        self._proc = None
        self._flush_log()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        return self.exit_code

    def _abort(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait(5)

    def close(self) -> None:
        """Stop the process and remove the temporary project directory, if it made one."""
        self.stop()
        if self._own_dir is not None:
            self._own_dir.cleanup()
            self._own_dir = None

    def __enter__(self) -> ProviderProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        """The provider's process id while it runs."""
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stderr_text(self) -> str:
        """Everything the provider wrote to stderr so far (the engine hides it)."""
        if self._stderr is not None:
            self._stderr.flush()
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
