"""The ECB rates connector against mocked HTTP: parsing, retries and fatal answers."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import responses
from connector_testkit import FakeClock

from connectors.common.errors import FatalApiError
from connectors.fx.client import EcbClient
from connectors.fx.extract import extract_account
from socialmart.settings import Settings

URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.csv"
CSV = (
    "Date,USD,JPY,GBP,RUB,\n"
    "2026-06-02,1.0901,163.12,0.85871,N/A,\n"
    "2026-06-01,1.0850,162.50,0.85500,N/A,\n"
    "2026-05-29,1.0799,161.80,0.85123,N/A,\n"
    "2026-05-28,1.0700,161.00,0.85000,99.5000,\n"
)


@pytest.fixture
def fx_settings(settings: Settings) -> Settings:
    """Rates carry forward three days: from a Friday publication over the weekend to Monday."""
    return replace(settings, fx=replace(settings.fx, rates_url=URL, carry_forward_days=3))


def _extract(settings: Settings, clock: FakeClock, start: date, end: date) -> list[Path]:
    client = EcbClient(settings.fx, settings.http, sleep=clock.sleep, clock=clock.time)
    return extract_account(settings, "ecb", start, end, "run-1", client=client)


def _pages(manifest: Path) -> list[dict]:
    files = json.loads(manifest.read_text())["files"]
    return [row for name in files for row in json.loads((manifest.parent / name).read_text())]


@responses.activate
def test_window_rows_unpivoted_with_the_file_text(fx_settings: Settings, clock: FakeClock) -> None:
    responses.get(URL, body=CSV, content_type="text/csv")
    (manifest,) = _extract(fx_settings, clock, date(2026, 6, 1), date(2026, 6, 1))
    rows = _pages(manifest)
    # Monday's window reaches back carry_forward_days: Friday's rates still apply on Monday
    # when the ECB publishes late, and on any weekend day a window might open with.
    assert rows == [
        {"provider": "ecb", "date": "2026-05-29", "currency": "GBP", "rate": "0.85123"},
        {"provider": "ecb", "date": "2026-05-29", "currency": "JPY", "rate": "161.80"},
        {"provider": "ecb", "date": "2026-05-29", "currency": "USD", "rate": "1.0799"},
        {"provider": "ecb", "date": "2026-06-01", "currency": "GBP", "rate": "0.85500"},
        {"provider": "ecb", "date": "2026-06-01", "currency": "JPY", "rate": "162.50"},
        {"provider": "ecb", "date": "2026-06-01", "currency": "USD", "rate": "1.0850"},
    ]
    spooled = json.loads(manifest.read_text())
    assert spooled["request_count"] == 1
    assert (spooled["window_start"], spooled["window_end"]) == ("2026-05-29", "2026-06-01")


@responses.activate
def test_server_errors_and_truncated_bodies_are_retried(
    fx_settings: Settings, clock: FakeClock
) -> None:
    responses.get(URL, status=503, body="<html>busy</html>", content_type="text/html")
    responses.get(URL, body=CSV[: len(CSV) // 2 + 7], content_type="text/csv")  # cut mid-row
    responses.get(URL, body=CSV, content_type="text/csv")
    (manifest,) = _extract(fx_settings, clock, date(2026, 5, 31), date(2026, 6, 2))
    assert json.loads(manifest.read_text())["request_count"] == 3
    assert len(clock.sleeps) == 2
    assert {"provider": "ecb", "date": "2026-05-28", "currency": "RUB", "rate": "99.5000"} in (
        _pages(manifest)
    )


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (404, "<html>Not Found</html>", "answered HTTP 404. Set FX_RATES_URL"),
        (403, "<html>Forbidden</html>", "answered HTTP 403. Set FX_RATES_URL"),
        (200, "<!DOCTYPE html><html>maintenance</html>", "not an ECB reference-rate CSV"),
        (200, "Date,USD,\n2026-06-01,abc,\n", "unexpected cell"),
    ],
)
@responses.activate
def test_fatal_answers_name_the_setting_and_leave_nothing(
    fx_settings: Settings, clock: FakeClock, status: int, body: str, message: str
) -> None:
    responses.get(URL, status=status, body=body)
    with pytest.raises(FatalApiError, match=message):
        _extract(fx_settings, clock, date(2026, 6, 1), date(2026, 6, 1))
    assert not list(fx_settings.spool_dir.rglob("manifest.json"))
    assert len(responses.calls) == 1


@responses.activate
def test_a_file_starting_after_the_window_is_refused(
    fx_settings: Settings, clock: FakeClock
) -> None:
    responses.get(URL, body=CSV, content_type="text/csv")
    with pytest.raises(FatalApiError, match="starts at 2026-05-28, after the window start"):
        _extract(fx_settings, clock, date(2026, 5, 1), date(2026, 6, 1))
    assert not list(fx_settings.spool_dir.rglob("manifest.json"))
