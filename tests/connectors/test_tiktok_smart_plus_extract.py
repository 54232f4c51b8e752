"""Upgraded Smart+ against mocked HTTP: the ``/smart_plus/`` lists and the ``ad_id_v2``
reports land, filtered to the listed Smart+ campaigns.

Payload shapes: ``smart_plus_campaign_get.json`` follows the campaign object TikTok's
"Create an Upgraded Smart+ Minis Campaign" guide shows (API for Business docs id
1853377811982657: ``budget_optimize_on``, ``smart_plus_adgroup_mode``, ...) with the fields of
bububa/tiktok-business ``model/campaign/smartplus/campaign.go``;
``smart_plus_adgroup_get.json`` the fields of ``model/adgroup/smartplus/adgroup.go``
(``placement_type``, ``placements``, ``tiktok_subplacements`` = ``LEMON8``/``PINE_DRAMA``,
added 2026-06-26 per TikTok's changelog as captured in api-evangelist/tiktok-ads
``changelog/tiktok-ads-changelog.yml``); ``smart_plus_ad_get.json`` the ad of
``model/ad/smartplus/ad.go`` (``smart_plus_ad_id``, ``creative_list``) as in the guide's
``/smart_plus/ad/create/`` response (``secondary_status`` ``AD_STATUS_AUDIT``). Report rows:
the recorded BASIC row shape (tiktok-api.md section 8) with ``ad_id_v2`` as dimension
(``model/report/dimensions.go``: Upgraded Smart+ ads by ``ad_id_v2``, creatives by ``ad_id``);
the ``campaign_ids`` report filter takes at most 100 ids (tiktok/tiktok-business-api-sdk
``js_sdk/docs/ReportingApi.md``).
"""

from __future__ import annotations

import json
from datetime import date

import responses
from connector_testkit import ADV, TIKTOK_API, loaded_run
from responses import matchers
from test_tiktok_client import _fixture, _mock_account

from connectors.tiktok.client import TikTokClient
from connectors.tiktok.extract import extract_account
from socialmart.settings import Settings

DAY = date(2021, 10, 25)
CAMPAIGN = "1850000000000000001"


def _mock_smart_plus(campaigns: dict | None = None) -> None:
    """Smart+ answers registered before the generic ones (responses takes the first match)."""
    responses.get(
        f"{TIKTOK_API}/smart_plus/campaign/get/",
        json=campaigns or _fixture("smart_plus_campaign_get.json"),
    )
    responses.get(
        f"{TIKTOK_API}/smart_plus/adgroup/get/", json=_fixture("smart_plus_adgroup_get.json")
    )
    responses.get(f"{TIKTOK_API}/smart_plus/ad/get/", json=_fixture("smart_plus_ad_get.json"))
    for dimensions, fixture in (
        ('["ad_id_v2","stat_time_day"]', "report_smart_plus.json"),
        ('["ad_id_v2","stat_time_day","placement"]', "report_smart_plus_placement.json"),
    ):
        responses.get(
            f"{TIKTOK_API}/report/integrated/get/",
            json=_fixture(fixture),
            match=[matchers.query_param_matcher({"dimensions": dimensions}, strict_match=False)],
        )


def _report_calls(dimension: str) -> list[dict]:
    return [
        c.request.params
        for c in responses.calls
        if "/report/integrated/get/" in c.request.url
        and json.loads(c.request.params["dimensions"])[0] == dimension
    ]


