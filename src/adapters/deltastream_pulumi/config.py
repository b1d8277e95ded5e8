"""Provider configuration: keys, ``DELTASTREAM_*`` fallbacks, string parsing, config diffs.

Stack config reaches the provider as *strings* (``"true"``) and explicit providers' inputs may
be natives or JSON text, so every value is parsed here. A key that is absent or empty falls
back to its environment variable. ``server: local`` (any case) means the embedded
``deltastream-local`` server, which needs no API key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Final

import attrs

from deltastream_core.diff import DiffKind, DiffResult
from deltastream_core.errors import PropertyProblem
from deltastream_core.secrets import Secret
from deltastream_core.unknown import UNKNOWN

#: config key → environment variable it falls back to
ENV_VARS: Final = {
    "server": "DELTASTREAM_SERVER",
    "apiKey": "DELTASTREAM_API_KEY",
    "organization": "DELTASTREAM_ORGANIZATION",
    "role": "DELTASTREAM_ROLE",
    "insecureSkipVerify": "DELTASTREAM_INSECURE_SKIP_VERIFY",
    "sessionId": "DELTASTREAM_SESSION_ID",
    "maxConcurrentRequests": "DELTASTREAM_MAX_CONCURRENT_REQUESTS",
}
#: config keys whose change makes existing resources unmanageable by the old provider
REPLACE_KEYS: Final = frozenset({"server", "organization"})
#: keys the engine adds that are not ours to interpret (``version`` must pass through)
PASSTHROUGH_KEYS: Final = frozenset({"version"})
LOCAL: Final = "local"

DESCRIPTIONS: Final = {
    "server": "The DeltaStream API server URL (e.g. `https://api.deltastream.io/v2`), or "
    "`local` to start an embedded DeltaStream-compatible server whose data lives under "
    "`.deltastream-local/<stack>/` in the project directory. "
    "Falls back to `DELTASTREAM_SERVER`.",
    "apiKey": "The DeltaStream API token. Not needed when `server` is `local`. "
    "Falls back to `DELTASTREAM_API_KEY`.",
    "organization": "The organization (UUID or name) statements run in. "
    "Falls back to `DELTASTREAM_ORGANIZATION`.",
    "role": "The role statements run as. Falls back to `DELTASTREAM_ROLE`.",
    "insecureSkipVerify": "Skip verification of the server's TLS certificate (test servers "
    "only). Falls back to `DELTASTREAM_INSECURE_SKIP_VERIFY`.",
    "sessionId": "A session id sent with every statement (for tracing on the server side). "
    "Falls back to `DELTASTREAM_SESSION_ID`.",
    "maxConcurrentRequests": "The most DeltaStream API requests the provider has in flight at "
    "once (each resource operation sends one at a time, so below this the engine's `--parallel` "
    "decides). The provider lowers its limit when the API answers 429 and raises it again up to "
    "this ceiling. Default: 64, or the engine's default parallelism (`PULUMI_PARALLEL`, else "
    "4 x the CPU count) if higher. Falls back to `DELTASTREAM_MAX_CONCURRENT_REQUESTS`.",
}

#: the ceiling's floor when not configured: more than the engine's default on most machines
DEFAULT_MAX_CONCURRENT_REQUESTS: Final = 64

SERVER_MISSING: Final = (
    "the DeltaStream server is not configured: run `pulumi config set deltastream:server <url>` "
    "(or set DELTASTREAM_SERVER); `pulumi config set deltastream:server local` runs an "
    "embedded local server instead"
)
API_KEY_MISSING: Final = (
    "the DeltaStream API key is not configured: run "
    "`pulumi config set --secret deltastream:apiKey <key>` (or set DELTASTREAM_API_KEY)"
)


@attrs.frozen
class ProviderConfig:
    """Resolved configuration (config value, else environment variable)."""

    server: str | None = None
    api_key: Secret | None = attrs.field(default=None, repr=False)
    organization: str | None = None
    role: str | None = None
    insecure_skip_verify: bool = False
    session_id: str | None = None
    #: the in-flight ceiling; ``None``: :func:`default_max_concurrent_requests`
    max_concurrent_requests: int | None = None

    @property
    def is_local(self) -> bool:
        return (self.server or "").strip().lower() == LOCAL


def _text(value: Any) -> str | None:
    if isinstance(value, Secret):
        value = value.reveal()
    if value is None or value is UNKNOWN:
        return None
    text = value if isinstance(value, str) else str(value)
    return text.strip() or None


def parse_bool(value: Any) -> bool:
    """``true``/``false`` as natives or strings (also 1/0, yes/no); raises ValueError."""
    if isinstance(value, bool):
        return value
    text = _text(value)
    if text is None:
        return False
    lowered = text.lower()
    if lowered in {"true", "1", "yes", "on"}:
        return True
    if lowered in {"false", "0", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def parse_positive_int(value: Any) -> int | None:
    """A whole number >= 1 as a native or a string; ``None`` when absent; raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number >= 1, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = _text(value)
        if text is None:
            return None
        try:
            number = int(text)
        except ValueError:
            raise ValueError(f"expected a whole number >= 1, got {text!r}") from None
    if number < 1:
        raise ValueError(f"expected a whole number >= 1, got {number}")
    return number


