"""The gate's spec of every published mart (see ``expectations.suites.spec``).

Each spec says what must hold before the mart is published; ``mart_checks`` turns it into
SQL and GX expectations. dbt tests check much of the same at build time; these specs decide
the publish (see docs/operations.md, "dbt tests and the gate").
"""

from __future__ import annotations

from connectors.common.currencies import ISO_4217_CODES
from expectations.suites import fct_placement_performance_daily as placement
from expectations.suites.spec import (
    AccountTotals,
    CurrencyGroup,
    DayCoverage,
    Flag,
    FreshnessSource,
    MartSpec,
    PlatformTotals,
    PublishedVolume,
    Reconciliation,
    Rollup,
    Rule,
    Shares,
    StagingSide,
)

PLATFORMS = ("meta", "tiktok")
# The finding a week-over-week placement share jump raises (warning + webhook alert).
PLACEMENT_SHARE_JUMP = "placement_share_jump"
# Meta's default and windows; TikTok's one setting per ad group is "as_reported".
ATTRIBUTION_WINDOWS = (
    "default",
    "1d_click",
    "7d_click",
    "28d_click",
    "1d_view",
    "1d_ev",
    "as_reported",
)
# Shares stored as decimal(18, 6): a group of n rows may miss 100 % by n x 0.5e-6.
ROUNDED_SHARE_TOLERANCE = 1e-4
AD_PERFORMANCE = "marts.fct_ad_performance_daily"
SMART_PLUS_ADS = "staging.stg_tiktok__smart_plus_ad_report_daily"
SMART_PLUS_PLACEMENTS = "staging.stg_tiktok__smart_plus_ad_placement_report_daily"


def _smart_plus_row(mart: str) -> str:
    """SQL condition: the TikTok row of ``mart`` (schema-qualified) is an Upgraded Smart+
    ad's, i.e. its ad id is one the Smart+ report by ``ad_id_v2`` has for the account."""
    table = mart.rsplit(".", 1)[-1]
    return (
        f"exists (select 1 from {SMART_PLUS_ADS} as smart_plus"
        f" where smart_plus.advertiser_id = {table}.ad_account_id"
        f" and smart_plus.ad_id = {table}.ad_id)"
    )


# Volume against the previous publication, per source (platform) x account x day.
FACT_VOLUME = PublishedVolume(
    by=("platform", "ad_account_id"), date_column="report_date", measure="spend"
)

FCT_PLACEMENT_PERFORMANCE_DAILY = MartSpec(
    dataset=placement.DATASET,
    grain=placement.GRAIN,
    non_negative=("spend", "impressions", "clicks", "purchase_value"),
    currencies=(
        CurrencyGroup("account_currency", placement.ACCOUNT),
        CurrencyGroup("reporting_currency"),
    ),
    known_values={
        "platform": PLATFORMS,
        "publisher_platform": placement.KNOWN_PUBLISHER_PLATFORMS,
    },
    columns=placement.COLUMNS,
    shares=Shares(group_by=(*placement.ACCOUNT, "report_date", "campaign_id"), measure="spend"),
    # Per platform and account (one currency each, checked above): one row per staging row.
    reconciliation=Reconciliation(
        measure="spend",
        by=placement.ACCOUNT,
        date_column="report_date",
        count_rows=True,
        sides=(
            StagingSide(
                relation="staging.stg_meta__ad_insights_placement",
                columns={"platform": "'meta'", "ad_account_id": "ad_account_id"},
                measure="spend",
                date="report_date",
                mart_filter="platform = 'meta'",
                load=("meta", "ad_insights_placement"),
            ),
            StagingSide(
                relation="staging.stg_tiktok__ad_placement_report_daily",
                columns={"platform": "'tiktok'", "ad_account_id": "advertiser_id"},
                measure="spend",
                date="report_date",
                mart_filter=f"platform = 'tiktok' and not {_smart_plus_row(placement.DATASET)}",
                load=("tiktok", "ad_placement_report_daily"),
                requires=(SMART_PLUS_ADS,),
            ),
            # TikTok Upgraded Smart+ ads: their own AUDIENCE report by ad_id_v2.
            StagingSide(
                relation=SMART_PLUS_PLACEMENTS,
                columns={"platform": "'tiktok'", "ad_account_id": "advertiser_id"},
                measure="spend",
                date="report_date",
                mart_filter=f"platform = 'tiktok' and {_smart_plus_row(placement.DATASET)}",
                load=("tiktok", "smart_plus_ad_placement_report_daily"),
                requires=(SMART_PLUS_ADS,),
            ),
        ),
    ),
    freshness_date="report_date",
    freshness=(
        FreshnessSource("meta", "meta", "ad_insights_placement", "platform = 'meta'"),
        FreshnessSource("tiktok", "tiktok", "ad_placement_report_daily", "platform = 'tiktok'"),
    ),
    # Every ad's placement rows add up to its ad-level row, to the cent; GMV Max campaigns
    # (clickless rows) report no placements.
    rollup=Rollup(
        parent=AD_PERFORMANCE,
        by=("platform", "ad_account_id", "ad_id", "report_date"),
        measures=("spend", "impressions", "clicks"),
        parent_filter="not is_clickless",
        label="ad totals",
    ),
    published_volume=FACT_VOLUME,
)

