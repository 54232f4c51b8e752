"""Queries of the Advantage+ placement split page: where Advantage+ budgets went, Threads first.

Daily numbers come from ``fct_placement_performance_daily`` (Advantage+ campaigns, Meta rows
only), weekly numbers and the campaign-level Threads facts (first day Threads received spend,
spend without an opt-in) from ``rpt_advantage_plus_placement_split``. A campaign has one
account currency, so every amount here is in its ``account_currency``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from dashboards.data import MART_TABLE, SELECTION_SQL, Selection, TableColumns, query

SPLIT_TABLE = "rpt_advantage_plus_placement_split"

CAMPAIGN_COLUMNS = [
    "campaign_id",
    "campaign_name",
    "ad_account_id",
    "account_currency",
    "spend",
    "purchase_value",
    "roas",
    "threads_spend",
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
]


def _meta_rows(columns: set[str]) -> str:
    # Once the placement mart carries TikTok rows, Advantage+ is Meta's alone.
    return "platform = 'meta'" if "platform" in columns else "true"


def campaigns(path: Path, selection: Selection) -> pd.DataFrame:
    """Every Advantage+ campaign with spend in the selection, Threads-without-opt-in first.

    Args:
        path: The published marts DuckDB file.
        selection: Dates and accounts (the platform filter is the page's business).

    Returns:
        Columns ``CAMPAIGN_COLUMNS``: spend, revenue, ROAS and Threads spend and share in the
        selection; ``threads_first_spend_date`` and ``threads_without_opt_in`` over the whole
        loaded history. Ordered by ``threads_without_opt_in``, Threads spend, then name.
    """

    def build(present: TableColumns) -> str:
        return f"""
            with by_campaign as (
                select
                    campaign_id,
                    ad_account_id,
                    account_currency,
                    max(campaign_name) as campaign_name,
                    sum(spend) as spend,
                    sum(purchase_value) as purchase_value,
                    coalesce(sum(spend) filter (where publisher_platform = 'threads'), 0)
                        as threads_spend
                from {MART_TABLE}
                where is_advantage_plus_campaign
                    and {_meta_rows(present[MART_TABLE])}
                    and {SELECTION_SQL}
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

    return query(path, [MART_TABLE, SPLIT_TABLE], build, selection.params(), CAMPAIGN_COLUMNS)


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

    def build(present: TableColumns) -> str:
        return f"""
            select
                report_date,
                publisher_platform,
                sum(spend) as spend,
                (sum(spend) / nullif(sum(sum(spend)) over (partition by report_date), 0))
                    ::double as spend_share
            from {MART_TABLE}
            where campaign_id = $campaign_id
                and {_meta_rows(present[MART_TABLE])}
                and report_date between $start and $end
            group by report_date, publisher_platform
            order by report_date, publisher_platform
        """

    params = _campaign_params(campaign_id, start, end)
    return query(path, [MART_TABLE], build, params, DAILY_SHARE_COLUMNS)


def placements(path: Path, campaign_id: str, start: date, end: date) -> pd.DataFrame:
    """One campaign's spend, revenue and ROAS per placement over the dates.

    Args:
        path: The published marts DuckDB file.
        campaign_id: The Advantage+ campaign.
        start: First report date (inclusive).
        end: Last report date (inclusive).

    Returns:
        Columns ``PLACEMENT_COLUMNS``, largest spend first; ``roas`` is revenue / spend
        (None without spend).
    """

    def build(present: TableColumns) -> str:
        return f"""
            with by_placement as (
                select
                    publisher_platform,
                    platform_position,
                    sum(spend) as spend,
                    sum(purchases) as purchases,
                    sum(purchase_value) as purchase_value
                from {MART_TABLE}
                where campaign_id = $campaign_id
                    and {_meta_rows(present[MART_TABLE])}
                    and report_date between $start and $end
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

    params = _campaign_params(campaign_id, start, end)
    return query(path, [MART_TABLE], build, params, PLACEMENT_COLUMNS)


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
        from {SPLIT_TABLE}
        where campaign_id = $campaign_id
            and week_start_date between date_trunc('week', $start::date) and $end
        order by week_start_date, spend desc, publisher_platform, platform_position
    """
    params = _campaign_params(campaign_id, start, end)
    return query(path, [SPLIT_TABLE], sql, params, WEEKLY_COLUMNS)
