"""TikTok restatements: the same days pulled twice from the stand-in, while their conversions
still mature and after they are final; fct_conversion_restatements shows the first pull's
and the final numbers, exactly as the stand-in's ground truth has them.

The module's warehouse holds TikTok only (two pulls of a four-day window) and is built with
dbt once, for the restatement mart and the dimensions its tests refer to.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from creator_window import query
from dbt_cli import build_selected
from stand_in_home import load_pulls, stand_in_home

from sandbox.tiktok.truth import ad_day_truth, gmv_max_truth, smart_plus_ad_day_truth
from socialmart import pipeline
from socialmart.settings import Settings

pytestmark = pytest.mark.e2e

SEED = 7
WINDOW = pipeline.Window(date(2026, 10, 1), date(2026, 10, 4))
# Oct 4 evening UTC: the window's last days are 0-2 days old in every advertiser's zone, so
# their conversions are not final yet; five days later every day is final.
FIRST_PULL = "2026-10-04T20:00:00+00:00"
SECOND_PULL = "2026-10-09T12:00:00+00:00"
BUILT = "+fct_conversion_restatements +dim_ads +dim_campaigns +dim_ad_accounts"
RESTATEMENTS = "marts.fct_conversion_restatements"


@pytest.fixture(scope="module")
def restated_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a warehouse with two TikTok pulls of WINDOW, built by dbt."""
    home = tmp_path_factory.mktemp("restatements-home")
    with pytest.MonkeyPatch.context() as patch:
        with stand_in_home(patch, home, SEED) as settings:
            pulls = (("pull-1", FIRST_PULL), ("pull-2", SECOND_PULL))
            load_pulls(settings, patch, WINDOW, pulls, sources=("tiktok",))
        build_selected(settings, BUILT, home / "dbt-target")
    return settings


def _as_of(moment: str | None) -> datetime | None:
    return datetime.fromisoformat(moment) if moment else None


def _ad_truth(moment: str | None) -> dict[tuple, dict]:
    """BASIC report truth rows by (advertiser, ad, day) as a pull at ``moment`` sees them,
    Upgraded Smart+ ads (by ad_id_v2) included."""
    return {
        (t["advertiser_id"], t["ad_id"], date.fromisoformat(t["date"])): t
        for truth in (ad_day_truth, smart_plus_ad_day_truth)
        for t in truth(SEED, WINDOW.start, WINDOW.end, as_of=_as_of(moment))
    }


def _purchases(row: dict) -> tuple[Decimal, Decimal]:
    return Decimal(row["complete_payment"]), row["purchase_value"]


def _mart(settings: Settings, gmv_max: bool) -> dict[tuple, tuple]:
    rows = query(
        settings,
        "select ad_account_id, ad_id, report_date, first_purchases, first_purchase_value,"
        " latest_purchases, latest_purchase_value, version_count, is_restated"
        f" from {RESTATEMENTS} where platform = 'tiktok'"
        f" and is_gmv_max_campaign = {str(gmv_max).lower()}",
    )
    return {tuple(row[:3]): tuple(row[3:]) for row in rows}


def test_tiktok_rows_are_as_reported(restated_warehouse: Settings) -> None:
    assert query(
        restated_warehouse, f"select distinct platform, attribution_window from {RESTATEMENTS}"
    ) == [("tiktok", "as_reported")]


def test_first_and_latest_equal_the_first_pull_and_the_final_truth(
    restated_warehouse: Settings,
) -> None:
    first, final = _ad_truth(FIRST_PULL), _ad_truth(None)
    assert _ad_truth(SECOND_PULL) == final  # the second pull sees only final numbers
    assert set(first) == set(final)
    mart = _mart(restated_warehouse, gmv_max=False)
    expected = {
        key: (
            *_purchases(first[key]),
            *_purchases(final[key]),
            # a version is stored whenever any number of the row changed
            1 if first[key] == final[key] else 2,
            _purchases(first[key]) != _purchases(final[key]),
        )
        for key in final
    }
    assert sum(row[-1] for row in expected.values()) >= 3, "too few restated days to prove it"
    assert mart == expected


def test_restated_values_change_by_the_difference(restated_warehouse: Settings) -> None:
    [(mismatches, restated)] = query(
        restated_warehouse,
        "select count(*) filter (where purchases_change <> latest_purchases - first_purchases"
        "  or purchase_value_change <> latest_purchase_value - first_purchase_value),"
        " count(*) filter (where is_restated and purchase_value_change > 0)"
        f" from {RESTATEMENTS}",
    )
    assert mismatches == 0 and restated > 0


def test_gmv_max_days_are_campaign_rows_restated_only_while_orders_come_in(
    restated_warehouse: Settings,
) -> None:
    # GMV Max counts the promoted products' orders as they are placed: a day still running at
    # the first pull grows by the later orders; finished days are final at once.
    def truth(moment: str | None) -> dict[tuple, tuple]:
        return {
            (t["advertiser_id"], t["campaign_id"], date.fromisoformat(t["date"])): (
                None if t["orders"] is None else Decimal(t["orders"]),
                t["gross_revenue"],
            )
            for t in gmv_max_truth(SEED, WINDOW.start, WINDOW.end, as_of=_as_of(moment))
        }

    first, final = truth(FIRST_PULL), truth(None)
    assert truth(SECOND_PULL) == final and set(first) == set(final) and final
    expected = {
        key: (
            *first[key],
            *final[key],
            1 if first[key] == final[key] else 2,
            first[key] != final[key],
        )
        for key in final
    }
    restated_days = {key[2] for key, row in expected.items() if row[-1]}
    assert restated_days == {WINDOW.end}, "only the day running at the first pull changes"
    assert _mart(restated_warehouse, gmv_max=True) == expected