FCT_AD_PERFORMANCE_DAILY = MartSpec(
    dataset=AD_PERFORMANCE,
    grain=("platform", "ad_account_id", "ad_id", "report_date"),
    keys=("campaign_id", "adset_id", "account_currency"),
    non_negative=(
        "spend",
        "impressions",
        "clicks",
        "purchase_value",
        "spend_reporting",
        "purchase_value_reporting",
    ),
    currencies=(
        CurrencyGroup("account_currency", ("platform", "ad_account_id")),
        CurrencyGroup("reporting_currency"),
    ),
    known_values={"platform": PLATFORMS},
    reconciliation=Reconciliation(
        measure="spend",
        by=("platform", "ad_account_id", "report_date"),
        date_column="report_date",
        count_rows=True,
        sides=(
            StagingSide(
                relation="staging.stg_meta__ad_insights",
                columns={
                    "platform": "'meta'",
                    "ad_account_id": "ad_account_id",
                    "report_date": "report_date",
                },
                measure="spend",
                date="report_date",
                mart_filter="platform = 'meta'",
                load=("meta", "ad_insights"),
            ),
            # TikTok auction ads: one mart row per ad report row.
            StagingSide(
                relation="staging.stg_tiktok__ad_report_daily",
                columns={
                    "platform": "'tiktok'",
                    "ad_account_id": "advertiser_id",
                    "report_date": "report_date",
                },
                measure="spend",
                date="report_date",
                mart_filter=(
                    "platform = 'tiktok' and not is_clickless"
                    f" and not {_smart_plus_row(AD_PERFORMANCE)}"
                ),
                load=("tiktok", "ad_report_daily"),
                requires=(SMART_PLUS_ADS,),
            ),
            # TikTok Upgraded Smart+ ads: one mart row per row of their report by ad_id_v2.
            StagingSide(
                relation=SMART_PLUS_ADS,
                columns={
                    "platform": "'tiktok'",
                    "ad_account_id": "advertiser_id",
                    "report_date": "report_date",
                },
                measure="spend",
                date="report_date",
                mart_filter=(
                    "platform = 'tiktok' and not is_clickless"
                    f" and {_smart_plus_row(AD_PERFORMANCE)}"
                ),
                load=("tiktok", "smart_plus_ad_report_daily"),
            ),
            # TikTok GMV Max campaigns: the clickless rows, spend is the gross cost.
            StagingSide(
                relation="staging.stg_tiktok__gmv_max_report_daily",
                columns={
                    "platform": "'tiktok'",
                    "ad_account_id": "advertiser_id",
                    "report_date": "report_date",
                },
                measure="cost",
                date="report_date",
                mart_filter="platform = 'tiktok' and is_clickless",
                load=("tiktok", "gmv_max_report_daily"),
            ),
        ),
    ),
    freshness_date="report_date",
    freshness=(
        FreshnessSource("meta", "meta", "ad_insights", "platform = 'meta'"),
        FreshnessSource("tiktok", "tiktok", "ad_report_daily", "platform = 'tiktok'"),
    ),
    # A day without rows is a hole unless the platform's own totals show it had no spend.
    day_coverage=DayCoverage("report_date", quiet_days_from_totals=True),
    published_volume=FACT_VOLUME,
    # The platforms' own account-level daily totals: a missing object type shows here.
    account_totals=AccountTotals(
        measure="spend",
        account="ad_account_id",
        date_column="report_date",
        platforms=(
            PlatformTotals(
                platform="meta",
                relation="staging.stg_meta__account_insights",
                account="ad_account_id",
                date="report_date",
                measure="spend",
                load=("meta", "account_insights"),
            ),
            # TikTok's advertiser-level BASIC report has every auction ad, Upgraded Smart+ ones
            # included (so a Smart+ pull that goes missing shows here), and leaves GMV Max
            # out, as the ad one does.
            PlatformTotals(
                platform="tiktok",
                relation="staging.stg_tiktok__advertiser_report_daily",
                account="advertiser_id",
                date="report_date",
                measure="spend",
                load=("tiktok", "advertiser_report_daily"),
                mart_filter="not is_clickless",
            ),
        ),
    ),
)

