"""The TikTok stand-in answers in the documented shapes (reference section 8) and rules."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests

from sandbox.faults import FaultPlan
from sandbox.server import RunningSandbox, serve_in_thread
from sandbox.tiktok.truth import ad_day_truth, gmv_max_truth
from socialmart.settings import SANDBOX_TIKTOK_TOKEN

US, DE = "7002238017842757601", "7002238017842757602"
NOW = "2026-10-05T12:00:00+00:00"
BASIC = {
    "report_type": "BASIC",
    "data_level": "AUCTION_AD",
    "dimensions": '["ad_id","stat_time_day"]',
    "metrics": '["spend","impressions","complete_payment","total_complete_payment_rate",'
    '"video_views_p100","campaign_automation_type"]',
    "filtering": json.dumps(
        [{"field_name": "ad_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}]
    ),
}


REPORT = "report/integrated/get"


def _us_report(start: str, end: str, report: dict[str, str] = BASIC) -> dict[str, str]:
    """Parameters of ``report`` on the US advertiser's days ``start`` to ``end``."""
    return {"advertiser_id": US, "start_date": start, "end_date": end, **report}


@pytest.fixture(autouse=True)
def _pinned_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_NOW", NOW)


def call(sandbox: RunningSandbox, resource: str, token: str = SANDBOX_TIKTOK_TOKEN, **params: Any):
    url = f"{sandbox.base_url}/business-api.tiktok.com/open_api/v1.3/{resource}/"
    response = requests.get(url, params=params, headers={"Access-Token": token}, timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"code", "message", "request_id", "data"}
    return body


