"""Cross-platform dimensions on the stand-in warehouse: every Meta and TikTok entity (deleted
ones and GMV Max campaigns included) with its currency and time zone, and every fact key
resolving in them per platform."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from creator_window import query
from dbt_cli import run_dbt

from sandbox.meta.truth import entity_truth
from sandbox.tiktok.scenario import build_scenario
from socialmart.settings import Settings

pytestmark = pytest.mark.e2e

UTC = ZoneInfo("UTC")
CONTRACT = {
    "dim_ad_accounts": [
        ("platform", "VARCHAR"),
        ("ad_account_id", "VARCHAR"),
        ("business_id", "VARCHAR"),
        ("ad_account_name", "VARCHAR"),
        ("account_currency", "VARCHAR"),
        ("account_timezone", "VARCHAR"),
        ("business_name", "VARCHAR"),
        ("advertiser_status", "VARCHAR"),
        ("account_status", "INTEGER"),
        ("is_removed_from_source", "BOOLEAN"),
        ("created_at", "TIMESTAMP"),
    ],
    "dim_campaigns": [
        ("platform", "VARCHAR"),
        ("campaign_id", "VARCHAR"),
        ("ad_account_id", "VARCHAR"),
        ("gmv_max_store_id", "VARCHAR"),
        ("campaign_name", "VARCHAR"),
        ("account_currency", "VARCHAR"),
        ("objective", "VARCHAR"),
        ("status", "VARCHAR"),
        ("effective_status", "VARCHAR"),
        ("buying_type", "VARCHAR"),
        ("bid_strategy", "VARCHAR"),
        ("budget_mode", "VARCHAR"),
        ("smart_promotion_type", "VARCHAR"),
        ("advantage_state", "VARCHAR"),
        ("advantage_placement_state", "VARCHAR"),
        ("gmv_max_promotion_type", "VARCHAR"),
        ("daily_budget_minor_units", "BIGINT"),
        ("lifetime_budget_minor_units", "BIGINT"),
        ("budget", "DECIMAL(18,2)"),
        ("is_advantage_plus_campaign", "BOOLEAN"),
        ("is_gmv_max_campaign", "BOOLEAN"),
        ("is_smart_plus_campaign", "BOOLEAN"),
        ("is_deleted", "BOOLEAN"),
        ("is_removed_from_source", "BOOLEAN"),
        ("started_at", "TIMESTAMP"),
        ("stopped_at", "TIMESTAMP"),
        ("created_at", "TIMESTAMP"),
        ("updated_at", "TIMESTAMP"),
    ],
    "dim_ads": [
        ("platform", "VARCHAR"),
        ("ad_id", "VARCHAR"),
        ("ad_account_id", "VARCHAR"),
        ("campaign_id", "VARCHAR"),
        ("adset_id", "VARCHAR"),
        ("creative_id", "VARCHAR"),
        ("source_instagram_media_id", "VARCHAR"),
        ("tiktok_identity_id", "VARCHAR"),
        ("tiktok_item_id", "VARCHAR"),
        ("ad_name", "VARCHAR"),
        ("adset_name", "VARCHAR"),
        ("creative_name", "VARCHAR"),
        ("status", "VARCHAR"),
        ("effective_status", "VARCHAR"),
        ("placement_mode", "VARCHAR"),
        ("threads_inclusion", "VARCHAR"),
        ("is_partnership_ad", "BOOLEAN"),
        ("is_spark_ad", "BOOLEAN"),
        ("is_deleted", "BOOLEAN"),
        ("is_removed_from_source", "BOOLEAN"),
        ("created_at", "TIMESTAMP"),
        ("updated_at", "TIMESTAMP"),
    ],
}
# The dbt tests that tie the facts' keys to the dimensions, per platform.
FACT_KEY_TESTS = "test.socialmart.relationships_on_columns_fct_"


def _utc(local: datetime, zone: str) -> datetime:
    """A wall-clock time in ``zone`` as naive UTC (how the dimensions store times)."""
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC).replace(tzinfo=None)


@pytest.mark.parametrize("model", sorted(CONTRACT))
def test_columns_and_types_are_the_contract(creator_warehouse: Settings, model: str) -> None:
    columns = query(
        creator_warehouse,
        "select column_name, data_type from information_schema.columns"
        f" where table_schema = 'marts' and table_name = '{model}' order by ordinal_position",
    )
    assert columns == CONTRACT[model]


def test_accounts_of_both_platforms_carry_currency_and_time_zone(
    creator_warehouse: Settings,
) -> None:
    rows = query(
        creator_warehouse,
        "select platform, ad_account_id, account_currency, account_timezone"
        " from marts.dim_ad_accounts",
    )
    meta = {
        ("meta", a["account_id"], a["currency"], a["timezone_name"])
        for a in entity_truth()["ad_accounts"]
    }
    # The IANA zone TikTok cuts report days in, not the fixed-offset `timezone` (Etc/GMT+8).
    tiktok = {
        ("tiktok", a.advertiser_id, a.currency, a.display_timezone)
        for a in build_scenario().advertisers
    }
    assert sorted(rows) == sorted(meta | tiktok)


def test_campaigns_of_both_platforms_include_gmv_max(creator_warehouse: Settings) -> None:
    rows = query(
        creator_warehouse,
        "select platform, campaign_id, ad_account_id, is_gmv_max_campaign, gmv_max_store_id,"
        " is_advantage_plus_campaign, is_smart_plus_campaign from marts.dim_campaigns",
    )
    scenario = build_scenario()
    advantage_plus = {"advantage_plus", "legacy_asc"}
    expected = {
        ("meta", c["id"], c["account_id"], False, None, c["kind"] in advantage_plus, False)
        for c in entity_truth()["campaigns"]
    }
    expected |= {
        ("tiktok", c.campaign_id, c.advertiser_id, False, None, False, False)
        for c in scenario.campaigns
    }
    expected |= {
        ("tiktok", c.campaign_id, c.advertiser_id, True, c.store_id, False, False)
        for c in scenario.gmv_campaigns
    }
    expected |= {
        ("tiktok", c.campaign_id, c.advertiser_id, False, None, False, True)
        for c in scenario.smart_plus_campaigns
    }
    assert any(row[3] for row in expected) and any(row[6] for row in expected)
    assert sorted(rows) == sorted(expected)


def test_ads_of_both_platforms_include_deleted_ones(creator_warehouse: Settings) -> None:
    rows = query(
        creator_warehouse,
        "select platform, ad_id, ad_account_id, adset_id, is_deleted from marts.dim_ads",
    )
    expected = {
        ("meta", a["id"], a["account_id"], a["adset_id"], a["effective_status"] == "DELETED")
        for a in entity_truth()["ads"]
    } | {
        ("tiktok", a.ad_id, a.advertiser_id, a.adgroup_id, a.deleted_on is not None)
        for a in build_scenario().ads + build_scenario().smart_plus_ads
    }
    assert {row[0] for row in expected if row[4]} == {"meta", "tiktok"}
    assert sorted(rows) == sorted(expected)


def test_tiktok_ads_carry_spark_identity_and_placement_mode(creator_warehouse: Settings) -> None:
    rows = query(
        creator_warehouse,
        "select ad_id, tiktok_identity_id, tiktok_item_id, is_spark_ad, placement_mode,"
        " threads_inclusion from marts.dim_ads where platform = 'tiktok'",
    )
    scenario = build_scenario()
    groups = {g.adgroup_id: g for g in scenario.adgroups}
    expected = [
        (
            ad.ad_id,
            ad.identity_id,
            ad.tiktok_item_id,
            ad.is_spark,
            "manual" if groups[ad.adgroup_id].placements else "automatic",
            None,
        )
        for ad in scenario.ads
    ] + [(ad.ad_id, None, None, False, "automatic", None) for ad in scenario.smart_plus_ads]
    assert sorted(rows) == sorted(expected)


def test_tiktok_local_times_become_utc_in_the_account_zone(creator_warehouse: Settings) -> None:
    scenario = build_scenario()
    deleted = [ad for ad in scenario.ads if ad.deleted_on is not None]
    zones = {a.advertiser_id: a.display_timezone for a in scenario.advertisers}
    rows = dict(
        query(
            creator_warehouse,
            "select ad_id, updated_at from marts.dim_ads where platform = 'tiktok' and is_deleted",
        )
    )
    # The stand-in stamps a deleted ad's modify_time at 10:00 local on the deletion day;
    # September is daylight saving time in Los Angeles, so UTC-8 (Etc/GMT+8) would be wrong.
    assert rows == {
        ad.ad_id: _utc(
            datetime.combine(ad.deleted_on, datetime.min.time()).replace(hour=10),
            zones[ad.advertiser_id],
        )
        for ad in deleted
    }
    assert rows["1714113000000012"] == datetime(2026, 9, 20, 17, 0)


def _fact_key_test_results(target_dir: Path) -> dict[str, str]:
    results = json.loads((target_dir / "run_results.json").read_text())["results"]
    return {
        r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith(FACT_KEY_TESTS)
    }


def test_fact_keys_resolve_in_the_dimensions_on_both_platforms(
    creator_warehouse: Settings,
) -> None:
    platforms = query(
        creator_warehouse,
        "select platform, bool_or(is_clickless) from marts.fct_ad_performance_daily group by 1",
    )
    assert sorted(platforms) == [("meta", False), ("tiktok", True)]
    statuses = _fact_key_test_results(creator_warehouse.dbt_target_dir)
    counts = {
        mart: sum(f"_{mart}_" in name for name in statuses)
        for mart in (
            "fct_ad_performance_daily",  # account, campaign, ad, GMV Max campaign
            "fct_conversion_restatements",  # ad, GMV Max campaign
            "fct_placement_performance_daily",  # account, campaign, ad
        )
    }
    assert list(counts.values()) == [4, 2, 3], counts
    assert set(statuses.values()) == {"pass"}, statuses


def test_a_key_of_the_other_platform_does_not_resolve(
    creator_warehouse: Settings, copy_warehouse: Callable[[Settings], Settings], tmp_path: Path
) -> None:
    settings = copy_warehouse(creator_warehouse)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        [(ad_id,)] = con.execute(
            "select min(ad_id) from marts.fct_ad_performance_daily"
            " where platform = 'tiktok' and not is_clickless"
        ).fetchall()
        # Same id, wrong platform: a single-column relationships test would still pass.
        con.execute("update marts.dim_ads set platform = 'meta' where ad_id = ?", [ad_id])
    result = run_dbt(
        settings,
        ["test", "--select", "fct_ad_performance_daily,test_name:relationships_on_columns"],
        tmp_path / "target",
    )
    assert result.returncode == 0, result.stdout[-4000:]  # warnings do not fail dbt
    statuses = _fact_key_test_results(tmp_path / "target")
    warned = [name for name, status in statuses.items() if status == "warn"]
    assert len(warned) == 1 and "ref_dim_ads" in warned[0], statuses