@responses.activate
def test_smart_plus_lists_and_ad_id_v2_reports_land(
    tt_settings: Settings, tiktok: TikTokClient
) -> None:
    _mock_smart_plus()
    _mock_account()
    extract_account(tt_settings, ADV, DAY, DAY, "r", tiktok)
    con = loaded_run(tt_settings, "r")

    assert con.execute(
        "select campaign_id, budget_optimize_on, budget from raw.tiktok__smart_plus_campaigns"
    ).fetchall() == [(CAMPAIGN, True, 50)]
    group = con.execute(
        "select placement_type, placements::varchar, tiktok_subplacements::varchar"
        " from raw.tiktok__smart_plus_adgroups"
    ).fetchone()
    assert group == (
        "PLACEMENT_TYPE_AUTOMATIC",
        '["PLACEMENT_TIKTOK","PLACEMENT_PANGLE"]',
        '["LEMON8","PINE_DRAMA"]',
    )
    ad = con.execute(
        "select smart_plus_ad_id, adgroup_id, creative_list->>'$[0].ad_material_id'"
        " from raw.tiktok__smart_plus_ads"
    ).fetchone()
    assert ad == ("1850000000000001001", "1850000000000000101", "1850000000000010001")
    assert con.execute(
        "select ad_id_v2, stat_time_day, spend, video_views_p100"
        " from raw.tiktok__smart_plus_ad_report_daily"
    ).fetchall() == [("1850000000000001001", DAY, "35.500", "-")]
    assert con.execute(
        "select placement, spend from raw.tiktok__smart_plus_ad_placement_report_daily"
        " order by placement"
    ).fetchall() == [("LEMON8", "5.250"), ("PLACEMENT_TIKTOK", "30.250")]
    assert con.execute(
        "select sum(rows_quarantined) from raw._loads where stream like 'smart_plus%'"
    ).fetchone() == (0,)

    # Smart+ reports ask for the listed campaigns only, deleted ads included.
    for params in _report_calls("ad_id_v2"):
        filtering = {f["field_name"]: f for f in json.loads(params["filtering"])}
        assert json.loads(filtering["campaign_ids"]["filter_value"]) == [CAMPAIGN]
        assert filtering["campaign_ids"]["filter_type"] == "IN"
        assert json.loads(filtering["ad_status"]["filter_value"]) == ["STATUS_ALL"]
    assert len(_report_calls("ad_id_v2")) == 2
    # Reports by ad_id carry the attribute that marks Smart+ creatives.
    for params in _report_calls("ad_id"):
        assert "campaign_automation_type" in json.loads(params["metrics"])


@responses.activate
def test_no_smart_plus_campaign_no_smart_plus_report(
    tt_settings: Settings, tiktok: TikTokClient
) -> None:
    _mock_account()
    manifests = extract_account(tt_settings, ADV, DAY, DAY, "r", tiktok)
    assert _report_calls("ad_id_v2") == []
    streams = {m.parent.parent.name for m in manifests}
    assert {s for s in streams if s.startswith("smart_plus")} == {
        "smart_plus_campaigns",
        "smart_plus_adgroups",
        "smart_plus_ads",
        "smart_plus_ad_report_daily",
        "smart_plus_ad_placement_report_daily",
    }  # committed, empty: a later pull that finds Smart+ campaigns adds them


@responses.activate
def test_campaign_filter_takes_100_ids_per_request(
    tt_settings: Settings, tiktok: TikTokClient
) -> None:
    ids = [f"18500000000{n:05d}" for n in range(150)]
    listing = {
        "code": 0,
        "message": "OK",
        "request_id": "1",
        "data": {
            "list": [{"advertiser_id": ADV, "campaign_id": i} for i in ids],
            "page_info": {"page": 1, "page_size": 1000, "total_number": 150, "total_page": 1},
        },
    }
    _mock_smart_plus(listing)
    _mock_account()
    extract_account(tt_settings, ADV, DAY, DAY, "r", tiktok)
    requested = [
        json.loads(
            next(
                f["filter_value"]
                for f in json.loads(params["filtering"])
                if f["field_name"] == "campaign_ids"
            )
        )
        for params in _report_calls("ad_id_v2")
    ]
    assert [len(chunk) for chunk in requested] == [100, 50, 100, 50]
    assert requested[0] + requested[1] == ids