def engine_default_parallel(env: Mapping[str, str] | None = None) -> int:
    """The Pulumi CLI's default ``--parallel``: ``PULUMI_PARALLEL`` when it is a number > 0,
    else 4 x the CPUs this process may use (the CLI uses Go's GOMAXPROCS, which follows the
    CPU affinity); see docs/reference/rate-limits.md."""
    env = os.environ if env is None else env
    try:
        parallel = int(env.get("PULUMI_PARALLEL", "").strip() or 0)
    except ValueError:
        parallel = 0
    if parallel > 0:
        return parallel
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 4 * (cpus or 1)


def default_max_concurrent_requests(env: Mapping[str, str] | None = None) -> int:
    """The ceiling when none is configured: never below the engine's default parallelism."""
    return max(DEFAULT_MAX_CONCURRENT_REQUESTS, engine_default_parallel(env))


def _raw(values: Mapping[str, Any], env: Mapping[str, str], key: str) -> Any:
    value = values.get(key)
    if value is UNKNOWN:
        return UNKNOWN
    if _text(value) is None:
        return env.get(ENV_VARS[key]) or None
    return value


def check_config(
    values: Mapping[str, Any], env: Mapping[str, str] | None = None
) -> list[PropertyProblem]:
    """Every problem with the config at once; unknown values (preview) are never a problem."""
    env = os.environ if env is None else env
    problems: list[PropertyProblem] = []
    server = _raw(values, env, "server")
    if server is None:
        problems.append(PropertyProblem("server", SERVER_MISSING))
    is_local = server is not UNKNOWN and (_text(server) or "").lower() == LOCAL
    api_key = _raw(values, env, "apiKey")
    if api_key is None and server is not UNKNOWN and not is_local:  # unknown: maybe local
        problems.append(PropertyProblem("apiKey", API_KEY_MISSING))
    flag = _raw(values, env, "insecureSkipVerify")
    if flag is not UNKNOWN:
        try:
            parse_bool(flag)
        except ValueError as exc:
            problems.append(PropertyProblem("insecureSkipVerify", str(exc)))
    ceiling = _raw(values, env, "maxConcurrentRequests")
    if ceiling is not UNKNOWN:
        try:
            parse_positive_int(ceiling)
        except ValueError as exc:
            problems.append(PropertyProblem("maxConcurrentRequests", str(exc)))
    return problems


def parse_config(values: Mapping[str, Any], env: Mapping[str, str] | None = None) -> ProviderConfig:
    """Resolve every key; raises ValueError for an unparsable ``insecureSkipVerify`` or
    ``maxConcurrentRequests``."""
    env = os.environ if env is None else env

    def text(key: str) -> str | None:
        raw = _raw(values, env, key)
        return None if raw is UNKNOWN else _text(raw)

    key = text("apiKey")
    flag = _raw(values, env, "insecureSkipVerify")
    ceiling = _raw(values, env, "maxConcurrentRequests")
    return ProviderConfig(
        server=text("server"),
        api_key=Secret(key) if key else None,
        organization=text("organization"),
        role=text("role"),
        insecure_skip_verify=False if flag is UNKNOWN else parse_bool(flag),
        session_id=text("sessionId"),
        max_concurrent_requests=None if ceiling is UNKNOWN else parse_positive_int(ceiling),
    )


def missing_keys(config: ProviderConfig) -> dict[str, str]:
    """Required keys that are missing after the env fallback, with how to set them."""
    missing: dict[str, str] = {}
    if not config.server:
        missing["server"] = SERVER_MISSING
    if config.api_key is None and not config.is_local:
        missing["apiKey"] = API_KEY_MISSING
    return missing


def _comparable(key: str, value: Any) -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    if key == "insecureSkipVerify":
        try:
            return parse_bool(value)
        except ValueError:
            return _text(value)
    if key == "maxConcurrentRequests":
        try:
            return parse_positive_int(value)
        except ValueError:
            return _text(value)
    text = _text(value)
    if key == "server" and text is not None and text.lower() == LOCAL:
        return LOCAL
    return text


def diff_config(olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
    """Config changes: ``server``/``organization`` replace, anything else updates in place.

    An ``apiKey`` rotation never replaces (that would replace every resource of the
    provider). ``version`` and ``__``-prefixed engine keys are not compared.
    """
    detailed: dict[str, DiffKind] = {}
    for key in sorted(set(olds) | set(news)):
        if key in PASSTHROUGH_KEYS or key.startswith("__"):
            continue
        old, new = _comparable(key, olds.get(key)), _comparable(key, news.get(key))
        if new is not UNKNOWN and old == new:
            continue
        if new is UNKNOWN or (old is not None and new is not None):
            kind = DiffKind.UPDATE
        elif old is None:
            kind = DiffKind.ADD
        else:
            kind = DiffKind.DELETE
        detailed[key] = kind.with_replace() if key in REPLACE_KEYS else kind
    return DiffResult(detailed, delete_before_replace=False)
