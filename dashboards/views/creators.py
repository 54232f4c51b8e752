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

from dashboards import charts, components, creators, data, filters

_RANKING_LABELS = {
    "creator_driven_revenue": "Creator-driven revenue",
    "creator_roi": "ROI",
}
_DRILL_DOWN_LINES = {
    "creator_driven_revenue": "Creator-driven revenue",
    "creator_cost": "Creator cost",
    "affiliate_gmv": "Affiliate GMV",
    "paid_spend": "Paid spend on creator content",
    "paid_attributed_revenue": "Attributed revenue",
}


def _columns(currency: str) -> dict:
    return {
        "display_name": st.column_config.TextColumn("Creator"),
        "creator_driven_revenue": components.money_column("Creator-driven revenue", currency),
        "creator_roi": st.column_config.NumberColumn("ROI", format="%.2f"),
        "creator_cost": components.money_column("Creator cost", currency),
        "affiliate_gmv": components.money_column("Affiliate GMV", currency),
        "affiliate_commission": components.money_column("Commission (estimated)", currency),
        "paid_spend": components.money_column("Paid spend on creator content", currency),
        "paid_attributed_revenue": components.money_column("Attributed revenue", currency),
        "organic_reach": st.column_config.NumberColumn("Organic reach (Threads views)"),
        "affiliate_orders": st.column_config.NumberColumn("Affiliate orders"),
        "is_registered": st.column_config.CheckboxColumn("In registry"),
        "report_date": st.column_config.DateColumn("Day"),
    }


def _show_leader(board: pd.DataFrame, currency: str, rank_by: str) -> None:
    leader = board.iloc[0]
    name, revenue, roi = st.columns(3)
    name.metric(f"Top creator by {_RANKING_LABELS[rank_by]}", leader["display_name"])
    revenue.metric(
        "Top creator's creator-driven revenue",
        components.money(leader["creator_driven_revenue"], currency),
    )
    roi.metric("Top creator's ROI", components.ratio(leader["creator_roi"]))


def _show_drill_down(path: Path, board: pd.DataFrame, currency: str, selection) -> None:
    st.subheader("One creator over time")
    names = dict(zip(board["creator_id"], board["display_name"], strict=True))
    creator_id = filters.choice(
        "Creator",
        board["creator_id"].tolist(),
        param="creator",
        format_func=names.__getitem__,
        widget=st.selectbox,
    )
    days = creators.daily(path, creator_id, selection.start, selection.end)
    st.altair_chart(charts.amounts_over_time(days, _DRILL_DOWN_LINES, currency), width="stretch")
    shown = ["report_date", *_DRILL_DOWN_LINES, "affiliate_commission", "organic_reach"]
    st.dataframe(days[shown], column_config=_columns(currency), hide_index=True)


def main() -> None:
    """Render the page."""
    st.title("Creators")
    path = components.marts_path()
    missing = data.missing_tables(path, [creators.FACT_TABLE, creators.DIM_TABLE])
    if missing:
        components.show_missing_table(missing[0], path)
        return
    components.show_publication(path, None)
    selection = components.need_selection()
    if selection is None:
        return
    rank_by = filters.choice(
        "Rank by",
        list(_RANKING_LABELS),
        param="rank",
        format_func=_RANKING_LABELS.__getitem__,
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
        "creator's content, minus Spark Ads revenue already counted as affiliate GMV; "
        "ROI = (revenue - cost) / cost, cost = paid spend + estimated commission. Platform "
        "and account filters do not apply to creators."
    )
    unconverted = int(board["rows_without_rate"].sum())
    if unconverted:
        st.warning(
            f"{unconverted} creator-days have no FX rate for {currency} yet and are left out "
            "of the sums.",
            icon=":material/currency_exchange:",
        )
    _show_leader(board, currency, rank_by)
    shown = [column for column in _columns(currency) if column in board.columns]
    st.dataframe(board[shown], column_config=_columns(currency), hide_index=True)
    _show_drill_down(path, board, currency, selection)


main()
