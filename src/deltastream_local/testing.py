"""Test helpers for suites that run against a real ``deltastream-local`` server.

* :class:`LocalServer` starts ``deltastream-local serve --port 0 --data :memory: --token T``
  as a subprocess, reads the base URL from its first stdout line, and offers admin helpers
  (faults, options, stats) plus an httpx client that validates every response.
* :func:`local_server_fixture` turns that into a pytest fixture.
* :class:`SpecValidator` / :func:`validate_response` check a response against the official
  OpenAPI spec shipped in ``deltastream-connector`` (``api-server-v2.yaml``) and the contract's
  emulator checklist (docs/reference/deltastream-api.md#what-a-compatible-server-must-do);
  :func:`validating_hooks` plugs it into httpx and
  :func:`validate_connector_responses` into the official Python client.

Nothing here imports the server: tests talk to it over real sockets only.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import IO, Any, Literal
from urllib.parse import parse_qs, urlsplit

import httpx

DEFAULT_TOKEN = "local-test-token"
#: the fixed organization of the local server (``deltastream_local.engine.api.ORGANIZATION_ID``)
ORGANIZATION_ID = "0b1c3a52-6d0e-4f1a-9c7b-2e5d8f4a1c00"
_SPEC_SERVER = "https://api.deltastream.io"


class SpecViolation(AssertionError):
    """A response does not match the official OpenAPI spec or the wire contract."""


def spec_path() -> Path:
    """``api-server-v2.yaml`` inside the installed ``deltastream-connector`` package."""
    import deltastream

    return Path(deltastream.__file__).parent / "api" / "controlplane" / "api-server-v2.yaml"


class _OpenAPIRequest:
    """The request side openapi-core needs to find an operation (``protocols.Request``)."""

    def __init__(self, method: str, url: str) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        split = urlsplit(url)
        self.host_url = _SPEC_SERVER
        self.path = split.path
        self.method = method.lower()
        self.body: bytes | None = None
        self.content_type = "application/json"
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(split.query)), header=Headers()
        )


class _OpenAPIResponse:
    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        from werkzeug.datastructures import Headers

        self.status_code = status
        self.headers = Headers(list(headers.items()))
        self.content_type = self.headers.get("Content-Type", "").lower()
        self.data = body


class SpecValidator:
    """Validates responses against the official spec and the emulator checklist."""

    def __init__(self, path: Path | None = None) -> None:
        import yaml
        from jsonschema import Draft4Validator
        from openapi_core import Config, OpenAPI

        self.path = path or spec_path()
        # the official file is not valid OAS 3.0 (``type: 'null'``), so skip spec validation
        self._openapi = OpenAPI.from_file_path(
            str(self.path), config=Config(spec_validator_cls=None)
        )
        raw = yaml.safe_load(self.path.read_text())
        self._error_schema = Draft4Validator(raw["components"]["schemas"]["ErrorResponse"])

    def validate(self, response: httpx.Response) -> None:
        response.read()
        self.validate_raw(
            response.request.method,
            str(response.request.url),
            response.status_code,
            response.headers,
            response.content,
        )

    def validate_raw(
        self,
        method: str,
        url: str,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        """Raise :class:`SpecViolation` unless this response is valid."""
        from openapi_core.templating.paths.exceptions import PathError
        from openapi_core.templating.responses.exceptions import ResponseNotFound

        where = f"{method} {url} -> {status}"
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            raise SpecViolation(f"{where}: Content-Type {content_type!r}, not application/json")
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise SpecViolation(f"{where}: body is not JSON: {exc}: {body[:200]!r}") from None
        path = urlsplit(url).path
        if "/_local" in path.split("/v2")[0] or path.startswith("/_local"):
            if status >= 400:
                self._check_error(where, payload)
            elif not isinstance(payload, dict):
                raise SpecViolation(f"{where}: admin response is not an object")
            return
        try:
            self._openapi.validate_response(
                _OpenAPIRequest(method, url), _OpenAPIResponse(status, headers, body)
            )
        except (PathError, ResponseNotFound):
            # a path or status the spec does not list (404 paths, 405, 413, 429): still an
            # ErrorResponse
            if status < 400:
                raise SpecViolation(f"{where}: success status not in the spec") from None
            self._check_error(where, payload)
        except Exception as exc:
            raise SpecViolation(f"{where}: {exc}\nbody: {body[:2000]!r}") from None
        else:
            if status >= 400:
                self._check_error(where, payload)
        self._check_contract(where, status, payload)

    def _check_error(self, where: str, payload: Any) -> None:
        errors = sorted(self._error_schema.iter_errors(payload), key=str)
        if errors:
            raise SpecViolation(f"{where}: not an ErrorResponse: {errors[0].message}")
        if not payload["message"]:
            raise SpecViolation(f"{where}: empty ErrorResponse message")

    @staticmethod
    def _check_contract(where: str, status: int, payload: Any) -> None:
        """Checklist items of docs/reference/deltastream-api.md#what-a-compatible-server-must-do the
        spec does not express."""
        if status == 202 and payload.get("sqlState") != "03000":
            raise SpecViolation(f"{where}: a 202 must carry sqlState 03000")
        if status == 200 and "sqlState" in payload:
            meta = payload["metadata"]
            if meta.get("encoding") != "json" or meta.get("partitionInfo") is None:
                raise SpecViolation(f"{where}: metadata needs encoding json and partitionInfo")
            if meta.get("columns") is None:
                raise SpecViolation(f"{where}: metadata.columns must be a list")
            context = meta.get("context") or {}
            if not context.get("organizationID") or not context.get("roleName"):
                raise SpecViolation(f"{where}: metadata.context must echo organization and role")
            if payload["sqlState"] != "00000" and not payload.get("message"):
                raise SpecViolation(f"{where}: a SQL error needs a message")
            if payload["sqlState"] == "00000":
                width = len(meta["columns"])
                for row in payload.get("data") or []:
                    if len(row) != width:
                        raise SpecViolation(f"{where}: row width {len(row)} != {width} columns")


@cache
def default_validator() -> SpecValidator:
    return SpecValidator()


def validate_response(response: httpx.Response) -> None:
    """Validate one httpx response with the shared :class:`SpecValidator`."""
    default_validator().validate(response)


def validating_hooks() -> dict[str, list[Callable[[httpx.Response], None]]]:
    """httpx ``event_hooks`` that validate every response the client receives."""
    return {"response": [validate_response]}


@contextlib.contextmanager
def validate_connector_responses(
    seen: list[tuple[str, str, int]] | None = None,
) -> Iterator[list[tuple[str, str, int]]]:
    """Validate every response the official ``deltastream-connector`` client receives.

    Wraps the generated client's ``RESTClientObject.request``; yields the list of
    ``(method, url, status)`` it saw (so tests can also assert on the requests made).
    """
    from deltastream.api.controlplane.openapi_client import rest

    seen = [] if seen is None else seen
    original: Any = rest.RESTClientObject.request

    def request(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        response = original(self, method, url, *args, **kwargs)
        body = response.read()
        seen.append((method, url, response.status))
        default_validator().validate_raw(
            method, url, response.status, dict(response.getheaders()), body
        )
        return response

    rest.RESTClientObject.request = request  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        rest.RESTClientObject.request = original  # type: ignore[method-assign]


class LocalServer:
    """A ``deltastream-local serve`` subprocess on a free loopback port.

    ``with LocalServer("--partition-size", "2") as server: ...`` starts it, waits for the
    base URL on its first stdout line and terminates it (SIGTERM, then SIGKILL) on exit.
    """

    def __init__(
        self,
        *args: str,
        token: str = DEFAULT_TOKEN,
        data: str | os.PathLike[str] = ":memory:",
        env: Mapping[str, str] | None = None,
        start_timeout: float = 20.0,
        command: Sequence[str] | None = None,
        self_check: bool = True,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.args = tuple(args)
        #: how this object's own clients check the certificate of a ``--tls-cert`` server
        self.verify = verify
        # The server validates every API response it sends against the official spec and
        # counts violations; stop() fails on any. Benchmarks turn it off (it costs ~0.7 ms).
        self.self_check = self_check
        self.token = token
        self.data = str(data)
        self.env = dict(env or {})
        self.start_timeout = start_timeout
        self.command = tuple(command or (sys.executable, "-m", "deltastream_local"))
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.startup_seconds = 0.0
        self._stderr: IO[str] | None = None
        self._client: httpx.Client | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def argv(self) -> list[str]:
        return [
            *self.command,
            "serve",
            "--port",
            "0",
            "--data",
            self.data,
            "--token",
            self.token,
            *self.args,
        ]

    def start(self) -> LocalServer:
        if self.proc is not None:
            raise RuntimeError("server already started")
        self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115
        env = {**os.environ, **self.env}
        if self.self_check:
            env.setdefault("DELTASTREAM_LOCAL_SELF_CHECK", "openapi")
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv(),
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        lines: queue.Queue[str] = queue.Queue()
        stdout = self.proc.stdout
        assert stdout is not None
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=self.start_timeout)
        except queue.Empty:
            self.stop()
            raise RuntimeError(
                f"deltastream-local did not print its URL within {self.start_timeout}s:\n"
                + self.stderr_text()
            ) from None
        if not line.startswith("http"):
            self.stop()
            raise RuntimeError(
                f"deltastream-local failed to start (first line {line!r}):\n" + self.stderr_text()
            )
        self.startup_seconds = time.perf_counter() - started
        self.url = line.strip()
        return self

    def spec_violations(self) -> list[str]:
        """What the server's self-check found wrong in its own responses (empty when none)."""
        stats = self.stats()
        count = int(stats.get("spec_violations", 0))
        samples = [str(s) for s in stats.get("spec_violation_samples", [])]
        return samples or ([f"{count} violations"] if count else [])

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM, wait up to ``timeout`` s, then SIGKILL. Returns the exit code.

        Raises :class:`SpecViolation` when the server sent any response that violates the
        official spec (self-check on), so no suite can pass over a bad response unnoticed.
        """
        violations: list[str] = []
        if self.self_check and self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(httpx.HTTPError):
                violations = self.spec_violations()
        if self._client is not None:
            self._client.close()
            self._client = None
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        if violations:
            raise SpecViolation(
                "deltastream-local sent responses that violate the official API spec:\n"
                + "\n".join(violations)
            )
        return proc.returncode

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    # -- facts ---------------------------------------------------------------------------
    @property
    def root(self) -> str:
        """``http://host:port`` (the admin endpoints live under ``/_local``)."""
        return self.url.rsplit("/v2", 1)[0]

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read()

    # -- clients -------------------------------------------------------------------------
    def client(self, *, validate: bool = True, **kwargs: Any) -> httpx.Client:
        """A keep-alive httpx client on the API base URL, with the token (and validation)."""
        kwargs.setdefault("timeout", 30.0)
        kwargs.setdefault("verify", self.verify)
        headers = {**self.headers, **kwargs.pop("headers", {})}
        hooks = validating_hooks() if validate else {}
        return httpx.Client(base_url=self.url, headers=headers, event_hooks=hooks, **kwargs)

    @property
    def http(self) -> httpx.Client:
        """A shared validating client, closed by :meth:`stop`."""
        if self._client is None:
            self._client = self.client()
        return self._client

    def admin(
        self, path: str, body: Mapping[str, Any] | None = None, *, method: str | None = None
    ) -> Any:
        """Call ``/_local/<path>``: POST when ``body`` is given, GET otherwise."""
        verb = method or ("POST" if body is not None else "GET")
        response = self.http.request(
            verb, f"{self.root}/_local/{path.strip('/')}", json=body if body is not None else None
        )
        if response.status_code != 200:
            raise RuntimeError(f"admin {verb} {path}: {response.status_code} {response.text}")
        return response.json()

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        """``POST /_local/faults`` (e.g. ``rate_limit_next=2, retry_after=1``)."""
        result: dict[str, Any] = self.admin("faults", settings)
        return result

    def reset_faults(self) -> dict[str, Any]:
        result: dict[str, Any] = self.admin("faults", method="DELETE")
        return result

    def set_options(self, **options: Any) -> dict[str, Any]:
        """``POST /_local/options`` (engine and server options, e.g. ``statement_delay=2``)."""
        result: dict[str, Any] = self.admin("options", options)
        return result

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.admin("stats")
        return result

    def reset_stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.admin("stats", method="DELETE")
        return result

    def request_count(self, route: str) -> int:
        """How many requests hit ``route`` (e.g. ``"POST /v2/statements"``) since a reset."""
        return int(self.stats()["requests"].get(route, 0))

    def run(self, statement: str, *, poll_timeout: float = 30.0, **fields: Any) -> dict[str, Any]:
        """POST a statement (JSON body) and poll 202s; returns the final ResultSet body.

        ``fields`` are further StatementRequest fields (``database=``, ``role=``, …). A SQL
        error is returned, not raised: check ``result["sqlState"]``.
        """
        response = self.http.post("/statements", json={"statement": statement, **fields})
        deadline = time.monotonic() + poll_timeout
        while response.status_code == 202:
            if time.monotonic() > deadline:
                raise TimeoutError(f"statement still running after {poll_timeout}s")
            time.sleep(0.05)
            response = self.http.get(
                f"/statements/{response.json()['statementID']}", params={"partitionID": 0}
            )
        if response.status_code != 200:
            raise RuntimeError(f"{statement!r}: HTTP {response.status_code} {response.text}")
        result: dict[str, Any] = response.json()
        return result


def local_server_fixture(
    *args: str,
    scope: Literal["session", "package", "module", "class", "function"] = "module",
    token: str = DEFAULT_TOKEN,
    data: str = ":memory:",
    env: Mapping[str, str] | None = None,
) -> Any:
    """A pytest fixture yielding a started :class:`LocalServer` with these CLI flags.

    ``local_server = local_server_fixture()`` in a conftest or test module;
    ``slow_server = local_server_fixture("--statement-delay", "1.5", scope="function")``.
    """
    import pytest

    @pytest.fixture(scope=scope)
    def _server() -> Iterator[LocalServer]:
        with LocalServer(*args, token=token, data=data, env=env) as server:
            yield server

    return _server
