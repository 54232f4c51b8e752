"""Cross-platform performance: spend, revenue, ROAS and CPA by platform, account and campaign.

In the reporting currency every account adds up; in account currency each currency gets its
own totals and rows, never added together.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboards import charts, components, filters, reader
from dashboards.queries import performance

_MODE_LABELS = {"reporting": "Reporting currency", "account": "Account currency"}
_LEVEL_LABELS = {"platform": "Platform", "account": "Ad account", "campaign": "Campaign"}
_TABLE_COLUMNS = {
    "platform": st.column_config.TextColumn("Platform"),
    "ad_account_id": st.column_config.TextColumn("Ad account"),
    "campaign_id": st.column_config.TextColumn("Campaign ID"),
    "campaign_name": st.column_config.TextColumn("Campaign"),
    "currency": st.column_config.TextColumn("Currency"),
    "spend": components.money_column("Spend"),
    "revenue": components.money_column("Revenue")
    | {"help": "Ad-attributed revenue (TikTok GMV Max's all-orders revenue is apart)"},
    "gmv_max_revenue": components.money_column("GMV Max")
    | {
        "help": "TikTok GMV Max revenue: every order of its products while it runs (paid, "
        "organic, affiliate), not ad-attributed, so outside Revenue and ROAS"
    },
    "roas": components.number_column("ROAS", 2),
    "cpa": components.money_column("CPA"),
    "purchases": components.number_column("Purchases"),
    "impressions": components.number_column("Impressions"),
    "clicks": components.number_column("Clicks"),
}


def _show_totals(totals: pd.DataFrame) -> None:
    for row in totals.itertuples():
        components.metrics(
            [
                (f"Spend ({row.currency})", components.amount(row.spend)),
                (f"Revenue ({row.currency})", components.amount(row.revenue)),
                (f"ROAS ({row.currency})", components.ratio(row.roas)),
                (f"CPA ({row.currency})", components.amount(row.cpa)),
            ]
        )
    components.warn_without_rate(
        totals,
        "rows have no FX rate for their day yet and are left out of the reporting-currency "
        "sums; switch to account currency to see them.",
    )


def _show_daily(path: Path, selection: reader.Selection, mode: str) -> None:
    daily = performance.daily_by_platform(path, selection, mode)
    daily = daily.dropna(subset=["spend"]).rename(columns={"platform": "publisher_platform"})
    for currency, rows in daily.groupby("currency", sort=True):
        st.markdown(f"**Daily spend by platform ({currency})**")
        st.altair_chart(charts.spend_over_time(rows, currency), width="stretch")


def main() -> None:
    """Render the page."""
    opened = components.open_page("Cross-platform performance", [reader.AD_PERFORMANCE_TABLE])
    if opened is None:
        return
    path, selection = opened
    mode = filters.choice(
        "Currency",
        _MODE_LABELS,
        param="currency",
        horizontal=True,
        help="Reporting currency: every account converted per day (ECB rates), summable. "
        "Account currency: each account's own currency, one total per currency.",
    )
    totals = performance.totals(path, selection, mode)
    if totals.empty:
        components.show_no_rows("ad delivery")
        return
    st.caption(
        f"{selection.start} to {selection.end}. ROAS = ad-attributed revenue / the spend "
        "that earned it, CPA = that spend / purchases, both from the summed amounts. TikTok "
        "GMV Max revenue counts all orders of its products (paid, organic, affiliate), so it "
        "is shown apart and its spend is left out of ROAS and CPA."
    )
    _show_totals(totals)
    level = filters.choice(
        "Break down by",
        _LEVEL_LABELS,
        param="level",
        horizontal=True,
    )
    table = performance.breakdown(path, selection, mode, level)
    # By campaign the names say enough: ids and delivery counts would push the money out of
    # view at 1280 px.
    by_campaign = ("ad_account_id", "campaign_id", "impressions", "clicks")
    hidden = dict.fromkeys(by_campaign) if level == "campaign" else {}
    # One currency (the reporting one): the totals above name it, the column would repeat it.
    if table["currency"].nunique() == 1:
        hidden["currency"] = None
    components.table(table, _TABLE_COLUMNS | hidden)
    _show_daily(path, selection, mode)


main()
