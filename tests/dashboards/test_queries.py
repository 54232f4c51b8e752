"""The pages' queries (Advantage+, creators, cross-platform) on a hand-checkable published file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from dashboard_marts import write_every_mart, write_marts

from dashboards import reader
from dashboards.queries import advantage_plus, creators, performance, publication, spend

FIRST, LAST = date(2026, 10, 1), date(2026, 10, 3)
ALL = reader.Selection(FIRST, LAST)


@pytest.fixture
def every_mart(marts_path: Path) -> Path:
    return write_every_mart(marts_path)


def test_campaigns_put_threads_without_opt_in_first_and_skip_other_platforms(
    every_mart: Path,
) -> None:
    campaigns = advantage_plus.campaigns(every_mart, ALL)

    assert list(campaigns.columns) == advantage_plus.CAMPAIGN_COLUMNS
    # Campaign C is not Advantage+; T is a TikTok row flagged by mistake and must not count.
    assert campaigns["campaign_id"].tolist() == ["A", "B"]
    a, b = campaigns.to_dict("records")
    assert (a["spend"], a["threads_spend"], a["purchase_value"]) == (
        Decimal("200.00"),
        Decimal("10.00"),
        Decimal("280.00"),
    )
    assert a["threads_share"] == pytest.approx(0.05)
    assert a["roas"] == pytest.approx(1.4)
    assert a["threads_first_spend_date"] == date(2026, 10, 2)
    assert a["threads_without_opt_in"]
    assert (b["spend"], b["threads_spend"], b["account_currency"]) == (
        Decimal("50.00"),
        Decimal("0.00"),
        "USD",
    )
    assert not b["threads_without_opt_in"]
    assert b["threads_first_spend_date"] is None


def test_campaigns_follow_the_date_and_account_filters(every_mart: Path) -> None:
    usd_only = reader.Selection(FIRST, LAST, account_ids=("222",))
    assert advantage_plus.campaigns(every_mart, usd_only)["campaign_id"].tolist() == ["B"]

    first_day = advantage_plus.campaigns(every_mart, reader.Selection(FIRST, FIRST))
    a = first_day.set_index("campaign_id").loc["A"]
    assert (a["spend"], a["threads_spend"]) == (Decimal("100.00"), Decimal("0.00"))
    # Campaign-level facts are over the whole history, not the filter.
    assert a["threads_first_spend_date"] == date(2026, 10, 2)


def test_daily_share_adds_up_to_one_per_day(every_mart: Path) -> None:
    daily = advantage_plus.daily_share(every_mart, "A", FIRST, LAST)

    shares = {
        (row.report_date, row.publisher_platform): row.spend_share for row in daily.itertuples()
    }
    assert shares == pytest.approx(
        {
            (date(2026, 10, 1), "facebook"): 0.6,
            (date(2026, 10, 1), "instagram"): 0.4,
            (date(2026, 10, 2), "facebook"): 0.5,
            (date(2026, 10, 2), "instagram"): 0.4,
            (date(2026, 10, 2), "threads"): 0.1,
        }
    )


def test_placements_give_roas_per_placement(every_mart: Path) -> None:
    placements = advantage_plus.placements(every_mart, "A", FIRST, LAST)

    assert placements["publisher_platform"].tolist() == ["facebook", "instagram", "threads"]
    assert placements["spend"].tolist() == [Decimal("110.00"), Decimal("80.00"), Decimal("10.00")]
    assert placements["roas"].tolist() == pytest.approx([2.0, 0.75, 0.0])
    assert placements["spend_share"].tolist() == pytest.approx([0.55, 0.4, 0.05])


def test_weekly_split_keeps_the_weeks_touching_the_dates(every_mart: Path) -> None:
    weekly = advantage_plus.weekly_split(every_mart, "A", FIRST, LAST)

    assert set(weekly["week_start_date"]) == {date(2026, 9, 28)}
    assert weekly["publisher_platform"].tolist() == ["facebook", "instagram", "threads"]
    wider = advantage_plus.weekly_split(every_mart, "A", date(2026, 9, 21), LAST)
    assert len(wider) == 4


def test_placement_mart_without_platform_column_is_meta(marts_path: Path) -> None:
    write_every_mart(marts_path, with_platform=False)

    assert advantage_plus.campaigns(marts_path, ALL)["campaign_id"].tolist() == ["A", "B"]
    meta_only = reader.Selection(FIRST, LAST, platforms=("meta",))
    tiktok_only = reader.Selection(FIRST, LAST, platforms=("tiktok",))
    assert not spend.totals_by_currency(marts_path, meta_only).empty
    assert spend.totals_by_currency(marts_path, tiktok_only).empty


def test_placement_platform_filter_uses_the_platform_column(every_mart: Path) -> None:
    selection = reader.Selection(FIRST, LAST, platforms=("tiktok",))
    tiktok = spend.totals_by_currency(every_mart, selection)

    assert tiktok[["account_currency", "spend"]].values.tolist() == [["USD", Decimal("7.00")]]


def test_leaderboard_ranks_by_revenue_or_roi(every_mart: Path) -> None:
    by_revenue = creators.leaderboard(every_mart, FIRST, LAST, "creator_driven_revenue")
    by_roi = creators.leaderboard(every_mart, FIRST, LAST, "creator_roi")

    assert list(by_revenue.columns) == creators.LEADERBOARD_COLUMNS
    assert by_revenue["display_name"].tolist() == ["Ana", "Bo", "newface"]
    assert by_roi["display_name"].tolist() == ["Bo", "Ana", "newface"]  # no cost: no ROI, last
    ana = by_revenue.set_index("creator_id").loc["ana"]
    assert ana["creator_driven_revenue"] == Decimal("120.00")
    assert ana["creator_cost"] == Decimal("60.00")
    assert ana["creator_roi"] == pytest.approx(1.0)
    assert (ana["affiliate_gmv"], ana["affiliate_commission"]) == (
        Decimal("60.00"),
        Decimal("5.00"),
    )
    assert (ana["paid_spend"], ana["paid_attributed_revenue"]) == (
        Decimal("55.00"),
        Decimal("60.00"),
    )
    assert (ana["organic_reach"], ana["affiliate_orders"], ana["rows_without_rate"]) == (500, 3, 1)
    assert ana["reporting_currency"] == "EUR"
    newface = by_revenue.set_index("creator_id").loc["tiktok_username:newface"]
    assert not newface["is_registered"]
    assert pd.isna(newface["creator_roi"])


def test_leaderboard_rejects_unknown_rankings(every_mart: Path) -> None:
    with pytest.raises(ValueError, match="rank_by"):
        creators.leaderboard(every_mart, FIRST, LAST, "spend; drop table dim_creators")


def test_creator_daily_drill_down(every_mart: Path) -> None:
    days = creators.daily(every_mart, "ana", FIRST, LAST)

    assert list(days.columns) == creators.DAILY_COLUMNS
    assert days["report_date"].tolist() == [date(2026, 10, 1), date(2026, 10, 2)]
    assert days["creator_driven_revenue"].tolist()[0] == Decimal("120.00")
    assert days["affiliate_orders"].tolist() == [2, 1]


def test_totals_in_reporting_currency_leave_unconverted_rows_out(every_mart: Path) -> None:
    [totals] = performance.totals(every_mart, ALL, "reporting").to_dict("records")

    assert (totals["currency"], totals["spend"], totals["revenue"]) == (
        "EUR",
        Decimal("25.00"),
        Decimal("50.00"),
    )
    assert totals["roas"] == pytest.approx(2.0)
    assert totals["cpa"] == pytest.approx(25 / 3)  # the unconverted row's purchase left out
    assert (totals["purchases"], totals["rows_without_rate"]) == (Decimal("4.00"), 1)


def test_totals_in_account_currency_keep_currencies_apart(every_mart: Path) -> None:
    totals = performance.totals(every_mart, ALL, "account").set_index("currency")

    assert totals["spend"].to_dict() == {"EUR": Decimal("10.00"), "USD": Decimal("17.60")}
    assert totals.at["USD", "roas"] == pytest.approx(24.20 / 17.60)
    assert totals.at["USD", "cpa"] == pytest.approx(8.80)
    assert totals["rows_without_rate"].sum() == 0


@pytest.mark.parametrize(
    ("level", "first_row"),
    [
        ("platform", {"platform": "meta", "spend": Decimal("20.00")}),
        ("account", {"ad_account_id": "111", "spend": Decimal("10.00")}),
        ("campaign", {"campaign_name": "Campaign c1", "spend": Decimal("10.00")}),
    ],
)
def test_breakdown_levels(every_mart: Path, level: str, first_row: dict) -> None:
    table = performance.breakdown(every_mart, ALL, "reporting", level)

    assert list(table.columns) == [*performance.LEVELS[level], *performance.MEASURE_COLUMNS]
    assert {key: table.iloc[0][key] for key in first_row} == first_row
    assert sum(table["spend"].dropna()) == Decimal("25.00")


def test_platform_and_account_filters_and_daily_chart_rows(every_mart: Path) -> None:
    tiktok = reader.Selection(FIRST, LAST, platforms=("tiktok",))
    assert performance.totals(every_mart, tiktok, "reporting")["spend"].tolist() == [
        Decimal("5.00")
    ]
    one_account = reader.Selection(FIRST, LAST, account_ids=("222",))
    assert performance.totals(every_mart, one_account, "account")["currency"].tolist() == ["USD"]
    daily = performance.daily_by_platform(every_mart, ALL, "reporting")
    assert daily[["report_date", "platform"]].values.tolist() == [
        [date(2026, 10, 1), "meta"],
        [date(2026, 10, 2), "tiktok"],
        [date(2026, 10, 3), "tiktok"],
    ]


def test_unknown_modes_and_levels_are_refused(every_mart: Path) -> None:
    with pytest.raises(ValueError, match="currency mode"):
        performance.totals(every_mart, ALL, "usd")
    with pytest.raises(ValueError, match="level"):
        performance.breakdown(every_mart, ALL, "reporting", "ad_id")


def test_filter_options_span_every_dated_mart(every_mart: Path) -> None:
    assert publication.date_span(every_mart) == (FIRST, LAST)
    accounts = publication.filter_accounts(every_mart)
    assert accounts.values.tolist() == [
        ["meta", "111", "EUR"],
        ["meta", "222", "USD"],
        ["tiktok", "tt1", "USD"],
    ]


def test_filter_accounts_fall_back_to_the_placement_mart(marts_path: Path) -> None:
    write_marts(marts_path)

    assert publication.filter_accounts(marts_path)["platform"].unique().tolist() == ["meta"]
    assert publication.date_span(marts_path) == (FIRST, LAST)
    assert publication.missing_tables(marts_path, ["fct_ad_performance_daily"]) == [
        "fct_ad_performance_daily"
    ]


def test_missing_file_gives_empty_frames(marts_path: Path) -> None:
    assert publication.date_span(marts_path) is None
    assert advantage_plus.campaigns(marts_path, ALL).empty
    assert creators.leaderboard(marts_path, FIRST, LAST, "creator_roi").empty
    assert performance.totals(marts_path, ALL, "reporting").empty
    assert publication.missing_tables(marts_path, ["dim_creators"]) == ["dim_creators"]
