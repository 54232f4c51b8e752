"""Threads profile ``clicks`` arrive per link (``link_total_values``) and are read, not lost.

Payload shape: the Threads Insights API lists ``clicks`` among the user metrics of
``GET /{threads-user-id}/threads_insights`` (https://developers.facebook.com/documentation/
threads/insights); it answers per link, ``link_total_values: [{"value": n, "link_url": "..."}]``
and no ``total_value``, as shown in https://qiita.com/MisaNeco/items/6cf07b23787e717d5789
(reading the official insights doc; Threads Graph API v1.0).
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import responses
from connector_testkit import FakeClock

from connectors.common.graph import GraphClient
from connectors.common.spool import read_manifest
from connectors.threads.client import PLATFORM, classify_threads_response
from connectors.threads.extract import extract_account
from socialmart.settings import Settings

BASE = "https://graph.threads.net/v1.0"
TOKEN = "THAA-test-threads-secret-91b2c3"
PROFILE = "27300000000000101"
DAY = date(2026, 11, 1)
SHOP = "https://shop.example.com/new-in"
BIO = "https://links.example/ana"


@pytest.fixture
def threads_settings(settings: Settings) -> Settings:
    return replace(
        settings,
        threads=replace(
            settings.threads,
            base_url="https://graph.threads.net",
            access_token=TOKEN,
            profile_tokens=(),
            profile_ids=(PROFILE,),
        ),
    )


@pytest.fixture
def client(threads_settings: Settings, clock: FakeClock) -> GraphClient:
    return GraphClient(
        PLATFORM,
        BASE,
        TOKEN,
        threads_settings.http,
        classify_threads_response,
        sleep=clock.sleep,
        clock=clock.time,
        jitter=lambda: 1.0,
    )


def _daily(clicks_entry: dict[str, Any]) -> dict[str, Any]:
    end_time = "2026-11-01T07:00:00+0000"
    return {
        "data": [
            {"name": "views", "period": "day", "values": [{"value": 500, "end_time": end_time}]},
            {"name": "likes", "period": "day", "total_value": {"value": 12}},
            clicks_entry,
            {"name": "followers_count", "period": "day", "total_value": {"value": 1000}},
        ]
    }


def _clicks(**shape: Any) -> dict[str, Any]:
    return {
        "name": "clicks",
        "period": "day",
        "title": "clicks",
        "description": "…",
        "id": f"{PROFILE}/insights/clicks/day",
        **shape,
    }


def _pull(settings: Settings, client: GraphClient, daily: dict[str, Any]) -> dict[str, Any]:
    responses.get(f"{BASE}/{PROFILE}/threads", json={"data": []})
    responses.get(f"{BASE}/{PROFILE}/threads_insights", json=daily)
    *_, manifest = extract_account(settings, PROFILE, DAY, DAY, "run-1", client=client)
    unit: Path = manifest.parent
    (row,) = [r for f in read_manifest(manifest).files for r in json.loads((unit / f).read_text())]
    return row


@responses.activate
def test_clicks_per_link_are_summed_and_kept_per_link(
    threads_settings: Settings, client: GraphClient
) -> None:
    links = [{"value": 31, "link_url": SHOP}, {"value": 8, "link_url": BIO}]
    row = _pull(threads_settings, client, _daily(_clicks(link_total_values=links)))
    assert row["report_date"] == DAY.isoformat()
    assert (row["views"], row["likes"], row["clicks"], row["followers_count"]) == (
        500,
        12,
        39,
        1000,
    )
    assert row["clicks_by_url"] == [
        {"link_url": SHOP, "value": 31},
        {"link_url": BIO, "value": 8},
    ]


@responses.activate
def test_no_link_clicked_is_zero_clicks(threads_settings: Settings, client: GraphClient) -> None:
    row = _pull(threads_settings, client, _daily(_clicks(link_total_values=[])))
    assert (row["clicks"], row["clicks_by_url"]) == (0, [])


@responses.activate
def test_a_total_value_still_reads_as_before(
    threads_settings: Settings, client: GraphClient
) -> None:
    row = _pull(threads_settings, client, _daily(_clicks(total_value={"value": 5})))
    assert (row["clicks"], row["clicks_by_url"]) == (5, None)


@responses.activate
def test_an_unknown_shape_is_null_with_a_warning(
    threads_settings: Settings, client: GraphClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="connectors.threads.extract"):
        row = _pull(threads_settings, client, _daily(_clicks(link_values={"n": 3})))
    assert row["clicks"] is None
    assert "Threads metric clicks came back in an unknown shape" in caplog.text
    assert "link_values" in caplog.text
