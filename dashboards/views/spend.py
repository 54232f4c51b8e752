"""Spend by publisher platform over time, with totals per currency.

Amounts are summed only within one account currency: the totals table has a row per
currency, and the chart shows one currency at a time.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboards import charts, components, reader
from dashboards.queries import spend

_TOTAL_COLUMNS = {
    "account_currency": st.column_config.TextColumn("Currency"),
    "accounts": components.number_column("Accounts"),
    "spend": components.number_column("Spend", 2),
    "impressions": components.number_column("Impressions"),
    "clicks": components.number_column("Clicks"),
    "purchases": components.number_column("Purchases"),
    "purchase_value": components.number_column("Purchase value", 2),
}
_PLATFORM_COLUMNS = {
    "publisher_platform": st.column_config.TextColumn("Platform"),
    "spend": components.number_column("Spend", 2),
    "spend_share": components.share_column("Share of spend"),
    "impressions": components.number_column("Impressions"),
    "clicks": components.number_column("Clicks"),
    "purchases": components.number_column("Purchases"),
    "purchase_value": components.number_column("Purchase value", 2),
}


def _show_totals(totals: pd.DataFrame) -> None:
    st.subheader("Totals per currency")
    components.metrics(
        [
            (f"Spend ({row.account_currency})", components.amount(row.spend))
            for row in totals.itertuples()
        ]
    )
    components.table(totals, _TOTAL_COLUMNS)


def _pick_currency(totals: pd.DataFrame) -> str:
    currencies = totals["account_currency"].tolist()
    if len(currencies) == 1:
        return currencies[0]
    return st.radio(
        "Currency",
        currencies,
        horizontal=True,
        help="Accounts billed in different currencies are never added together.",
    )


def _show_platforms(path: Path, selection: reader.Selection, currency: str) -> None:
    st.subheader(f"Daily spend by platform ({currency})")
    style = st.radio("Chart", ["Stacked bars", "Lines"], horizontal=True, key="spend_chart_style")
    daily = spend.spend_by_platform_daily(path, selection, currency)
    chart = charts.spend_over_time(daily, currency, stacked=style == "Stacked bars")
    st.altair_chart(chart, width="stretch")
    by_platform = spend.platform_totals(path, selection, currency)
    components.table(components.as_percent(by_platform, ["spend_share"]), _PLATFORM_COLUMNS)


def main() -> None:
    """Render the page."""
    opened = components.open_page("Spend by placement platform")
    if opened is None:
        return
    path, selection = opened
    totals = spend.totals_by_currency(path, selection)
    if totals.empty:
        components.show_no_rows("Meta placement delivery")
        return
    _show_totals(totals)
    _show_platforms(path, selection, _pick_currency(totals))


main()
