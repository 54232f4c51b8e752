"""Upgraded Smart+ on a warehouse pulled from the stand-in: a campaign type of its own, its
ads and placements in the marts exactly once, and no TikTok spend missing (the gate's
account-level check fails when Smart+ is not pulled)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from creator_window import NOW, SEED, WINDOW, query

from devtools.reconcile import reconcile_placements
from expectations.gate import run_gate
from sandbox.tiktok.scenario import build_scenario
from sandbox.tiktok.truth import advertiser_spend_truth
from socialmart.settings import Settings

pytestmark = pytest.mark.e2e

SCENARIO = build_scenario()
SMART_PLUS_ADS = {ad.ad_id for ad in SCENARIO.smart_plus_ads}
CREATIVES = {c for ad in SCENARIO.smart_plus_ads for c in ad.creative_ids}
ACCOUNT_TOTALS = "marts.fct_ad_performance_daily.account_totals"


def _in(ids: set[str]) -> str:
    return "(" + ", ".join(f"'{i}'" for i in sorted(ids)) + ")"


def test_smart_plus_campaigns_are_a_campaign_type_beside_gmv_max(
    creator_warehouse: Settings,
) -> None:
    rows = query(
        creator_warehouse,
        "select campaign_id, ad_account_id, campaign_name, objective, is_gmv_max_campaign"
        " from marts.dim_campaigns where is_smart_plus_campaign",
    )
    assert sorted(rows) == sorted(
        (c.campaign_id, c.advertiser_id, c.name, c.objective_type, False)
        for c in SCENARIO.smart_plus_campaigns
    )
    flagged = query(
        creator_warehouse,
        "select count(*) from marts.dim_campaigns where is_smart_plus_campaign"
        " and (platform <> 'tiktok' or is_gmv_max_campaign)",
    )
    assert flagged == [(0,)]


def test_smart_plus_ads_are_ads_of_their_own_ad_groups(creator_warehouse: Settings) -> None:
    rows = query(
        creator_warehouse,
        "select ad_id, adset_id, campaign_id, placement_mode, is_spark_ad, is_deleted"
        f" from marts.dim_ads where platform = 'tiktok' and ad_id in {_in(SMART_PLUS_ADS)}",
    )
    assert sorted(rows) == sorted(
        (ad.ad_id, ad.adgroup_id, ad.campaign_id, "automatic", False, False)
        for ad in SCENARIO.smart_plus_ads
    )


def test_creative_rows_of_the_ad_id_report_reach_no_mart(creator_warehouse: Settings) -> None:
    landed = query(
        creator_warehouse,
        "select distinct ad_id, campaign_automation_type from raw.tiktok__ad_report_daily"
        f" where ad_id in {_in(CREATIVES)}",
    )
    assert {ad_id for ad_id, _ in landed} == CREATIVES  # TikTok lists them: the test has teeth
    assert {kind for _, kind in landed} == {"UPGRADED_SMART_PLUS_CREATIVE"}
    for mart in (
        "marts.fct_ad_performance_daily",
        "marts.fct_placement_performance_daily",
        "marts.fct_conversion_restatements",
    ):
        assert query(
            creator_warehouse, f"select count(*) from {mart} where ad_id in {_in(CREATIVES)}"
        ) == [(0,)], mart


def test_smart_plus_placements_are_automatic_with_lemon8_and_pinedrama(
    creator_warehouse: Settings,
) -> None:
    rows = query(
        creator_warehouse,
        "select ad_account_id, publisher_platform, placement_mode, sum(spend)"
        " from marts.fct_placement_performance_daily"
        f" where platform = 'tiktok' and ad_id in {_in(SMART_PLUS_ADS)} group by all",
    )
    assert {mode for *_, mode, _ in rows} == {"automatic"}
    platforms: dict[str, set[str]] = defaultdict(set)
    for account, publisher, _, spend in rows:
        assert spend > 0
        platforms[account].add(publisher)
    expected = {
        group.advertiser_id: {"tiktok", "pangle", "global_app_bundle"}
        | {s.lower() for s in group.subplacements}
        for group in SCENARIO.smart_plus_adgroups
    }
    assert platforms == expected
    assert expected["7002238017842757601"] >= {"lemon8", "pine_drama"}


def test_tiktok_ad_spend_equals_the_advertiser_totals(creator_warehouse: Settings) -> None:
    """Per advertiser and day the auction rows (manual and Smart+) add up to the stand-in's
    advertiser-level total, which counts every auction ad: no spend missing or doubled."""
    rows = query(
        creator_warehouse,
        "select ad_account_id, cast(report_date as varchar), sum(spend)"
        " from marts.fct_ad_performance_daily"
        " where platform = 'tiktok' and not is_clickless group by all",
    )
    truth = advertiser_spend_truth(
        SEED, WINDOW.start, WINDOW.end, as_of=datetime.fromisoformat(NOW)
    )
    assert {(account, day): spend for account, day, spend in rows} == truth
    smart_plus = query(
        creator_warehouse,
        "select sum(spend) from marts.fct_ad_performance_daily"
        f" where platform = 'tiktok' and ad_id in {_in(SMART_PLUS_ADS)}",
    )[0][0]
    assert smart_plus > Decimal("100")


def test_demo_reconciliation_covers_smart_plus(creator_warehouse: Settings, tmp_path: Path) -> None:
    """The demo's verdict (placement mart vs truth) holds with Smart+ rows, Lemon8 and
    PineDrama included, on days whose conversions were final when pulled."""
    published = tmp_path / "marts.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute(f"attach '{creator_warehouse.warehouse_path}' as wh (read_only)")
        con.execute(
            "create table fct_placement_performance_daily as"
            " select * from wh.marts.fct_placement_performance_daily"
        )
        smart_plus = con.execute(
            "select count(distinct publisher_platform) from fct_placement_performance_daily"
            f" where ad_id in {_in(SMART_PLUS_ADS)} and report_date <= date '2026-10-01'"
        ).fetchone()
    assert smart_plus == (5,)
    final_days = (WINDOW.start, date(2026, 10, 1))  # at least three days old at NOW
    verdict = reconcile_placements(published, SEED, *final_days, ("tiktok",))
    assert verdict.ok, verdict.mismatches[:5]


@pytest.fixture
def gate_copy(
    creator_warehouse: Settings, copy_warehouse: Callable[[Settings], Settings]
) -> Settings:
    """A private copy of the built warehouse the gate may write its results into."""
    return copy_warehouse(creator_warehouse)


def test_gate_fails_when_smart_plus_is_not_pulled(gate_copy: Settings) -> None:
    outcome = run_gate(gate_copy, "with-smart-plus")
    [totals] = [r for r in outcome.results if r.suite == ACCOUNT_TOTALS]
    assert totals.success, totals.observed_value

    # What a pipeline without the Smart+ streams would hold: no Smart+ rows anywhere (the
    # ad_id report's creative rows are still left out in staging).
    with duckdb.connect(str(gate_copy.warehouse_path)) as con:
        for stream in ("ads", "adgroups", "campaigns", "ad_report_daily"):
            con.execute(f"delete from raw.tiktok__smart_plus_{stream}")
        con.execute("delete from raw.tiktok__smart_plus_ad_placement_report_daily")
        for mart in ("fct_ad_performance_daily", "fct_placement_performance_daily"):
            con.execute(
                f"delete from marts.{mart} where platform = 'tiktok'"
                f" and ad_id in {_in(SMART_PLUS_ADS)}"
            )
    outcome = run_gate(gate_copy, "without-smart-plus")
    assert not outcome.passed
    [totals] = [r for r in outcome.errors if r.suite == ACCOUNT_TOTALS]
    missing = totals.details["result"]["partial_unexpected_list"]
    accounts = {c.advertiser_id for c in SCENARIO.smart_plus_campaigns}
    assert missing and all(line.startswith("tiktok account ") for line in missing)
    assert {line.split()[2] for line in missing} == accounts
    assert all("an object type the ad-level pull misses" in line for line in missing)
