"""The TikTok stand-in serves Upgraded Smart+ like TikTok documents it.

Shapes: ``/smart_plus/campaign|adgroup|ad/get/`` list fields as in TikTok's SDK models
(tiktok/tiktok-business-api-sdk ``FilteringSmartPlus*Get``; bububa/tiktok-business
``model/{campaign,adgroup,ad}/smartplus/``: ``smart_plus_ad_id``, ``creative_list``,
``tiktok_subplacements`` with ``LEMON8``/``PINE_DRAMA``). Reports (bububa/tiktok-business
``model/report/dimensions.go``, ``metrics.go``): ``ad_id_v2`` groups Upgraded Smart+ ads by
the ad, ``ad_id`` by creative, the two cannot be combined, and ``campaign_automation_type``
says which (``UPGRADED_SMART_PLUS`` / ``UPGRADED_SMART_PLUS_CREATIVE`` / ``MANUAL``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from test_tiktok_contract import BASIC, DE, NOW, US, all_rows, call

from sandbox.server import RunningSandbox
from sandbox.tiktok.truth import smart_plus_ad_day_truth, smart_plus_placement_truth

V2 = {
    **BASIC,
    "dimensions": '["ad_id_v2","stat_time_day"]',
    "metrics": '["spend","impressions","clicks","complete_payment",'
    '"total_complete_payment_rate","campaign_automation_type"]',
}
DAYS = {"start_date": "2026-09-20", "end_date": "2026-09-22"}


@pytest.fixture(autouse=True)
def _pinned_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_NOW", NOW)


def _filtered(params: dict[str, Any], campaign_ids: list[str]) -> dict[str, Any]:
    by_campaign = {"field_name": "campaign_ids", "filter_type": "IN"}
    filtering = [
        *json.loads(params["filtering"]),
        {**by_campaign, "filter_value": json.dumps(campaign_ids)},
    ]
    return {**params, "filtering": json.dumps(filtering)}


def _smart_plus(sandbox: RunningSandbox, level: str, advertiser: str = US) -> list[dict]:
    return all_rows(sandbox, f"smart_plus/{level}/get", advertiser_id=advertiser)


def test_smart_plus_objects_have_their_own_endpoints(sandbox: RunningSandbox) -> None:
    campaigns = _smart_plus(sandbox, "campaign")
    groups = _smart_plus(sandbox, "adgroup")
    ads = _smart_plus(sandbox, "ad")
    assert len(campaigns) == len(groups) == 1 and len(ads) == 2
    campaign, group = campaigns[0], groups[0]
    assert campaign["budget_optimize_on"] is True and campaign["smart_plus_adgroup_mode"]
    assert group["campaign_id"] == campaign["campaign_id"]
    assert group["placement_type"] == "PLACEMENT_TYPE_AUTOMATIC"
    assert group["tiktok_subplacements"] == ["LEMON8", "PINE_DRAMA"]
    assert {ad["adgroup_id"] for ad in ads} == {group["adgroup_id"]}
    assert all(ad["smart_plus_ad_id"] and "ad_id" not in ad for ad in ads)
    assert all(len(ad["creative_list"]) == 2 for ad in ads)
    # not in the standard lists
    standard = all_rows(sandbox, "campaign/get", advertiser_id=US)
    assert campaign["campaign_id"] not in {c["campaign_id"] for c in standard}
    standard_ads = all_rows(sandbox, "ad/get", advertiser_id=US)
    assert not {a["smart_plus_ad_id"] for a in ads} & {a["ad_id"] for a in standard_ads}


def test_smart_plus_lists_return_only_the_fields_asked_for(sandbox: RunningSandbox) -> None:
    fields = json.dumps(["adgroup_id", "tiktok_subplacements"])
    rows = all_rows(sandbox, "smart_plus/adgroup/get", advertiser_id=DE, fields=fields)
    assert rows == [{"adgroup_id": rows[0]["adgroup_id"], "tiktok_subplacements": ["LEMON8"]}]


def test_report_by_ad_id_v2_shows_smart_plus_ads_and_manual_ads(sandbox: RunningSandbox) -> None:
    rows = all_rows(sandbox, "report/integrated/get", advertiser_id=US, **DAYS, **V2)
    kinds = {r["metrics"]["campaign_automation_type"] for r in rows}
    assert kinds == {"MANUAL", "UPGRADED_SMART_PLUS"}
    ad_ids = {ad["smart_plus_ad_id"] for ad in _smart_plus(sandbox, "ad")}
    smart = [r for r in rows if r["metrics"]["campaign_automation_type"] == "UPGRADED_SMART_PLUS"]
    assert {r["dimensions"]["ad_id_v2"] for r in smart} == ad_ids
    truth = {
        (t["ad_id"], t["date"]): t
        for t in smart_plus_ad_day_truth(42, date(2026, 9, 20), date(2026, 9, 22))
        if t["advertiser_id"] == US
    }
    assert len(smart) == len(truth)
    for row in smart:
        t = truth[(row["dimensions"]["ad_id_v2"], row["dimensions"]["stat_time_day"][:10])]
        assert Decimal(row["metrics"]["spend"]) == t["spend"]
        assert int(row["metrics"]["clicks"]) == t["clicks"]
        assert Decimal(row["metrics"]["total_complete_payment_rate"]) == t["purchase_value"]


def test_campaign_ids_filter_narrows_the_report(sandbox: RunningSandbox) -> None:
    campaign = _smart_plus(sandbox, "campaign")[0]["campaign_id"]
    params = _filtered(V2, [campaign])
    rows = all_rows(sandbox, "report/integrated/get", advertiser_id=US, **DAYS, **params)
    assert rows
    assert {r["metrics"]["campaign_automation_type"] for r in rows} == {"UPGRADED_SMART_PLUS"}
    too_many = _filtered(V2, [str(n) for n in range(101)])
    body = call(sandbox, "report/integrated/get", advertiser_id=US, **DAYS, **too_many)
    assert body["code"] == 40002 and "campaign_ids" in body["message"]


def test_ad_id_and_ad_id_v2_cannot_be_combined(sandbox: RunningSandbox) -> None:
    params = {**V2, "dimensions": '["ad_id","ad_id_v2","stat_time_day"]'}
    body = call(sandbox, "report/integrated/get", advertiser_id=US, **DAYS, **params)
    assert body["code"] == 40002 and "ad_id_v2" in body["message"]


def test_report_by_ad_id_splits_smart_plus_ads_into_creatives(sandbox: RunningSandbox) -> None:
    params = {**V2, "dimensions": '["ad_id","stat_time_day"]'}
    rows = all_rows(sandbox, "report/integrated/get", advertiser_id=US, **DAYS, **params)
    creatives = {
        creative["ad_material_id"]: ad["smart_plus_ad_id"]
        for ad in _smart_plus(sandbox, "ad")
        for creative in ad["creative_list"]
    }
    split = [
        r
        for r in rows
        if r["metrics"]["campaign_automation_type"] == "UPGRADED_SMART_PLUS_CREATIVE"
    ]
    assert {r["dimensions"]["ad_id"] for r in split} == set(creatives)
    summed: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in split:
        key = (creatives[row["dimensions"]["ad_id"]], row["dimensions"]["stat_time_day"][:10])
        summed[key] += Decimal(row["metrics"]["spend"])
    truth = {
        (t["ad_id"], t["date"]): t["spend"]
        for t in smart_plus_ad_day_truth(42, date(2026, 9, 20), date(2026, 9, 22))
        if t["advertiser_id"] == US
    }
    assert summed == truth


def test_audience_report_by_ad_id_v2_has_lemon8_and_pinedrama(sandbox: RunningSandbox) -> None:
    campaign = _smart_plus(sandbox, "campaign")[0]["campaign_id"]
    params = _filtered(
        {
            **V2,
            "report_type": "AUDIENCE",
            "dimensions": '["ad_id_v2","stat_time_day","placement"]',
            "metrics": '["spend","impressions","clicks"]',
        },
        [campaign],
    )
    rows = all_rows(sandbox, "report/integrated/get", advertiser_id=US, **DAYS, **params)
    assert {r["dimensions"]["placement"] for r in rows} == {
        "PLACEMENT_TIKTOK",
        "PLACEMENT_PANGLE",
        "PLACEMENT_GLOBAL_APP_BUNDLE",
        "LEMON8",
        "PINE_DRAMA",
    }
    got = {
        (r["dimensions"]["ad_id_v2"], r["dimensions"]["stat_time_day"][:10])
        + (r["dimensions"]["placement"],): Decimal(r["metrics"]["spend"])
        for r in rows
    }
    truth = {
        (t["ad_id"], t["date"], t["placement"]): t["spend"]
        for t in smart_plus_placement_truth(42, date(2026, 9, 20), date(2026, 9, 22))
        if t["advertiser_id"] == US
    }
    assert got == truth
