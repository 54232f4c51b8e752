"""The stand-ins serve each platform's own account-level daily totals, in the documented shapes.

Meta: ``GET /act_<id>/insights?level=account&time_increment=1`` (``level`` accepts
``account``; rows always carry ``date_start``/``date_stop``; numbers are strings:
/work/shared/reference/meta-api.md section 4, from Meta's Insights API reference). TikTok:
``GET /report/integrated/get/`` with ``report_type=BASIC``, ``data_level=AUCTION_ADVERTISER``
and the BASIC dimensions ``advertiser_id`` and ``stat_time_day`` (tiktok-api.md section 4,
from TikTok's report API: ``data_level`` values ``AUCTION_AD ... AUCTION_ADVERTISER``; metrics
are strings, ``stat_time_day`` is ``"YYYY-MM-DD 00:00:00"``). Each total is the sum over every
ad of the account, deleted ones included.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests
from sandbox_support import EU, TOKEN, insights_params

from sandbox.server import RunningSandbox
from sandbox.tiktok.truth import ad_day_truth, smart_plus_ad_day_truth
from socialmart.settings import SANDBOX_TIKTOK_TOKEN

US = "7002238017842757601"
NOW = "2026-10-05T12:00:00+00:00"
#: One week of the US advertiser's reports, in a single page.
US_WEEK = {
    "advertiser_id": US,
    "start_date": "2026-09-15",
    "end_date": "2026-09-19",
    "page_size": 1000,
}
ADVERTISER_REPORT = {
    "report_type": "BASIC",
    "data_level": "AUCTION_ADVERTISER",
    "dimensions": '["advertiser_id","stat_time_day"]',
    "metrics": '["spend","impressions","clicks"]',
}


@pytest.fixture(autouse=True)
def _pinned_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_NOW", NOW)


def test_meta_account_level_daily_totals_are_the_sum_of_every_ad(graph: str) -> None:
    params = {
        "access_token": TOKEN,
        "level": "account",
        "time_increment": "1",
        "time_range": json.dumps({"since": "2026-09-28", "until": "2026-10-02"}),
        "fields": "account_id,account_currency,impressions,clicks,spend",
    }
    rows = requests.get(f"{graph}/act_{EU}/insights", params=params, timeout=10).json()["data"]
    assert [r["date_start"] for r in rows] == [
        f"2026-{d}" for d in ("09-28", "09-29", "09-30", "10-01", "10-02")
    ]
    assert all(r["date_start"] == r["date_stop"] for r in rows)
    assert set(rows[0]) == {
        "account_id",
        "account_currency",
        "impressions",
        "clicks",
        "spend",
        "date_start",
        "date_stop",
    }
    assert all(isinstance(r[f], str) for r in rows for f in ("spend", "impressions", "clicks"))

    ads = insights_params("2026-09-28", "2026-10-02", limit="5000", breakdowns="")
    ad_rows = requests.get(f"{graph}/act_{EU}/insights", params=ads, timeout=10).json()["data"]
    expected: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    for row in ad_rows:
        for i, name in enumerate(("spend", "impressions", "clicks")):
            expected[row["date_start"]][i] += Decimal(row[name])
    got = {
        r["date_start"]: [Decimal(r[n]) for n in ("spend", "impressions", "clicks")] for r in rows
    }
    assert got == expected


def _tiktok(sandbox: RunningSandbox, **params: Any) -> dict[str, Any]:
    url = f"{sandbox.base_url}/business-api.tiktok.com/open_api/v1.3/report/integrated/get/"
    headers = {"Access-Token": SANDBOX_TIKTOK_TOKEN}
    return requests.get(url, params=params, headers=headers, timeout=10).json()


def test_tiktok_advertiser_level_daily_totals_include_deleted_ads(sandbox: RunningSandbox) -> None:
    body = _tiktok(sandbox, **US_WEEK, **ADVERTISER_REPORT)
    assert body["code"] == 0, body
    rows = body["data"]["list"]
    assert body["data"]["page_info"]["total_number"] == len(rows) == 5
    first = rows[0]
    assert first["dimensions"] == {"advertiser_id": US, "stat_time_day": "2026-09-15 00:00:00"}
    assert set(first["metrics"]) == {"spend", "impressions", "clicks"}
    assert all(isinstance(v, str) for r in rows for v in r["metrics"].values())

    truth: dict[str, Decimal] = defaultdict(Decimal)
    smart_plus = smart_plus_ad_day_truth(42, date(2026, 9, 15), date(2026, 9, 19))
    for t in ad_day_truth(42, date(2026, 9, 15), date(2026, 9, 19)) + smart_plus:
        if t["advertiser_id"] == US:
            # every ad: the deleted one and the Upgraded Smart+ ones included
            truth[t["date"]] += t["spend"]
    got = {r["dimensions"]["stat_time_day"][:10]: Decimal(r["metrics"]["spend"]) for r in rows}
    assert got == truth

    # the ad-level report without the STATUS_ALL filter misses the deleted ad's spend
    ad_level = _tiktok(
        sandbox,
        **US_WEEK,
        report_type="BASIC",
        data_level="AUCTION_AD",
        dimensions='["ad_id","stat_time_day"]',
        metrics='["spend"]',
    )["data"]["list"]
    live: dict[str, Decimal] = defaultdict(Decimal)
    for row in ad_level:
        live[row["dimensions"]["stat_time_day"][:10]] += Decimal(row["metrics"]["spend"])
    assert all(live[day] < total for day, total in got.items())


def test_tiktok_advertiser_report_refuses_other_dimensions(sandbox: RunningSandbox) -> None:
    body = _tiktok(
        sandbox,
        advertiser_id=US,
        start_date="2026-09-15",
        end_date="2026-09-15",
        **{**ADVERTISER_REPORT, "dimensions": '["ad_id","stat_time_day"]'},
    )
    assert body["code"] != 0 and "advertiser_id" in body["message"]
