"""The account-level totals streams against mocked HTTP, with payloads shaped like the
platforms' documented examples, landed into their raw tables.

Meta: ``GET /act_<id>/insights`` with ``level=account`` and ``time_increment=1``; rows carry
``date_start``/``date_stop`` and numbers as strings (``spend`` a major-unit decimal string such
as ``"5339.5"``): /work/shared/reference/meta-api.md section 4 (Meta Insights API reference
and its example). TikTok: ``GET /report/integrated/get/``, ``report_type=BASIC``,
``data_level=AUCTION_ADVERTISER``, dimensions ``advertiser_id`` and ``stat_time_day``; rows
are ``{"dimensions": {...}, "metrics": {...}}`` with string metrics, ``"-"`` for none:
tiktok-api.md section 4 (TikTok report API, ``data_level`` values and BASIC dimensions);
the advertiser-level query with dimensions ``stat_time_day`` and ``advertiser_id`` also appears
in caspercrause/TikTokMarketing README.md ("Querying at the advertiser level") and the endpoint
in tiktok/tiktok-business-api-sdk js_sdk/docs/ReportingApi.md.
"""

from __future__ import annotations

import json
from datetime import date

import responses
from connector_testkit import (
    ADV,
    META_API,
    TIKTOK_API,
    TOKEN,
    FakeClock,
    fixture_json,
    loaded_run,
)

from connectors.meta.client import MetaClient
from connectors.meta.extract import ALL_STREAMS, extract_streams
from connectors.meta.streams import ACCOUNT_INSIGHTS
from connectors.tiktok.client import TikTokClient
from connectors.tiktok.extract import extract_account
from connectors.tiktok.streams import ADVERTISER_REPORT_DAILY
from socialmart.settings import Settings

EMPTY = {"code": 0, "message": "OK", "request_id": "1", "data": {"list": [], "page_info": {}}}


def test_meta_pulls_the_account_totals_with_the_other_insights() -> None:
    assert ACCOUNT_INSIGHTS in ALL_STREAMS
    assert ACCOUNT_INSIGHTS.raw_table == "meta__account_insights"
    assert ACCOUNT_INSIGHTS.key == ("account_id", "date_start")


@responses.activate
def test_meta_account_level_insights_land(settings: Settings, meta_client: MetaClient) -> None:
    insights = f"{META_API}/act_1234567890/insights"
    responses.get(insights, json=fixture_json("meta/insights_account_level.json"))
    manifests = extract_streams((ACCOUNT_INSIGHTS,))(
        settings, "act_1234567890", date(2026, 6, 1), date(2026, 6, 2), "run-1", client=meta_client
    )
    assert len(manifests) == 1
    params = responses.calls[0].request.params
    assert params["level"] == "account"
    assert params["time_increment"] == "1"
    assert set(params["fields"].split(",")) == {
        "account_id",
        "account_currency",
        "impressions",
        "clicks",
        "spend",
    }
    assert "breakdowns" not in params and "action_attribution_windows" not in params
    assert json.loads(params["time_range"]) == {"since": "2026-06-01", "until": "2026-06-02"}

    con = loaded_run(settings, "run-1")
    rows = con.execute(
        "select account_id, account_currency, date_start, spend, impressions, clicks"
        " from raw.meta__account_insights order by date_start"
    ).fetchall()
    assert rows == [
        ("1234567890", "USD", date(2026, 6, 1), "5339.5", "15240", "312"),
        ("1234567890", "USD", date(2026, 6, 2), "2987.13", "9120", "201"),
    ]
    assert TOKEN not in str(con.execute("select * from raw.meta__account_insights").fetchall())


def _report(request) -> tuple[int, dict, str]:
    """The advertiser-level report for AUCTION_ADVERTISER, the ad-level one otherwise."""
    level = request.params.get("data_level")
    name = "report_advertiser.json" if level == "AUCTION_ADVERTISER" else "report_basic.json"
    return 200, {}, json.dumps(fixture_json(f"tiktok/{name}"))


@responses.activate
def test_tiktok_advertiser_level_report_lands(tt_settings: Settings, clock: FakeClock) -> None:
    client = TikTokClient(tt_settings.tiktok, tt_settings.http, sleep=clock.sleep, clock=clock.time)
    responses.get(
        f"{TIKTOK_API}/advertiser/info/", json=fixture_json("tiktok/advertiser_info.json")
    )
    responses.get(f"{TIKTOK_API}/campaign/get/", json=EMPTY)
    responses.get(f"{TIKTOK_API}/adgroup/get/", json=EMPTY)
    responses.get(f"{TIKTOK_API}/ad/get/", json=EMPTY)
    for level in ("campaign", "adgroup", "ad"):  # no Upgraded Smart+ campaigns
        responses.get(f"{TIKTOK_API}/smart_plus/{level}/get/", json=EMPTY)
    responses.add_callback(responses.GET, f"{TIKTOK_API}/report/integrated/get/", callback=_report)
    responses.get(f"{TIKTOK_API}/gmv_max/store/list/", json={"code": 0, "data": {"store_list": []}})
    manifests = extract_account(
        tt_settings, ADV, date(2021, 10, 25), date(2021, 10, 26), "r", client
    )
    assert any(ADVERTISER_REPORT_DAILY.name in str(path) for path in manifests)
    [call] = [
        c.request.params
        for c in responses.calls
        if c.request.params.get("data_level") == "AUCTION_ADVERTISER"
    ]
    assert call["report_type"] == "BASIC"
    assert json.loads(call["dimensions"]) == ["advertiser_id", "stat_time_day"]
    assert json.loads(call["metrics"]) == ["spend", "impressions", "clicks"]
    assert (call["start_date"], call["end_date"]) == ("2021-10-25", "2021-10-26")

    con = loaded_run(tt_settings, "r")
    rows = con.execute(
        "select advertiser_id, stat_time_day, spend, impressions, clicks"
        " from raw.tiktok__advertiser_report_daily order by stat_time_day"
    ).fetchall()
    assert rows == [
        (ADV, date(2021, 10, 25), "23.500", "6210", "74"),
        (ADV, date(2021, 10, 26), "0.000", "-", "-"),
    ]
