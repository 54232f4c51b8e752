"""Response shapes match the Meta reference samples (meta-api.md section 8)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import requests
from sandbox_support import EU, TOKEN, UK, insights_params

from sandbox.meta.scenario import build_scenario
from sandbox.server import RunningSandbox

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
USAGE_HEADERS = (
    "x-business-use-case-usage",
    "x-ad-account-usage",
    "x-fb-ads-insights-throttle",
    "x-app-usage",
)


def _get(url: str, **params: str) -> requests.Response:
    return requests.get(url, params={"access_token": TOKEN, **params}, timeout=10)


def test_ad_accounts_edge(graph: str) -> None:
    response = _get(
        f"{graph}/me/adaccounts", fields="id,account_id,name,currency,timezone_name,account_status"
    )
    assert response.status_code == 200
    body = response.json()
    accounts = body["data"]
    assert [a["id"] for a in accounts] == [f"act_{a['account_id']}" for a in accounts]
    assert {a["currency"] for a in accounts} == {"EUR", "USD", "GBP"}
    assert all(a["account_status"] == 1 for a in accounts)
    assert set(body["paging"]["cursors"]) == {"before", "after"}
    assert "next" not in body["paging"]


def test_account_node_returns_requested_fields_and_id(graph: str) -> None:
    body = _get(f"{graph}/act_{EU}", fields="name,currency,timezone_offset_hours_utc").json()
    assert body["id"] == f"act_{EU}"
    assert set(body) == {"id", "name", "currency", "timezone_offset_hours_utc"}
    assert body["timezone_offset_hours_utc"] in (1.0, 2.0)


def test_campaign_edge_shows_advantage_plus_and_legacy(graph: str) -> None:
    fields = "id,name,objective,daily_budget,smart_promotion_type,advantage_state_info"
    campaigns = _get(f"{graph}/act_{EU}/campaigns", fields=fields).json()["data"]
    by_type = {c.get("smart_promotion_type"): c for c in campaigns}
    assert by_type["GUIDED_CREATION"]["advantage_state_info"] == {
        "advantage_state": "ADVANTAGE_PLUS_SALES",
        "advantage_budget_state": "ENABLED",
        "advantage_audience_state": "ENABLED",
        "advantage_placement_state": "ENABLED",
    }
    assert "advantage_state_info" not in by_type["AUTOMATED_SHOPPING_ADS"]
    manual = by_type[None]
    assert "daily_budget" not in manual  # budget lives on its ad sets
    assert by_type["GUIDED_CREATION"]["daily_budget"].isdigit()


def test_manual_ad_sets_target_explicit_platforms_without_threads(graph: str) -> None:
    adsets = _get(f"{graph}/act_{UK}/adsets", fields="campaign_id,name,targeting").json()["data"]
    manual = [s for s in adsets if "publisher_platforms" in s["targeting"]]
    automatic = [s for s in adsets if "publisher_platforms" not in s["targeting"]]
    assert manual and automatic
    for adset in manual:
        assert "threads" not in adset["targeting"]["publisher_platforms"]
    ads = _get(f"{graph}/act_{UK}/ads", fields="adset_id,campaign_id,name,creative").json()["data"]
    assert all(set(ad["creative"]) == {"id"} for ad in ads)


def test_insights_row_shape(graph: str) -> None:
    params = insights_params("2026-10-02", "2026-10-02", limit="50")
    params["fields"] += ",ad_name,purchase_roas,ctr,cpc,cpm"
    response = requests.get(f"{graph}/act_{EU}/insights", params=params, timeout=10)
    assert response.status_code == 200
    rows = response.json()["data"]
    assert rows
    requested = set(params["fields"].split(","))
    always = {"date_start", "date_stop", "publisher_platform", "platform_position"}
    for row in rows:
        assert set(row) <= requested | always
        assert always <= set(row)
        assert row["date_start"] == row["date_stop"] == "2026-10-02"
        for name in ("impressions", "clicks", "spend", "ctr", "cpm"):
            assert isinstance(row[name], str) and NUMBER.match(row[name]), (name, row[name])
        assert Decimal(row["spend"]) == Decimal(row["spend"]).quantize(Decimal("0.01"))
        for entry in row.get("actions", []) + row.get("action_values", []):
            assert set(entry) == {
                "action_type",
                "value",
                "1d_click",
                "7d_click",
                "28d_click",
                "1d_ev",
                "1d_view",
            }
            assert all(isinstance(v, str) for v in entry.values())
            assert entry["value"] != "0" or any(entry[w] != "0" for w in entry if w[0].isdigit())
    action_types = {e["action_type"] for r in rows for e in r.get("actions", [])}
    purchase_types = {t for t in action_types if "purchase" in t}
    assert purchase_types == {"omni_purchase", "purchase", "offsite_conversion.fb_pixel_purchase"}
    for row in rows:
        actions = {e["action_type"]: e for e in row.get("actions", [])}
        if "omni_purchase" in actions:
            omni = actions["omni_purchase"]
            assert omni == {**actions["purchase"], "action_type": "omni_purchase"}
            assert int(omni["value"]) == int(omni["7d_click"]) + int(omni["1d_view"])


def test_windows_default_to_value_only(graph: str) -> None:
    params = insights_params("2026-10-02", "2026-10-02", limit="500")
    del params["action_attribution_windows"]
    rows = requests.get(f"{graph}/act_{EU}/insights", params=params, timeout=10).json()["data"]
    entries = [e for r in rows for e in r.get("actions", [])]
    assert entries and all(set(e) == {"action_type", "value"} for e in entries)


def test_ad_totals_without_breakdowns_are_sums_over_placements(graph: str) -> None:
    base = insights_params("2026-10-01", "2026-10-03", limit="5000")
    split = requests.get(f"{graph}/act_{EU}/insights", params=base, timeout=10).json()["data"]
    totals_params = {**base, "breakdowns": ""}
    totals = requests.get(f"{graph}/act_{EU}/insights", params=totals_params, timeout=10).json()
    expected: dict[tuple[str, str], Decimal] = {}
    for row in split:
        key = (row["date_start"], row["ad_id"])
        expected[key] = expected.get(key, Decimal(0)) + Decimal(row["spend"])
    got = {(r["date_start"], r["ad_id"]): Decimal(r["spend"]) for r in totals["data"]}
    assert got == expected
    assert all("publisher_platform" not in r for r in totals["data"])


def test_account_level_all_days(graph: str) -> None:
    params = {
        "level": "account",
        "time_range": json.dumps({"since": "2026-09-01", "until": "2026-09-30"}),
        "fields": "account_id,ad_id,spend,impressions",
    }
    rows = _get(f"{graph}/act_{EU}/insights", **params).json()["data"]
    assert len(rows) == 1
    assert rows[0]["date_start"] == "2026-09-01" and rows[0]["date_stop"] == "2026-09-30"
    assert "ad_id" not in rows[0]  # finer than the level


def test_usage_headers_are_json_with_percentages(graph: str) -> None:
    first = _get(f"{graph}/act_{EU}/insights", fields="spend")
    second = _get(f"{graph}/act_{EU}/insights", fields="spend")
    for name in USAGE_HEADERS:
        assert isinstance(json.loads(first.headers[name]), dict)
    buc = json.loads(second.headers["x-business-use-case-usage"])
    entry = buc[EU][0]
    assert entry["type"] == "ads_insights"
    assert {"call_count", "total_cputime", "total_time", "estimated_time_to_regain_access"} <= set(
        entry
    )
    before = json.loads(first.headers["x-ad-account-usage"])["acc_id_util_pct"]
    after = json.loads(second.headers["x-ad-account-usage"])["acc_id_util_pct"]
    assert 0 < before < after < 75


def test_error_envelope_for_unknown_objects_paths_and_fields(graph: str) -> None:
    cases = [
        (f"{graph}/act_999", {}, 100),
        (f"{graph}/act_{EU}/frobnicate", {}, 2500),
        (f"{graph}/act_{EU}/insights", {"fields": "spend,bogus"}, 100),
        (f"{graph}/act_{EU}/insights", {"breakdowns": "platform_position"}, 100),
        (f"{graph}/act_{EU}/insights", {"time_range": '{"since":"2026-10-05"}'}, 100),
        (f"{graph}/act_{EU}/insights", {"after": "not-a-cursor"}, 2642),
    ]
    for url, params, code in cases:
        response = _get(url, **params)
        assert response.status_code == 400, url
        error = response.json()["error"]
        assert error["code"] == code
        assert {"message", "type", "code", "fbtrace_id"} <= set(error)
        for name in USAGE_HEADERS:
            assert name in response.headers
    unversioned = _get(graph.rsplit("/", 1)[0] + f"/act_{EU}").json()["error"]
    assert unversioned["code"] == 100 and unversioned["error_subcode"] == 33


def test_any_unexpired_version_is_accepted(sandbox: RunningSandbox) -> None:
    # Expired versions get error 2635 (test_sandbox_meta_versions.py); unlisted newer ones
    # are served.
    for version in ("v26.0", "v27.0", "v30.0"):
        url = f"{sandbox.meta_base_url}/{version}/act_{EU}"
        assert _get(url).json() == {"id": f"act_{EU}", "account_id": EU}


def test_unknown_host_prefix_is_404(sandbox: RunningSandbox) -> None:
    response = requests.get(f"{sandbox.base_url}/example.com/v1/x", timeout=10)
    assert response.status_code == 404


def test_scenario_ids_are_served(graph: str) -> None:
    ads = _get(f"{graph}/act_{EU}/ads", limit="100").json()["data"]
    listed = [a.id for a in build_scenario().ads_of(EU) if a.status not in {"ARCHIVED", "DELETED"}]
    assert [a["id"] for a in ads] == listed


def test_levels_and_increments_partition_the_same_spend(graph: str) -> None:
    time_range = json.dumps({"since": "2026-09-03", "until": "2026-10-19"})
    totals = set()
    for level, increment in (("ad", "1"), ("campaign", "7"), ("adset", "monthly")):
        rows = _get(
            f"{graph}/act_{EU}/insights",
            level=level,
            time_increment=increment,
            time_range=time_range,
            fields="campaign_id,adset_id,ad_id,spend",
            limit="5000",
        ).json()["data"]
        totals.add(sum(Decimal(r["spend"]) for r in rows))
        if level == "campaign":
            assert {r["date_start"] for r in rows} >= {"2026-09-03", "2026-09-10", "2026-10-15"}
            assert {r["date_stop"] for r in rows if r["date_start"] == "2026-10-15"} == {
                "2026-10-19"
            }
            assert all("adset_id" not in r for r in rows)
        if level == "adset":
            assert {(r["date_start"], r["date_stop"]) for r in rows} == {
                ("2026-09-03", "2026-09-30"),
                ("2026-10-01", "2026-10-19"),
            }
    assert len(totals) == 1