RPT_ADVANTAGE_PLUS_PLACEMENT_SPLIT = MartSpec(
    dataset="marts.rpt_advantage_plus_placement_split",
    grain=("campaign_id", "week_start_date", "publisher_platform", "platform_position"),
    keys=("ad_account_id", "account_currency"),
    non_negative=("spend", "purchase_value", "campaign_spend", "threads_spend_without_opt_in"),
    currencies=(CurrencyGroup("account_currency", ("campaign_id",)),),
    rules=(
        # The Threads spend without opt-in is part of a Threads row's spend, never more.
        Rule(
            "threads_spend_without_opt_in_outside_threads_spend",
            "threads_spend_without_opt_in <= spend and (publisher_platform = 'threads' "
            "or threads_spend_without_opt_in = 0)",
            ("threads_spend_without_opt_in", "spend", "publisher_platform"),
        ),
    ),
    shares=Shares(
        group_by=("campaign_id", "week_start_date"),
        share="spend_share",
        tolerance=ROUNDED_SHARE_TOLERANCE,
    ),
)

RPT_PLACEMENT_SHARE_CHANGES = MartSpec(
    dataset="marts.rpt_placement_share_changes",
    grain=(
        "platform",
        "campaign_id",
        "publisher_platform",
        "platform_position",
        "week_start_date",
    ),
    keys=("ad_account_id", "is_latest_week"),
    non_negative=("spend", "campaign_spend", "previous_spend_share", "spend_share"),
    currencies=(CurrencyGroup("account_currency", ("platform", "campaign_id")),),
    known_values={"platform": PLATFORMS},
    # A placement's share of its campaign jumped in the newest week: shown, alerted, published.
    flags=(
        Flag(
            PLACEMENT_SHARE_JUMP,
            "case when is_latest_week then platform || ' campaign ' || campaign_id || ', '"
            " || publisher_platform || '/' || platform_position || ': '"
            " || round(previous_spend_share * 100, 1) || ' % -> '"
            " || round(spend_share * 100, 1) || ' % of its spend (week of '"
            " || week_start_date || ')' end",
        ),
    ),
)

DIM_AD_ACCOUNTS = MartSpec(
    dataset="marts.dim_ad_accounts",
    grain=("platform", "ad_account_id"),
    keys=("account_currency", "account_timezone"),
    known_values={"platform": PLATFORMS, "account_currency": tuple(sorted(ISO_4217_CODES))},
)

