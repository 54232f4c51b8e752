"""ApiSession: the generic retry rules every platform shares."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import requests
import responses
from connector_testkit import TOKEN, FakeClock

from connectors.common.errors import (
    ApiError,
    FatalApiError,
    RetriesExhaustedError,
    RetryableApiError,
)
from connectors.common.http import ApiSession
from socialmart.settings import HttpSettings

BASE = "https://api.example.test/v1"


def _never(_response: requests.Response, _body: Any, _account: str | None) -> ApiError | None:
    return None


def _session(
    http: HttpSettings, clock: FakeClock, classify: Any = _never, **kwargs: Any
) -> ApiSession:
    return ApiSession(
        "Example",
        BASE,
        http,
        classify,
        default_params={"access_token": TOKEN},
        sleep=clock.sleep,
        clock=clock.time,
        jitter=lambda: 0.0,
        **kwargs,
    )


@responses.activate
def test_relative_paths_get_default_params_and_timeout(
    http_settings: HttpSettings, clock: FakeClock
) -> None:
    responses.get(f"{BASE}/things", json={"ok": True})
    assert _session(http_settings, clock).get("things", {"a": "1"}) == {"ok": True}
    sent = responses.calls[0].request
    assert "a=1" in sent.url and f"access_token={TOKEN}" in sent.url
    assert sent.req_kwargs["timeout"] == http_settings.timeout_seconds


@responses.activate
def test_absolute_urls_are_requested_as_is(http_settings: HttpSettings, clock: FakeClock) -> None:
    url = f"{BASE}/things?after=abc"
    responses.get(url, json={"ok": True})
    _session(http_settings, clock).get(url)
    assert responses.calls[0].request.url == url


@responses.activate
@pytest.mark.parametrize(
    "failure",
    [
        {"status": 503, "body": "<html>Service Unavailable</html>"},
        {"status": 500, "json": {"error": "boom"}},
        {"body": requests.ConnectionError("Connection reset by peer")},
        {"body": requests.exceptions.ReadTimeout("read timed out")},
        {"status": 200, "body": '{"data": [{"id": "1"'},
    ],
    ids=["5xx-html", "5xx-json", "connection-reset", "timeout", "truncated-json"],
)
def test_transient_failures_are_retried_with_backoff(
    http_settings: HttpSettings, clock: FakeClock, failure: dict[str, Any]
) -> None:
    responses.get(f"{BASE}/things", **failure)
    responses.get(f"{BASE}/things", **failure)
    responses.get(f"{BASE}/things", json={"data": []})
    session = _session(http_settings, clock)
    assert session.get("things") == {"data": []}
    assert session.request_count == 3
    # jitter 0 -> half the exponential ceiling: base 1s -> 0.5s, then 1s.
    assert clock.sleeps == [0.5, 1.0]


@responses.activate
def test_backoff_is_capped(clock: FakeClock) -> None:
    http = HttpSettings(
        timeout_seconds=1, max_retries=6, backoff_base_seconds=1, backoff_max_seconds=4
    )
    for _ in range(6):
        responses.get(f"{BASE}/x", status=502)
    responses.get(f"{BASE}/x", json={})
    session = ApiSession(
        "Example", BASE, http, _never, sleep=clock.sleep, clock=clock.time, jitter=lambda: 0.999
    )
    session.get("x")
    assert clock.sleeps == pytest.approx([0.9995, 1.999, 3.998, 3.998, 3.998, 3.998])


@responses.activate
@pytest.mark.parametrize("header", ["7", "Thu, 01 Jan 2026 00:00:07 GMT"])
def test_retry_after_is_honoured(http_settings: HttpSettings, header: str) -> None:
    clock = FakeClock(start=1_767_225_600.0)  # 2026-01-01T00:00:00Z
    responses.get(f"{BASE}/x", status=429, headers={"Retry-After": header})
    responses.get(f"{BASE}/x", json={})
    _session(http_settings, clock).get("x")
    assert clock.sleeps == [7.0]


@responses.activate
def test_classifier_wait_hint_wins(http_settings: HttpSettings, clock: FakeClock) -> None:
    def classify(response: requests.Response, body: Any, account: str | None) -> ApiError | None:
        if body.get("busy"):
            return RetryableApiError("busy", platform="Example", wait_seconds=42.0)
        return None

    responses.get(f"{BASE}/x", json={"busy": True})
    responses.get(f"{BASE}/x", json={"busy": False})
    assert _session(http_settings, clock, classify).get("x") == {"busy": False}
    assert clock.sleeps == [42.0]


@responses.activate
def test_pacer_delays_the_next_request_only(http_settings: HttpSettings, clock: FakeClock) -> None:
    responses.get(f"{BASE}/x", json={})
    session = _session(http_settings, clock, pace=lambda response: 12.5)
    session.get("x")
    assert clock.sleeps == []
    session.get("x")
    assert clock.sleeps == [12.5]


@responses.activate
def test_exhausted_retries_raise_without_token(
    http_settings: HttpSettings, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    leaky = f"Max retries exceeded with url: /x?access_token={TOKEN}"
    for _ in range(http_settings.max_retries + 1):
        responses.get(f"{BASE}/x", body=requests.ConnectionError(leaky))
    with caplog.at_level(logging.DEBUG), pytest.raises(RetriesExhaustedError) as info:
        _session(http_settings, clock).get("x")
    assert "4 attempts" in str(info.value)
    assert TOKEN not in str(info.value)
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert TOKEN not in caplog.text
    assert len(clock.sleeps) == http_settings.max_retries


@responses.activate
def test_unclassified_client_error_is_fatal(http_settings: HttpSettings, clock: FakeClock) -> None:
    responses.get(f"{BASE}/x", status=404, body="not found")
    with pytest.raises(FatalApiError, match="HTTP 404") as info:
        _session(http_settings, clock).get("x", account="42")
    assert TOKEN not in str(info.value)
    assert "account 42" in str(info.value)
    assert len(responses.calls) == 1
