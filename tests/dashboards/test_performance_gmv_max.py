"""The cross-platform page compares like with like: TikTok GMV Max revenue (all orders of the
promoted products, revenue_attribution 'gmv_max_all_orders') is its own measure, outside
Revenue, ROAS and CPA, and so is the spend that bought it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dashboard_marts import write_every_mart

from dashboards import reader
from dashboards.queries import performance

ALL = reader.Selection(date(2026, 10, 1), date(2026, 10, 3))


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    """The pages' marts as published before revenue_attribution (all ad-attributed)."""
    return write_every_mart(tmp_path / "plain" / "marts.duckdb")


@pytest.fixture
def with_gmv_max(marts_path: Path) -> Path:
    """The same marts plus one TikTok GMV Max campaign day in EUR: spend 40.00, gross
    revenue 400.00 over 9 orders."""
    write_every_mart(marts_path)
    with duckdb.connect(str(marts_path)) as con:
        con.execute(
            "alter table fct_ad_performance_daily add column revenue_attribution varchar "
            "default 'ad_attributed';"
            "insert into fct_ad_performance_daily values ('tiktok', 'tt9', 'EUR', 'gmv1', "
            "'GMV Max store', '2026-10-02', 40.00, 400.00, 9, 0, 0, 40.00, 400.00, 'EUR', "
            "'gmv_max_all_orders')"
        )
    return marts_path


def test_totals_count_its_spend_but_keep_its_revenue_apart(plain: Path, with_gmv_max: Path) -> None:
    [before] = performance.totals(plain, ALL, "reporting").to_dict("records")
    [after] = performance.totals(with_gmv_max, ALL, "reporting").to_dict("records")

    assert after["spend"] == before["spend"] + Decimal("40.00")  # every euro spent counts
    assert after["revenue"] == before["revenue"]  # ad-attributed only
    assert after["gmv_max_revenue"] == Decimal("400.00")
    assert pd.isna(before["gmv_max_revenue"])  # none published
    assert after["roas"] == pytest.approx(before["roas"])  # like for like
    assert after["cpa"] == pytest.approx(before["cpa"])
    assert after["purchases"] == before["purchases"] + 9


def test_breakdown_and_chart_keep_it_apart(plain: Path, with_gmv_max: Path) -> None:
    def tiktok(path: Path):
        table = performance.breakdown(path, ALL, "reporting", "platform")
        return table.set_index("platform").loc["tiktok"]

    assert tiktok(with_gmv_max)["revenue"] == tiktok(plain)["revenue"]
    assert tiktok(with_gmv_max)["gmv_max_revenue"] == Decimal("400.00")
    revenue = performance.daily_by_platform(with_gmv_max, ALL, "reporting")["revenue"]
    assert revenue.sum() == performance.daily_by_platform(plain, ALL, "reporting")["revenue"].sum()
