"""Meta async report runs and entity snapshots with mocked HTTP (per endpoint and fault)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import responses
from connector_testkit import META_API, FakeClock

from connectors.common.errors import RetriesExhaustedError
from connectors.common.spool import read_manifest
from connectors.meta.client import MetaClient
from connectors.meta.extract import extract_streams
from connectors.meta.streams import AD_ACCOUNTS, AD_INSIGHTS, ADS, CAMPAIGNS
from socialmart.settings import Settings

ACCOUNT = "1234567890"
INSIGHTS = f"{META_API}/act_{ACCOUNT}/insights"
JUNE_1, JUNE_4 = date(2026, 6, 1), date(2026, 6, 4)


def _status(run: str, status: str, percent: int, **extra: Any) -> dict[str, Any]:
    return {"id": run, "async_status": status, "async_percent_completion": percent, **extra}


def _row(day: str) -> dict[str, str]:
    return {"account_id": ACCOUNT, "ad_id": "301", "date_start": day, "date_stop": day}


@pytest.fixture
def async_settings(settings: Settings) -> Settings:
    meta = replace(settings.meta, async_threshold_days=2, async_poll_seconds=1.0)
    return replace(settings, meta=replace(meta, async_poll_max_seconds=4.0))


def _client(settings: Settings, clock: FakeClock) -> MetaClient:
    return MetaClient(settings.meta, settings.http, **clock.timing())


def _pull_insights(settings: Settings, clock: FakeClock, start: date, end: date) -> list[Path]:
    """The account's ``ad_insights`` for ``start..end`` through a client on ``clock``."""
    return extract_streams((AD_INSIGHTS,))(
        settings, ACCOUNT, start, end, "run-1", _client(settings, clock)
    )


@responses.activate
def test_long_range_goes_async_and_polls_with_backoff(async_settings: Settings) -> None:
    clock = FakeClock()
    responses.post(INSIGHTS, json={"report_run_id": 111})  # a number, as in Meta's docs
    for node in (
        _status("111", "Job Not Started", 0),
        _status("111", "Job Running", 40),
        _status("111", "Job Running", 80),
        _status("111", "Job Completed", 100),
    ):
        responses.get(f"{META_API}/111", json=node)
    responses.get(f"{META_API}/111/insights", json={"data": [_row("2026-06-01")]})
    [manifest] = _pull_insights(async_settings, clock, JUNE_1, JUNE_4)
    assert read_manifest(manifest).row_count == 1
    assert clock.sleeps == [1.0, 2.0, 4.0, 4.0]
    posted = responses.calls[0].request
    assert posted.method == "POST" and "breakdowns" not in posted.params
    assert json.loads(posted.params["action_attribution_windows"]) == [
        "1d_click",
        "7d_click",
        "28d_click",
        "1d_ev",
        "1d_view",
    ]


@responses.activate
def test_skipped_job_is_resubmitted(async_settings: Settings) -> None:
    clock = FakeClock()
    responses.post(INSIGHTS, json={"report_run_id": "1"})
    responses.post(INSIGHTS, json={"report_run_id": "2"})
    responses.get(f"{META_API}/1", json=_status("1", "Job Skipped", 0))
    responses.get(f"{META_API}/2", json=_status("2", "Job Completed", 100))
    responses.get(f"{META_API}/2/insights", json={"data": [_row("2026-06-02")]})
    [manifest] = _pull_insights(async_settings, clock, JUNE_1, JUNE_4)
    assert read_manifest(manifest).row_count == 1


@responses.activate
def test_timed_out_job_is_split_into_halves(async_settings: Settings) -> None:
    settings = replace(
        async_settings, meta=replace(async_settings.meta, async_job_timeout_seconds=5)
    )
    clock = FakeClock()
    ranges = []

    def create(request: Any) -> tuple[int, dict, str]:
        ranges.append(json.loads(request.params["time_range"]))
        return 200, {}, json.dumps({"report_run_id": str(len(ranges))})

    responses.add_callback(responses.POST, INSIGHTS, callback=create)
    responses.get(f"{META_API}/1", json=_status("1", "Job Running", 50))
    for run in ("2", "3"):
        responses.get(f"{META_API}/{run}", json=_status(run, "Job Completed", 100))
        responses.get(f"{META_API}/{run}/insights", json={"data": [_row("2026-06-0" + run)]})
    [manifest] = _pull_insights(settings, clock, JUNE_1, JUNE_4)
    assert ranges == [
        {"since": "2026-06-01", "until": "2026-06-04"},
        {"since": "2026-06-01", "until": "2026-06-02"},
        {"since": "2026-06-03", "until": "2026-06-04"},
    ]
    assert read_manifest(manifest).row_count == 2


@responses.activate
def test_single_day_job_failing_repeatedly_gives_up_clearly(async_settings: Settings) -> None:
    settings = replace(async_settings, meta=replace(async_settings.meta, async_threshold_days=0))
    clock = FakeClock()
    responses.post(INSIGHTS, json={"report_run_id": "9"})
    failed = _status("9", "Job Failed", 0, error_code=2, error_message="Service temporarily down")
    responses.get(f"{META_API}/9", json=failed)
    with pytest.raises(RetriesExhaustedError, match="kept failing"):
        _pull_insights(settings, clock, JUNE_1, JUNE_1)
    assert len([c for c in responses.calls if c.request.method == "POST"]) == 3
    assert not list(settings.spool_dir.rglob("manifest.json"))


@responses.activate
def test_entity_snapshots_request_every_status(settings: Settings) -> None:
    clock = FakeClock()
    responses.get(
        f"{META_API}/act_{ACCOUNT}",
        json={"id": f"act_{ACCOUNT}", "account_id": ACCOUNT, "currency": "EUR"},
    )
    responses.get(
        f"{META_API}/act_{ACCOUNT}/campaigns",
        json={"data": [{"id": "101", "account_id": ACCOUNT, "effective_status": "DELETED"}]},
    )
    responses.get(f"{META_API}/act_{ACCOUNT}/ads", json={"data": []})
    paths = extract_streams((AD_ACCOUNTS, CAMPAIGNS, ADS))(
        settings,
        ACCOUNT,
        JUNE_1,
        JUNE_1,
        "run-1",
        _client(settings, clock),
    )
    assert [read_manifest(p).row_count for p in paths] == [1, 1, 0]
    campaigns = responses.calls[1].request.params
    assert "DELETED" in json.loads(campaigns["effective_status"])
    assert "ARCHIVED" in json.loads(campaigns["effective_status"])
    assert {"advantage_state_info", "smart_promotion_type"} <= set(campaigns["fields"].split(","))
    ads_fields = responses.calls[2].request.params["fields"].split(",")
    assert "creative" in ads_fields and "effective_status" in ads_fields
