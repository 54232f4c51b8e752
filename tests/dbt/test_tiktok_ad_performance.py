"""The TikTok ad-performance intermediate on a pulled stand-in window equals the ground truth."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import dbt_cli
import pytest
from creator_window import NOW, SEED, WINDOW, query

from sandbox.tiktok.scenario import build_scenario
from sandbox.tiktok.truth import (
    ad_day_truth,
    gmv_max_truth,
    placement_truth,
    smart_plus_ad_day_truth,
    smart_plus_placement_truth,
)
from socialmart.settings import Settings

pytestmark = pytest.mark.e2e

MODEL = "intermediate.int_tiktok__ad_performance_daily"
PLACEMENTS = "marts.fct_placement_performance_daily"
# The tiktok_placements seed, as the placement mart's publisher_platform.
PUBLISHER_PLATFORMS = {
    "PLACEMENT_TIKTOK": "tiktok",
    "PLACEMENT_PANGLE": "pangle",
    "PLACEMENT_GLOBAL_APP_BUNDLE": "global_app_bundle",
    "PLACEMENT_TOPBUZZ": "topbuzz",
    "PLACEMENT_HELO": "helo",
    "LEMON8": "lemon8",
    "PINE_DRAMA": "pine_drama",
}
WINDOW_COLUMNS = [
    f"{measure}_{window}"
    for window in ("1d_click", "7d_click", "28d_click", "1d_view", "1d_ev")
    for measure in ("purchases", "purchase_value")
]
CONTRACT = [
    ("platform", "VARCHAR"),
    ("ad_account_id", "VARCHAR"),
    ("account_currency", "VARCHAR"),
    ("account_timezone", "VARCHAR"),
    ("campaign_id", "VARCHAR"),
    ("campaign_name", "VARCHAR"),
    ("adgroup_id", "VARCHAR"),
    ("adgroup_name", "VARCHAR"),
    ("ad_id", "VARCHAR"),
    ("ad_name", "VARCHAR"),
    ("report_date", "DATE"),
    ("spend", "DECIMAL(18,2)"),
    ("impressions", "BIGINT"),
    ("clicks", "BIGINT"),
    ("conversions", "BIGINT"),
    ("purchases", "DECIMAL(18,2)"),
    ("purchase_value", "DECIMAL(18,2)"),
    *((name, "DECIMAL(18,2)") for name in WINDOW_COLUMNS),
    ("is_clickless", "BOOLEAN"),
]


def _as_of() -> datetime:
    return datetime.fromisoformat(NOW)


def _ad_keys(truth: dict) -> tuple:
    """A TikTok truth row's advertiser, currency, campaign, ad group, ad and day."""
    keys = ("advertiser_id", "currency", "campaign_id", "adgroup_id", "ad_id", "date")
    return tuple(truth[key] for key in keys)


def test_columns_and_types_are_the_contract(creator_warehouse: Settings) -> None:
    columns = query(
        creator_warehouse,
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'intermediate'"
        " and table_name = 'int_tiktok__ad_performance_daily' order by ordinal_position",
    )
    assert columns == CONTRACT


def test_ad_rows_equal_the_basic_report_truth(creator_warehouse: Settings) -> None:
    """Manual ads by ad_id and Upgraded Smart+ ads by ad_id_v2, each once."""
    rows = query(
        creator_warehouse,
        "select ad_account_id, account_currency, campaign_id, adgroup_id, ad_id,"
        " cast(report_date as varchar), spend, impressions, clicks, conversions, purchases,"
        f" purchase_value from {MODEL} where not is_clickless and platform = 'tiktok'",
    )
    expected = [
        (
            *_ad_keys(t),
            t["spend"],
            t["impressions"],
            t["clicks"],
            t["conversion"],
            t["complete_payment"],
            t["purchase_value"],
        )
        for truth in (ad_day_truth, smart_plus_ad_day_truth)
        for t in truth(SEED, WINDOW.start, WINDOW.end, as_of=_as_of())
    ]
    assert expected
    assert sorted(rows) == sorted(expected)


def test_gmv_max_rows_are_clickless_campaign_days(creator_warehouse: Settings) -> None:
    rows = query(
        creator_warehouse,
        "select ad_account_id, campaign_id, cast(report_date as varchar), spend, purchases,"
        f" conversions, purchase_value, impressions, clicks, ad_id = campaign_id"
        f" from {MODEL} where is_clickless",
    )
    expected = [
        (
            t["advertiser_id"],
            t["campaign_id"],
            t["date"],
            t["cost"],
            t["orders"],
            t["orders"],
            t["gross_revenue"],
            None,
            None,
            True,
        )
        for t in gmv_max_truth(SEED, WINDOW.start, WINDOW.end, as_of=_as_of())
    ]
    assert any(row[4] is None for row in expected), "no '-' orders: nulls go untested"
    assert sorted(rows, key=str) == sorted(expected, key=str)


def test_attribution_window_columns_are_null(creator_warehouse: Settings) -> None:
    nulls = " and ".join(f"{name} is null" for name in WINDOW_COLUMNS)
    assert query(creator_warehouse, f"select count(*) from {MODEL} where not ({nulls})") == [(0,)]


def test_placement_staging_equals_the_audience_report_truth(creator_warehouse: Settings) -> None:
    rows = query(
        creator_warehouse,
        "select advertiser_id, ad_id, cast(report_date as varchar), placement, spend,"
        " impressions, clicks, purchases, purchase_value"
        " from staging.stg_tiktok__ad_placement_report_daily",
    )
    expected = [
        (
            t["advertiser_id"],
            t["ad_id"],
            t["date"],
            t["placement"],
            t["spend"],
            t["impressions"],
            t["clicks"],
            t["complete_payment"],
            t["purchase_value"],
        )
        for t in placement_truth(SEED, WINDOW.start, WINDOW.end, as_of=_as_of())
    ]
    assert expected
    assert sorted(rows) == sorted(expected)


