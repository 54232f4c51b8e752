"""Queries of the Advantage+ placement split page: where Advantage+ budgets went, Threads first.

Daily numbers come from ``fct_placement_performance_daily`` (Advantage+ campaigns, Meta rows
only), read through summaries of it (``ADVANTAGE_PLUS_DAYS``, ``campaign_days``; see
``dashboards.reader.Summary``); weekly numbers and the campaign-level Threads facts (first day
Threads received spend, spend without an opt-in) from ``rpt_advantage_plus_placement_split``.
"Threads spend without opt-in" is the Threads spend itself in ad sets that do not name Threads
(the mart's ``threads_spend_without_opt_in``, the same rule on the daily rows), not the spend of
the flagged campaigns.
A campaign has one account currency, so every amount here is in its ``account_currency``.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import date
from pathlib import Path

import pandas as pd

from dashboards.reader import (
    MART_TABLE,
    MONEY,
    SELECTION_SQL,
    Selection,
    Summary,
    query,
    summary_table,
)

SPLIT_TABLE = "rpt_advantage_plus_placement_split"
SHARE_CHANGES_TABLE = "rpt_placement_share_changes"
SHARE_JUMP_COLUMNS = [
    "campaign_id",
    "publisher_platform",
    "platform_position",
    "previous_spend_share",
    "spend_share",
    "week_start_date",
]

CAMPAIGN_COLUMNS = [
    "campaign_id",
    "campaign_name",
    "ad_account_id",
    "account_currency",
    "spend",
    "purchase_value",
    "roas",
    "threads_spend",
    "threads_spend_without_opt_in",
    "threads_share",
    "threads_first_spend_date",
    "threads_without_opt_in",
]
DAILY_SHARE_COLUMNS = ["report_date", "publisher_platform", "spend", "spend_share"]
PLACEMENT_COLUMNS = [
    "publisher_platform",
    "platform_position",
    "spend",
    "spend_share",
    "purchases",
    "purchase_value",
    "roas",
]
WEEKLY_COLUMNS = [
    "week_start_date",
    "publisher_platform",
    "platform_position",
    "spend",
    "spend_share",
    "purchase_value",
    "roas",
    "threads_spend_without_opt_in",
]


def _meta_rows(columns: set[str]) -> str:
    # Once the placement mart carries TikTok rows, Advantage+ is Meta's alone.
    return "platform = 'meta'" if "platform" in columns else "true"


def _threads_without_opt_in_sql(columns: set[str]) -> str:
    # As the mart's threads_spend_without_opt_in: Threads spend of ad sets not naming Threads.
    if "threads_inclusion" not in columns:
        return f"null::{MONEY}"
    return (
        "coalesce(sum(spend) filter (where publisher_platform = 'threads' "
        f"and threads_inclusion <> 'explicitly_included'), 0)::{MONEY}"
    )


def _advantage_plus_days_sql(columns: set[str]) -> str:
    return f"""
        select
            report_date,
            campaign_id,
            ad_account_id,
            account_currency,
            max(campaign_name) as campaign_name,
            sum(spend)::{MONEY} as spend,
            sum(purchase_value)::{MONEY} as purchase_value,
            sum(spend) filter (where publisher_platform = 'threads')::{MONEY} as threads_spend,
            {_threads_without_opt_in_sql(columns)} as threads_spend_without_opt_in
        from {MART_TABLE}
        where is_advantage_plus_campaign
            and {_meta_rows(columns)}
        group by all
        order by report_date
    """


# Advantage+ campaign days (placements, ads and ad sets added up): spend, revenue and Threads
# spend, for the campaign list.
ADVANTAGE_PLUS_DAYS = Summary("advantage_plus_campaign_daily", MART_TABLE, _advantage_plus_days_sql)


def _campaign_days_sql(campaign_id: str, columns: set[str]) -> str:
    literal = "'" + campaign_id.replace("'", "''") + "'"
    return f"""
        select
            report_date,
            publisher_platform,
            platform_position,
            sum(spend)::{MONEY} as spend,
            sum(purchases)::{MONEY} as purchases,
            sum(purchase_value)::{MONEY} as purchase_value
        from {MART_TABLE}
        where campaign_id = {literal}
            and {_meta_rows(columns)}
        group by all
        order by report_date
    """


def campaign_days(campaign_id: str) -> Summary:
    """One campaign's Meta rows per day and placement (ads and ad sets added up).

    Built on the first drill-down into the campaign: one pass over the mart, as the
    drill-down queries made before, then every later one reads a few thousand rows.
    """
    digest = hashlib.sha256(campaign_id.encode()).hexdigest()[:16]
    return Summary(
        f"campaign_days_{digest}", MART_TABLE, functools.partial(_campaign_days_sql, campaign_id)
    )


def campaigns(path: Path, selection: Selection) -> pd.DataFrame:
    """Every Advantage+ campaign with spend in the selection, Threads-without-opt-in first.

    Args:
        path: The published marts DuckDB file.
        selection: Dates and accounts (the platform filter is the page's business).

    Returns:
        Columns ``CAMPAIGN_COLUMNS``: spend, revenue, ROAS, Threads spend, the part of it
        without opt-in (null when the mart predates ``threads_inclusion``) and share in the
        selection; ``threads_first_spend_date`` and ``threads_without_opt_in`` over the whole
        loaded history. Ordered by ``threads_without_opt_in``, Threads spend, then name.
    """
    sql = f"""
        with by_campaign as (
            select
                campaign_id,
                ad_account_id,
                account_currency,
                max(campaign_name) as campaign_name,
                sum(spend) as spend,
                sum(purchase_value) as purchase_value,
                coalesce(sum(threads_spend), 0) as threads_spend,
                sum(threads_spend_without_opt_in) as threads_spend_without_opt_in
            from {summary_table(ADVANTAGE_PLUS_DAYS)}
            where {SELECTION_SQL}
            group by campaign_id, ad_account_id, account_currency
        ),

        threads_facts as (
            select
                campaign_id,
                min(threads_first_spend_date) as threads_first_spend_date,
                bool_or(threads_without_opt_in) as threads_without_opt_in
            from {SPLIT_TABLE}
            group by campaign_id
        )

        select
            by_campaign.campaign_id,
            by_campaign.campaign_name,
            by_campaign.ad_account_id,
            by_campaign.account_currency,
            by_campaign.spend,
            by_campaign.purchase_value,
            by_campaign.purchase_value / nullif(by_campaign.spend, 0) as roas,
            by_campaign.threads_spend,
            by_campaign.threads_spend_without_opt_in,
            (by_campaign.threads_spend / nullif(by_campaign.spend, 0))::double
                as threads_share,
            threads_facts.threads_first_spend_date,
            coalesce(threads_facts.threads_without_opt_in, false) as threads_without_opt_in
        from by_campaign
        left join threads_facts using (campaign_id)
        order by
            threads_without_opt_in desc,
            by_campaign.threads_spend desc,
            by_campaign.campaign_name,
            by_campaign.campaign_id
    """
    tables = [ADVANTAGE_PLUS_DAYS, SPLIT_TABLE]
    return query(path, tables, sql, selection.params(), CAMPAIGN_COLUMNS)


def _campaign_params(campaign_id: str, start: date, end: date) -> dict:
    return {"campaign_id": campaign_id, "start": start, "end": end}


def daily_share(path: Path, campaign_id: str, start: date, end: date) -> pd.DataFrame:
    """One campaign's daily spend per publisher platform and its share of the day's spend.

    Args:
        path: The published marts DuckDB file.
        campaign_id: The Advantage+ campaign.
        start: First report date (inclusive).
        end: Last report date (inclusive).

    Returns:
        Columns ``DAILY_SHARE_COLUMNS``; ``spend`` exact, ``spend_share`` a float in 0..1.
    """

    days = campaign_days(campaign_id)
    sql = f"""
        select
            report_date,
            publisher_platform,
            sum(spend) as spend,
            (sum(spend) / nullif(sum(sum(spend)) over (partition by report_date), 0))
                ::double as spend_share
        from {summary_table(days)}
        where report_date between $start and $end
        group by report_date, publisher_platform
        order by report_date, publisher_platform
    """
    params = {"start": start, "end": end}
    return query(path, [days], sql, params, DAILY_SHARE_COLUMNS)


def placements(path: Path, campaign_id: str, start: date, end: date) -> pd.DataFrame:
    """One campaign's spend, revenue and ROAS per placement over the dates (arguments as
    :func:`daily_share`).

    Returns:
        Columns ``PLACEMENT_COLUMNS``, largest spend first; ``roas`` is revenue / spend
        (None without spend).
    """

    days = campaign_days(campaign_id)
    sql = f"""
        with by_placement as (
            select
                publisher_platform,
                platform_position,
                sum(spend) as spend,
                sum(purchases) as purchases,
                sum(purchase_value) as purchase_value
            from {summary_table(days)}
            where report_date between $start and $end
            group by publisher_platform, platform_position
        )

        select
            publisher_platform,
            platform_position,
            spend,
            (spend / nullif(sum(spend) over (), 0))::double as spend_share,
            purchases,
            purchase_value,
            purchase_value / nullif(spend, 0) as roas
        from by_placement
        order by spend desc, publisher_platform, platform_position
    """
    params = {"start": start, "end": end}
    return query(path, [days], sql, params, PLACEMENT_COLUMNS)


# The weekly report as it is, laid out for reading: published, its DECIMAL(38, 2) amounts are
# slow to decode, and the drill-down reads one campaign's weeks at a time.
def _weeks_sql(columns: set[str]) -> str:
    # Publications before the column existed show it as unknown (null), not as zero.
    extra = (
        ""
        if "threads_spend_without_opt_in" in columns
        else (f", null::{MONEY} as threads_spend_without_opt_in")
    )
    return f"select *{extra} from {SPLIT_TABLE} order by campaign_id, week_start_date"


WEEKS = Summary("advantage_plus_weeks", SPLIT_TABLE, _weeks_sql)


def weekly_split(path: Path, campaign_id: str, start: date, end: date) -> pd.DataFrame:
    """One campaign's rows of ``rpt_advantage_plus_placement_split`` for weeks touching the dates.

    Args:
        path: The published marts DuckDB file.
        campaign_id: The Advantage+ campaign.
        start: First report date; its ISO week is included.
        end: Last report date.

    Returns:
        Columns ``WEEKLY_COLUMNS`` as the report has them, by week and largest spend first.
    """
    sql = f"""
        select {", ".join(WEEKLY_COLUMNS)}
        from {summary_table(WEEKS)}
        where campaign_id = $campaign_id
            and week_start_date between date_trunc('week', $start::date) and $end
        order by week_start_date, spend desc, publisher_platform, platform_position
    """
    params = _campaign_params(campaign_id, start, end)
    return query(path, [WEEKS], sql, params, WEEKLY_COLUMNS)


def _share_jumps_sql(columns: dict[str, set[str]]) -> str:
    if "is_latest_week" not in columns[SHARE_CHANGES_TABLE]:  # published before it existed
        return f"select {', '.join(SHARE_JUMP_COLUMNS)} from {SHARE_CHANGES_TABLE} where false"
    return f"""
        select {", ".join(SHARE_JUMP_COLUMNS)}
        from {SHARE_CHANGES_TABLE}
        where platform = 'meta' and is_latest_week
        order by abs(spend_share_change) desc, campaign_id, publisher_platform
    """


def latest_share_jumps(path: Path) -> pd.DataFrame:
    """Meta placements whose share of their campaign's spend jumped in the newest week (the
    mart gate's ``placement_share_jump`` warning), largest move first."""
    return query(path, [SHARE_CHANGES_TABLE], _share_jumps_sql, {}, SHARE_JUMP_COLUMNS)
