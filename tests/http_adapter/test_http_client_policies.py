"""The pure parts: backoff arithmetic, Retry-After parsing, configuration mistakes.

No HTTP here; everything that talks to a server is tested against the real one.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from deltastream_http import DeltaStreamClient, PollBackoff, RetryPolicy, parse_retry_after


def test_poll_delays_start_fast_and_are_capped() -> None:
    delays = list(itertools.islice(PollBackoff().delays(), 12))
    assert delays[0] <= 0.05
    assert all(1.5 <= b / a <= 2.0 for a, b in itertools.pairwise(delays) if b < 1.0)
    assert max(delays) == delays[-1] == 1.0


def test_retry_backoff_is_exponential_jittered_and_capped() -> None:
    policy = RetryPolicy(base_delay=0.1, max_delay=1.0, jitter=0.5)
    assert [policy.delay(n, None, 0.0) for n in (1, 2, 3, 4, 5)] == [0.1, 0.2, 0.4, 0.8, 1.0]
    assert policy.delay(2, None, 0.999) == pytest.approx(0.2 * (1 - 0.5 * 0.999))


def test_retry_after_wins_up_to_its_cap() -> None:
    policy = RetryPolicy(max_retry_after=10)
    assert policy.delay(1, 3.0, 0.5) == 3.0
    assert policy.delay(1, 120.0, 0.5) == 10


def test_parse_retry_after_seconds_and_dates() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=7), usegmt=True), now=now) == 7
    assert parse_retry_after(format_datetime(now - timedelta(seconds=7), usegmt=True), now=now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_configuration_mistakes_explain_themselves() -> None:
    with pytest.raises(ValueError, match="counts the first try"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="first > 0"):
        PollBackoff(first=0)
    with pytest.raises(ValueError, match="deltastream:apiKey"):
        DeltaStreamClient("https://api.deltastream.io/v2", "")
    with pytest.raises(ValueError, match="http"):
        DeltaStreamClient("api.deltastream.io", "token")


def test_server_url_is_normalised_to_the_api_base() -> None:
    client = DeltaStreamClient("https://user:pw@api.example.com:8443/v2/?x=1", "token")
    assert client.server == "https://api.example.com:8443/v2/"
    assert DeltaStreamClient("http://127.0.0.1:9", "t").server == "http://127.0.0.1:9/v2/"
    assert "token" not in repr(client)