def test_tiktok_placement_rows_equal_the_audience_report_truth(
    creator_warehouse: Settings,
) -> None:
    rows = query(
        creator_warehouse,
        "select ad_account_id, account_currency, campaign_id, adset_id, ad_id,"
        " cast(report_date as varchar), publisher_platform, platform_position, spend,"
        " impressions, clicks, purchases, purchase_value"
        f" from {PLACEMENTS} where platform = 'tiktok'",
    )
    expected = [
        (
            *_ad_keys(t),
            PUBLISHER_PLATFORMS[t["placement"]],
            "all",
            t["spend"],
            t["impressions"],
            t["clicks"],
            t["complete_payment"],
            t["purchase_value"],
        )
        for truth in (placement_truth, smart_plus_placement_truth)
        for t in truth(SEED, WINDOW.start, WINDOW.end, as_of=_as_of())
    ]
    assert {"lemon8", "pine_drama"} <= {row[6] for row in expected}
    assert sorted(rows) == sorted(expected)


@pytest.mark.parametrize("platform", ["meta", "tiktok"])
def test_placement_rows_sum_to_the_ad_totals(creator_warehouse: Settings, platform: str) -> None:
    """Per ad and day, the placement mart adds up to the ad mart (GMV Max has no placements)."""
    measures = ("spend", "impressions", "clicks", "purchases", "purchase_value")
    sums = ", ".join(f"sum({m}) as {m}" for m in measures)
    differs = " or ".join(f"placements.{m} is distinct from ads.{m}" for m in measures)
    keys = "ad_account_id, campaign_id, ad_id, report_date"
    mismatches = query(
        creator_warehouse,
        f"""
        with placements as (
            select {keys}, {sums} from {PLACEMENTS} where platform = '{platform}'
            group by {keys}
        ),
        ads as (
            select {keys}, {", ".join(measures)} from marts.fct_ad_performance_daily
            where platform = '{platform}' and not is_clickless
        )
        select * from placements full outer join ads using ({keys}) where {differs}
        """,
    )
    assert mismatches == []
    counted = query(
        creator_warehouse, f"select count(*) from {PLACEMENTS} where platform = '{platform}'"
    )
    assert counted[0][0] > 0


def test_tiktok_automation_flags_follow_the_ad_group_placement_type(
    creator_warehouse: Settings,
) -> None:
    scenario = build_scenario()
    modes = {g.adgroup_id: "manual" if g.placements else "automatic" for g in scenario.adgroups}
    modes |= {g.adgroup_id: "automatic" for g in scenario.smart_plus_adgroups}
    rows = query(
        creator_warehouse,
        "select distinct adset_id, placement_mode, is_advantage_plus_campaign, threads_inclusion"
        f" from {PLACEMENTS} where platform = 'tiktok'",
    )
    assert {r[0]: r[1] for r in rows} == {g: modes[g] for g, *_ in rows}
    assert {r[1] for r in rows} == {"automatic", "manual"}
    assert {(r[2], r[3]) for r in rows} == {(False, None)}
    assert len({r[0] for r in rows}) == len(rows)


def test_tiktok_placement_names_are_the_entity_names(creator_warehouse: Settings) -> None:
    differing = query(
        creator_warehouse,
        f"""
        select count(*)
        from {PLACEMENTS} as placements
        inner join marts.fct_ad_performance_daily as ads
            on ads.platform = placements.platform
            and ads.ad_account_id = placements.ad_account_id
            and ads.ad_id = placements.ad_id
            and ads.report_date = placements.report_date
        where placements.platform = 'tiktok' and (
            placements.campaign_name is distinct from ads.campaign_name
            or placements.adset_name is distinct from ads.adset_name
            or placements.ad_name is distinct from ads.ad_name
            or placements.campaign_name is null or placements.ad_name is null
        )
        """,
    )
    assert differing == [(0,)]


def test_advantage_plus_split_is_meta_only(creator_warehouse: Settings) -> None:
    tiktok_campaigns = query(
        creator_warehouse,
        "select count(*) from marts.rpt_advantage_plus_placement_split"
        f" where campaign_id in (select campaign_id from {PLACEMENTS} where platform = 'tiktok')",
    )
    assert tiktok_campaigns == [(0,)]
    assert (
        query(creator_warehouse, "select count(*) from marts.rpt_advantage_plus_placement_split")[
            0
        ][0]
        > 0
    )


def test_share_changes_cover_tiktok_placements(
    creator_warehouse: Settings,
    copy_warehouse: Callable[[Settings], Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a zero threshold every week-over-week share move is listed, TikTok's included."""
    settings = copy_warehouse(creator_warehouse)
    pipeline_vars = dbt_cli.dbt_vars
    monkeypatch.setattr(
        dbt_cli, "dbt_vars", lambda s: {**pipeline_vars(s), "placement_share_change_threshold": 0}
    )
    result = dbt_cli.run_dbt(
        settings, ["run", "--select", "rpt_placement_share_changes"], tmp_path / "dbt-target"
    )
    assert result.returncode == 0, result.stdout[-4000:]
    changes = query(
        settings,
        "select platform, publisher_platform, count(*) from marts.rpt_placement_share_changes"
        " group by all",
    )
    tiktok = {publisher for platform, publisher, _ in changes if platform == "tiktok"}
    assert tiktok and tiktok <= set(PUBLISHER_PLATFORMS.values())
    assert "meta" in {platform for platform, _, _ in changes}
