"""Creators: which creators drive revenue, and at what return.

A leaderboard by creator-driven revenue or ROI with its components, then one creator's days.
Amounts are in the reporting currency (each row converted on its own day), because a creator
earns and is paid in several currencies. Only the date filter applies: creators span
platforms and ad accounts.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboards import charts, components, filters
from dashboards.queries import creators

_RANKING_LABELS = {
    "creator_driven_revenue": "Creator-driven revenue",
    "creator_roi": "ROI",
}


def _columns(currency: str) -> dict:
    return {
        "report_date": st.column_config.DateColumn("Day"),
        "display_name": st.column_config.TextColumn("Creator"),
        "creator_driven_revenue": components.money_column("Net revenue", currency),
        "creator_roi": components.number_column("ROI", 2),
        "creator_cost": components.money_column("Cost", currency),
        "affiliate_orders": components.number_column("Orders"),
        "organic_reach": components.number_column("Threads views"),
        "is_registered": st.column_config.CheckboxColumn("In registry"),
    }


_NOT_DAILY = {"display_name", "paid_spend", "affiliate_commission"}


def _parts_columns(currency: str | None) -> dict:
    return {
        "report_date": st.column_config.DateColumn("Day"),
        "display_name": st.column_config.TextColumn("Creator"),
        "affiliate_gmv": components.money_column("Affiliate GMV", currency),
        "paid_attributed_revenue": components.money_column("Paid-ad revenue", currency),
        "paid_attributed_revenue_shop": components.money_column("Spark Shop revenue", currency),
        "deduction_spark_orders_in_order_book": components.money_column("Shop deduction", currency),
        "creator_driven_revenue": components.money_column("Net revenue", currency),
        "paid_spend": components.money_column("Paid spend", currency),
        "affiliate_commission": components.money_column("Commission", currency),
    }


def _show_leader(board: pd.DataFrame, currency: str, rank_by: str) -> None:
    leader = board.iloc[0]
    components.metrics(
        [
            (f"Top creator by {_RANKING_LABELS[rank_by]}", leader["display_name"]),
            (
                f"Top creator's creator-driven revenue ({currency})",
                components.amount(leader["creator_driven_revenue"]),
            ),
            ("Top creator's ROI", components.ratio(leader["creator_roi"])),
        ]
    )


def _show_parts(board: pd.DataFrame, currency: str) -> None:
    st.markdown(
        f"**Revenue parts per creator** ({currency}): affiliate GMV and revenue of paid ads on "
        "the creator's content, minus the Shop deduction: the Spark Ads revenue whose orders "
        "the loaded TikTok Shop order book also holds (already counted as GMV). Spark Shop "
        "revenue with no order data (a shop the app cannot read) stays the creator's and is "
        "not deducted; the table shows both. The black tick and label are the net."
    )
    st.altair_chart(charts.creator_revenue_parts(board, currency), width="stretch")
    with st.expander("Revenue parts as a table"):
        components.table(board, _parts_columns(currency))


def _show_drill_down(path: Path, board: pd.DataFrame, currency: str, selection) -> None:
    st.subheader("One creator over time")
    names = dict(zip(board["creator_id"], board["display_name"], strict=True))
    creator_id = filters.choice(
        "Creator",
        names,
        param="creator",
        widget=st.selectbox,
    )
    days = creators.daily(path, creator_id, selection.start, selection.end)
    st.altair_chart(charts.creator_revenue_daily(days, currency), width="stretch")
    daily_columns = _parts_columns(None) | {
        "creator_cost": components.money_column("Cost"),
        "organic_reach": components.number_column("Threads views"),
    }
    st.caption(f"Amounts in {currency}.")
    components.table(days, {k: v for k, v in daily_columns.items() if k not in _NOT_DAILY})


def main() -> None:
    """Render the page."""
    opened = components.open_page("Creators", [creators.FACT_TABLE, creators.DIM_TABLE])
    if opened is None:
        return
    path, selection = opened
    rank_by = filters.choice(
        "Rank by",
        _RANKING_LABELS,
        param="rank",
        horizontal=True,
    )
    board = creators.leaderboard(path, selection.start, selection.end, rank_by)
    if board.empty:
        components.show_no_rows("creator activity")
        return
    currency = board["reporting_currency"].iloc[0]
    st.caption(
        f"{selection.start} to {selection.end}; amounts in {currency} (the reporting currency). "
        "Creator-driven revenue = affiliate GMV + revenue attributed to paid ads on the "
        "creator's content, minus the Spark Ads revenue whose orders the loaded order book "
        "holds (already affiliate GMV; nothing else is deducted); "
        "ROI = (revenue - cost) / cost, cost = paid spend + estimated commission. Platform "
        "and account filters do not apply to creators."
    )
    components.warn_without_rate(
        board, f"creator-days have no FX rate for {currency} yet and are left out of the sums."
    )
    _show_leader(board, currency, rank_by)
    components.table(board, _columns(currency))
    _show_parts(board, currency)
    _show_drill_down(path, board, currency, selection)


main()
