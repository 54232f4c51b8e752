"""Advantage+ placement split: how much of each Advantage+ budget went to Threads, since when,
and did it pay?

Campaigns where Meta put spend on Threads without an opt-in come first. Every amount is in the
campaign's account currency.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboards import charts, components, filters, reader
from dashboards.queries import advantage_plus, publication

_CAMPAIGN_COLUMNS = {
    # The flag orders the rows (flagged first) and names the campaign in the picker; the
    # amount below says how much of the Threads spend it concerns.
    "threads_without_opt_in": None,
    "campaign_name": st.column_config.TextColumn("Campaign"),
    "account_currency": st.column_config.TextColumn("Currency"),
    "spend": components.money_column("Spend"),
    "threads_spend": components.money_column("Threads spend"),
    "threads_spend_without_opt_in": components.money_column("No opt-in spend")
    | {
        "help": "Threads spend in ad sets that do not name Threads (Meta added the placement), "
        "not all spend of the flagged campaign"
    },
    "threads_share": components.share_column("Threads share"),
    "threads_first_spend_date": st.column_config.DateColumn("Threads since"),
    "roas": components.number_column("ROAS", 2),
}
_SHARES = ["threads_share", "spend_share"]


def _placement_columns(currency: str) -> dict:
    return {
        "week_start_date": st.column_config.DateColumn("Week from"),
        "publisher_platform": st.column_config.TextColumn("Platform"),
        "platform_position": st.column_config.TextColumn("Position"),
        "spend": components.money_column("Spend", currency),
        "spend_share": components.share_column("Share of spend"),
        "threads_spend_without_opt_in": components.money_column("Without opt-in", currency),
        "purchases": components.number_column("Purchases"),
        "purchase_value": components.money_column("Revenue", currency),
        "roas": components.number_column("ROAS", 2),
    }


def _campaign_labels(campaigns: pd.DataFrame) -> dict[str, str]:
    return {
        row.campaign_id: f"{row.campaign_name} ({row.account_currency})"
        + (" · Threads without opt-in" if row.threads_without_opt_in else "")
        for row in campaigns.itertuples()
    }


def _show_campaign(path: Path, campaign: pd.Series, selection: reader.Selection) -> None:
    currency = campaign["account_currency"]
    first_day = campaign["threads_first_spend_date"]
    first_day = None if pd.isna(first_day) else first_day
    st.subheader(campaign["campaign_name"])
    components.metrics(
        [
            (f"Spend ({currency})", components.amount(campaign["spend"])),
            (f"Threads spend ({currency})", components.amount(campaign["threads_spend"])),
            ("Threads share", components.share(campaign["threads_share"])),
            ("Threads first spend", first_day.isoformat() if first_day else "never"),
            ("ROAS", components.ratio(campaign["roas"])),
        ]
    )
    if campaign["threads_without_opt_in"]:
        amount = campaign["threads_spend_without_opt_in"]
        known = amount is not None and not pd.isna(amount)
        spent = (
            f" In the selected dates that is {components.money(amount, currency)} of Threads spend."
            if known
            else ""
        )
        st.warning(
            "**Threads without opt-in:** Meta delivered this campaign on Threads although its "
            f"ad sets do not name Threads as a placement (Advantage+ placements added it).{spent}",
            icon=":material/warning:",
        )

    st.markdown("**Share of daily spend by placement platform** (Threads highlighted)")
    daily = advantage_plus.daily_share(
        path, campaign["campaign_id"], selection.start, selection.end
    )
    st.altair_chart(charts.placement_share_over_time(daily, first_day), width="stretch")

    st.markdown(f"**ROAS per placement** ({selection.start} to {selection.end})")
    placements = advantage_plus.placements(
        path, campaign["campaign_id"], selection.start, selection.end
    )
    components.table(components.as_percent(placements, _SHARES), _placement_columns(currency))
    st.altair_chart(charts.roas_by_placement(placements), width="stretch")

    with st.expander(f"Weekly split ({advantage_plus.SPLIT_TABLE})"):
        weekly = advantage_plus.weekly_split(
            path, campaign["campaign_id"], selection.start, selection.end
        )
        components.table(components.as_percent(weekly, _SHARES), _placement_columns(currency))


def _show_share_jumps(path: Path, campaigns: pd.DataFrame) -> None:
    """A badge per newest-week placement share jump (the gate's warning and alert)."""
    jumps = advantage_plus.latest_share_jumps(path)
    names = campaigns.set_index("campaign_id")["campaign_name"].to_dict()
    for jump in jumps.itertuples():
        st.warning(
            f"**Share jump, week of {jump.week_start_date:%Y-%m-%d}:** "
            f"{names.get(jump.campaign_id, jump.campaign_id)} moved "
            f"{jump.publisher_platform} / {jump.platform_position} from "
            f"{jump.previous_spend_share:.1%} to {jump.spend_share:.1%} of its spend.",
            icon=":material/trending_up:",
        )


def main() -> None:
    """Render the page."""
    opened = components.open_page("Advantage+ placement split")
    if opened is None:
        return
    path, selection = opened
    if selection.platforms and "meta" not in selection.platforms:
        st.info(
            "**Advantage+ is a Meta campaign type.** Add `meta` to the Platforms filter in "
            "the sidebar (or clear it) to see the split.",
            icon=":material/filter_alt_off:",
        )
        return
    if publication.missing_tables(path, [advantage_plus.SPLIT_TABLE]):
        components.show_missing_table(advantage_plus.SPLIT_TABLE, path)
        return
    campaigns = advantage_plus.campaigns(path, selection)
    if campaigns.empty:
        components.show_no_rows("Advantage+ campaign spend")
        return

    _show_share_jumps(path, campaigns)
    st.caption(
        "Advantage+ campaigns with spend in the selected dates; campaigns where Threads "
        "received spend without an opt-in come first. Amounts in each campaign's currency."
    )
    components.table(components.as_percent(campaigns, _SHARES), _CAMPAIGN_COLUMNS)
    campaign_id = filters.choice(
        "Campaign",
        _campaign_labels(campaigns),
        param="campaign",
        widget=st.selectbox,
    )
    campaign = campaigns.set_index("campaign_id", drop=False).loc[campaign_id]
    _show_campaign(path, campaign, selection)


main()