DIM_CAMPAIGNS = MartSpec(
    dataset="marts.dim_campaigns",
    grain=("platform", "campaign_id"),
    keys=("ad_account_id", "is_advantage_plus_campaign"),
    non_negative=("daily_budget_minor_units", "lifetime_budget_minor_units"),
    currencies=(CurrencyGroup("account_currency", ("platform", "ad_account_id")),),
    known_values={"platform": PLATFORMS},
)

DIM_ADS = MartSpec(
    dataset="marts.dim_ads",
    grain=("platform", "ad_id"),
    keys=("ad_account_id", "campaign_id", "adset_id", "is_deleted"),
    known_values={"platform": PLATFORMS},
)

DIM_CREATORS = MartSpec(
    dataset="marts.dim_creators",
    grain=("creator_id",),
    keys=("display_name", "is_registered", "has_activity_data"),
    flags=(
        # An identity found in the data that the registry does not map: add it to the
        # registry (seed creator_registry); the creator is published meanwhile.
        Flag(
            "unregistered_creator",
            "case when not is_registered then coalesce(tiktok_username, instagram_handle,"
            " threads_username, creator_id) end",
        ),
    ),
)

FCT_CREATOR_PERFORMANCE_DAILY = MartSpec(
    dataset="marts.fct_creator_performance_daily",
    grain=("report_date", "creator_id", "currency"),
    keys=("reporting_currency",),
    non_negative=(
        "affiliate_orders",
        "affiliate_gmv",
        "affiliate_commission_estimated",
        "affiliate_commission_actual",
        "paid_spend",
        "paid_spend_meta",
        "paid_spend_tiktok",
        "paid_attributed_revenue",
        "creator_cost",
        "threads_views",
    ),
    currencies=(CurrencyGroup("reporting_currency"),),
    reconciliation=Reconciliation(
        measure="affiliate_gmv",
        by=("currency", "report_date"),
        date_column="report_date",
        sides=(
            # GMV of the non-cancelled order lines, the brand's own handles excluded.
            StagingSide(
                relation="staging.stg_tiktok_shop__affiliate_orders",
                columns={"currency": "currency", "report_date": "order_date"},
                measure="unit_price * (quantity - refunded_quantity)",
                date="order_date",
                where="not is_cancelled and creator_username not in ("
                "select identity_value from intermediate.int_creator_identities_resolved "
                "where is_brand and identity_type = 'tiktok_username')",
                load=("tiktok_shop", "affiliate_orders"),
                requires=("intermediate.int_creator_identities_resolved",),
            ),
        ),
    ),
    freshness_date="report_date",
    freshness=(FreshnessSource("tiktok_shop", "tiktok_shop", "affiliate_orders"),),
)

FCT_CONVERSION_RESTATEMENTS = MartSpec(
    dataset="marts.fct_conversion_restatements",
    grain=("platform", "ad_account_id", "ad_id", "report_date", "attribution_window"),
    keys=("account_currency", "version_count", "first_pulled_at", "latest_pulled_at"),
    non_negative=(
        "first_purchases",
        "latest_purchases",
        "first_purchase_value",
        "latest_purchase_value",
    ),
    currencies=(CurrencyGroup("account_currency", ("platform", "ad_account_id")),),
    known_values={"platform": PLATFORMS, "attribution_window": ATTRIBUTION_WINDOWS},
    rules=(
        Rule(
            "inconsistent_versions",
            "version_count >= 1 and first_pulled_at <= latest_pulled_at",
            ("version_count", "first_pulled_at", "latest_pulled_at"),
        ),
    ),
)

# The marts the gate validates before publish, in order.
MART_SPECS: tuple[MartSpec, ...] = (
    FCT_PLACEMENT_PERFORMANCE_DAILY,
    FCT_AD_PERFORMANCE_DAILY,
    RPT_ADVANTAGE_PLUS_PLACEMENT_SPLIT,
    RPT_PLACEMENT_SHARE_CHANGES,
    DIM_AD_ACCOUNTS,
    DIM_CAMPAIGNS,
    DIM_ADS,
    DIM_CREATORS,
    FCT_CREATOR_PERFORMANCE_DAILY,
    FCT_CONVERSION_RESTATEMENTS,
)