def manual(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of manual ads (reports by ad_id also list Upgraded Smart+ creatives)."""
    return [r for r in rows if r["metrics"]["campaign_automation_type"] == "MANUAL"]


def all_rows(
    sandbox: RunningSandbox, resource: str, size: int = 1000, **params: Any
) -> list[dict[str, Any]]:
    rows, page = [], 1
    while True:
        body = call(sandbox, resource, page=page, page_size=size, **params)
        assert body["code"] == 0, body
        rows += body["data"]["list"]
        if page >= body["data"]["page_info"]["total_page"]:
            return rows
        page += 1


def test_advertiser_info_shape(sandbox: RunningSandbox) -> None:
    body = call(sandbox, "advertiser/info", advertiser_ids=json.dumps([US, DE]))
    assert body["code"] == 0 and body["message"] == "OK"
    us, de = body["data"]["list"]
    assert set(us) >= {"advertiser_id", "name", "currency", "timezone", "display_timezone"}
    assert (us["currency"], us["timezone"], us["display_timezone"]) == (
        "USD",
        "Etc/GMT+8",
        "America/Los_Angeles",
    )
    assert de["currency"] == "EUR"
    assert "balance" in us  # without `fields`: every field, as documented


def test_advertiser_info_returns_only_the_fields_asked_for(sandbox: RunningSandbox) -> None:
    """advertiser/info's `fields` parameter selects the returned fields (TikTok API for
    Business, advertiser info reference); the extract asks for the declared columns, so an
    extra field in its pages is news from the API, recorded as schema drift."""
    fields = json.dumps(["advertiser_id", "currency"])
    body = call(sandbox, "advertiser/info", advertiser_ids=json.dumps([US]), fields=fields)
    assert body["data"]["list"] == [{"advertiser_id": US, "currency": "USD"}]


def test_wrong_token_and_foreign_advertiser_are_coded_errors(sandbox: RunningSandbox) -> None:
    assert call(sandbox, "ad/get", token="nope-nope-nope", advertiser_id=US)["code"] == 40105
    assert call(sandbox, "ad/get", advertiser_id="123")["code"] == 40001
    listed = call(sandbox, "oauth2/advertiser/get", app_id="x", secret="y")
    assert listed["code"] == 40101 and listed["data"] == {}


def test_entities_placements_spark_and_deleted_ads(sandbox: RunningSandbox) -> None:
    groups = all_rows(sandbox, "adgroup/get", advertiser_id=US)
    by_type = {g["placement_type"]: g for g in groups}
    assert by_type["PLACEMENT_TYPE_AUTOMATIC"]["placements"] is None
    assert by_type["PLACEMENT_TYPE_NORMAL"]["placements"][0] == "PLACEMENT_TIKTOK"
    live = all_rows(sandbox, "ad/get", advertiser_id=US)
    everything = all_rows(
        sandbox, "ad/get", advertiser_id=US, filtering='{"secondary_status":"AD_STATUS_ALL"}'
    )
    deleted = [a for a in everything if a["secondary_status"] == "AD_STATUS_DELETE"]
    assert len(deleted) == 1 and len(everything) == len(live) + 1
    spark = [a for a in live if "tiktok_item_id" in a]
    assert {a["identity_type"] for a in spark} == {"AUTH_CODE", "TT_USER"}
    assert len({a["identity_id"] for a in spark}) >= 3


def test_campaign_buying_types_are_listed_separately(sandbox: RunningSandbox) -> None:
    auction = all_rows(sandbox, "campaign/get", advertiser_id=US)
    topview = all_rows(
        sandbox,
        "campaign/get",
        advertiser_id=US,
        filtering='{"buying_types":["RESERVATION_TOP_VIEW"]}',
    )
    assert len(auction) == 2 and len(topview) == 1
    mixed = call(
        sandbox,
        "campaign/get",
        advertiser_id=US,
        filtering='{"buying_types":["AUCTION","RESERVATION_TOP_VIEW"]}',
    )
    assert mixed["code"] == 40002


def test_basic_report_rows_are_strings_and_match_truth(sandbox: RunningSandbox) -> None:
    rows = manual(all_rows(sandbox, REPORT, **_us_report("2026-09-15", "2026-09-30")))
    first = rows[0]
    assert set(first) == {"dimensions", "metrics"}
    assert first["dimensions"]["stat_time_day"].endswith(" 00:00:00")
    assert all(isinstance(v, str) for v in first["metrics"].values())
    assert {r["metrics"]["video_views_p100"] for r in rows} >= {"-"}  # carousel ads
    truth = {
        (t["ad_id"], t["date"]): t
        for t in ad_day_truth(42, date(2026, 9, 15), date(2026, 9, 30))
        if t["advertiser_id"] == US
    }
    assert len(rows) == len(truth)
    for row in rows:
        t = truth[(row["dimensions"]["ad_id"], row["dimensions"]["stat_time_day"][:10])]
        assert Decimal(row["metrics"]["spend"]) == t["spend"]
        assert Decimal(row["metrics"]["total_complete_payment_rate"]) == t["purchase_value"]


def test_deleted_ads_need_status_all_in_reports(sandbox: RunningSandbox) -> None:
    params = {**BASIC, "filtering": "[]"}
    rows = all_rows(sandbox, REPORT, **_us_report("2026-09-15", "2026-09-19", params))
    with_deleted = all_rows(sandbox, REPORT, **_us_report("2026-09-15", "2026-09-19"))
    assert len(with_deleted) - len(rows) == 5  # the deleted ad's daily spend history


def test_span_and_page_size_limits(sandbox: RunningSandbox) -> None:
    too_long = call(sandbox, REPORT, **_us_report("2026-09-01", "2026-10-01"))
    assert too_long["code"] == 40002 and "30 days" in too_long["message"]
    big_page = call(sandbox, "ad/get", advertiser_id=US, page_size=1001)
    assert big_page["code"] == 40002
    gmv = call(
        sandbox,
        "gmv_max/campaign/get",
        advertiser_id=US,
        page_size=101,
        filtering='{"gmv_max_promotion_types":["LIVE_GMV_MAX"]}',
    )
    assert gmv["code"] == 40002


def test_audience_report_by_placement_sums_to_basic(sandbox: RunningSandbox) -> None:
    common = {"advertiser_id": DE, "start_date": "2026-09-20", "end_date": "2026-09-21"}
    placement = all_rows(
        sandbox,
        REPORT,
        **common,
        **{
            **BASIC,
            "report_type": "AUDIENCE",
            "dimensions": '["ad_id","stat_time_day","placement"]',
            "metrics": '["spend"]',
        },
    )
    basic = all_rows(sandbox, REPORT, **common, **{**BASIC, "metrics": '["spend"]'})
    assert {r["dimensions"]["placement"] for r in placement} == {
        "PLACEMENT_TIKTOK",
        "PLACEMENT_PANGLE",
        "PLACEMENT_GLOBAL_APP_BUNDLE",
        "LEMON8",  # the DE Smart+ ad group's subplacement (its creatives' rows)
    }
    total = sum(Decimal(r["metrics"]["spend"]) for r in placement)
    assert total == sum(Decimal(r["metrics"]["spend"]) for r in basic)


def test_gmv_max_stores_campaigns_and_report(sandbox: RunningSandbox) -> None:
    stores = call(sandbox, "gmv_max/store/list", advertiser_id=US)["data"]["store_list"]
    available = [s["store_id"] for s in stores if s["is_gmv_max_available"]]
    assert len(stores) == 2 and len(available) == 1
    live = all_rows(
        sandbox,
        "gmv_max/campaign/get",
        size=100,
        advertiser_id=US,
        filtering='{"gmv_max_promotion_types":["LIVE_GMV_MAX"]}',
    )
    assert len(live) == 1
    rows = all_rows(
        sandbox,
        "gmv_max/report/get",
        advertiser_id=US,
        store_ids=json.dumps(available),
        start_date="2026-09-01",
        end_date="2026-09-30",
        dimensions='["campaign_id","stat_time_day"]',
        metrics='["cost","orders","gross_revenue","product_clicks"]',
        filtering='{"gmv_max_promotion_types":["LIVE"]}',
    )
    assert rows and all(r["metrics"]["product_clicks"] == "0" for r in rows)
    assert all(Decimal(r["metrics"]["cost"]) > 0 for r in rows)  # spend, no clicks
    truth = [
        t
        for t in gmv_max_truth(42, date(2026, 9, 1), date(2026, 9, 30))
        if t["campaign_id"] == live[0]["campaign_id"]
    ]
    served = [None if r["metrics"]["orders"] == "-" else int(r["metrics"]["orders"]) for r in rows]
    assert served == [t["orders"] for t in truth] and None in served


def test_late_conversions_mature_with_the_clock(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = {**BASIC, "advertiser_id": US, "start_date": "2026-10-04", "end_date": "2026-10-04"}
    early = manual(all_rows(sandbox, REPORT, **params))
    monkeypatch.setenv("SANDBOX_NOW", "2026-10-12T12:00:00+00:00")
    late = manual(all_rows(sandbox, REPORT, **params))
    early_total = sum(int(r["metrics"]["complete_payment"]) for r in early)
    late_total = sum(int(r["metrics"]["complete_payment"]) for r in late)
    assert early_total < late_total
    assert [r["metrics"]["spend"] for r in early] == [r["metrics"]["spend"] for r in late]
    final = [
        t
        for t in ad_day_truth(42, date(2026, 10, 4), date(2026, 10, 4))
        if t["advertiser_id"] == US
    ]
    assert late_total == sum(t["complete_payment"] for t in final)


def test_future_days_are_not_reported(sandbox: RunningSandbox) -> None:
    # 2026-10-05 12:00 UTC is still 2026-10-05 05:00 in Los Angeles: no 10-06 yet.
    rows = all_rows(sandbox, REPORT, **_us_report("2026-10-05", "2026-10-06"))
    assert {r["dimensions"]["stat_time_day"][:10] for r in rows} == {"2026-10-05"}


def test_envelope_error_fault_and_gateway_timeout() -> None:
    plan = FaultPlan.from_rules(
        [
            {"preset": "tiktok_qps_limit", "match": "/ad/get", "times": 1},
            {"kind": "http_504", "match": "/adgroup/get", "times": 1},
        ]
    )
    with serve_in_thread(seed=42, faults=plan) as running:
        assert call(running, "ad/get", advertiser_id=US)["code"] == 40100
        assert call(running, "ad/get", advertiser_id=US)["code"] == 0
        url = f"{running.base_url}/business-api.tiktok.com/open_api/v1.3/adgroup/get/"
        response = requests.get(url, params={"advertiser_id": US}, timeout=10)
        assert response.status_code == 504 and not response.text.startswith("{")
