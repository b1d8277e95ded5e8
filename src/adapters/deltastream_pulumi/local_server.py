"""The embedded ``deltastream-local`` server behind ``server: local``.

Started on first use (a schema-only or preview-only process never starts it) as
``<this python> -m deltastream_local serve --port 0 --data <project>/.deltastream-local/<stack>/
catalog.sqlite`` — the same interpreter, so it is always the version installed with the
provider. The token is random per process and passed through ``DELTASTREAM_LOCAL_TOKEN``
(never on the command line, where ``ps`` would show it). The first stdout line is the base
URL; stderr is inherited (the engine keeps plugin stderr as debug output). The child is
stopped on Cancel, on shutdown, and at interpreter exit.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import re
import secrets
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import structlog

from deltastream_pulumi.redaction import register_secret

log = structlog.get_logger(__name__)

DATA_DIR: Final = ".deltastream-local"
TOKEN_ENV: Final = "DELTASTREAM_LOCAL_TOKEN"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def data_path(project_dir: Path, stack: str) -> Path:
    """``<project>/.deltastream-local/<stack or default>/catalog.sqlite``."""
    folder = _SAFE.sub("_", stack).strip("._") or "default"
    return project_dir / DATA_DIR / folder / "catalog.sqlite"


class LocalServerError(RuntimeError):
    """The embedded server could not be started."""


class EmbeddedServer:
    """One ``deltastream-local serve`` child process, started lazily and stopped reliably."""

    def __init__(
        self,
        project_dir: Path,
        stack: str,
        *,
        command: Sequence[str] | None = None,
        start_timeout: float = 30.0,
    ) -> None:
        self.data = data_path(project_dir, stack)
        self.token = secrets.token_urlsafe(24)
        register_secret(self.token)
        self.url: str | None = None
        self._command = list(command or [sys.executable, "-m", "deltastream_local"])
        self._start_timeout = start_timeout
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self._drain: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    async def start(self) -> str:
        """Start the server once and return its base URL (``http://127.0.0.1:<port>/v2``)."""
        async with self._lock:
            if self.url is not None and self._process and self._process.returncode is None:
                return self.url
            self.data.parent.mkdir(parents=True, exist_ok=True)
            argv = [
                *self._command,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--data",
                str(self.data),
                "--log-level",
                "warning",
            ]
            env = {**os.environ, TOKEN_ENV: self.token}
            log.info("starting the embedded DeltaStream server", data=str(self.data))
            self._process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,  # never our stdout: it carries the port line
                stderr=None,
                env=env,
                start_new_session=False,  # the engine's SIGINT to our group reaches it too
            )
            atexit.register(self._kill_at_exit)
            self.url = await self._read_url(self._process)
            # keep its stdout drained so a chatty child can never block on a full pipe
            self._drain = asyncio.get_running_loop().create_task(self._drain_stdout(self._process))
            log.info("embedded DeltaStream server ready", url=self.url, pid=self._process.pid)
            return self.url

    async def _read_url(self, process: asyncio.subprocess.Process) -> str:
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), self._start_timeout)
        except TimeoutError:
            await self.stop()
            raise LocalServerError(
                f"the embedded DeltaStream server did not start within {self._start_timeout:.0f}s"
            ) from None
        url = line.decode(errors="replace").strip()
        if not url.startswith("http"):
            code = await self._wait_exit(2.0)
            raise LocalServerError(
                "the embedded DeltaStream server failed to start "
                f"(exit code {code}); its error output is in the provider's log "
                "(pulumi --logtostderr -v=9)"
            )
        return url

    @staticmethod
    async def _drain_stdout(process: asyncio.subprocess.Process) -> None:
        if process.stdout is not None:
            while await process.stdout.read(65536):
                pass

    async def _wait_exit(self, timeout: float) -> int | None:
        if self._process is None:
            return None
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(self._process.wait(), timeout)
        return self._process.returncode

    async def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds."""
        process, self._process, self.url = self._process, None, None
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        log.info("embedded DeltaStream server stopped")

    def _kill_at_exit(self) -> None:
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
