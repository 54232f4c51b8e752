"""The gate's GX spec of every published mart (see ``expectations.suites.spec``).

Each mart's contract (columns, grain, keys, amounts, currencies, row rules, enumerations)
lives in its dbt YAML and is tested by the build (the placement rows' sum against the ad
totals too: dbt_project/tests/marts); these specs add what Great Expectations checks before
the publish (shares, per-row findings, freshness, reconciliation with staging,
completeness); ``mart_checks`` turns them into SQL and GX expectations. The gate decides from
both (see docs/operations.md, "dbt tests and the gate").
"""

from __future__ import annotations

from connectors.common.currencies import ISO_4217_CODES
from expectations.suites.spec import (
    AccountTotals,
    DayCoverage,
    Flag,
    FreshnessSource,
    MartSpec,
    PlatformTotals,
    PublishedRows,
    PublishedVolume,
    Reconciliation,
    Shares,
    StagingSide,
)

# The finding a week-over-week placement share jump raises (warning + webhook alert).
PLACEMENT_SHARE_JUMP = "placement_share_jump"
# Shares stored as decimal(18, 6): a group of n rows may miss 100 % by n x 0.5e-6.
ROUNDED_SHARE_TOLERANCE = 1e-4
AD_PERFORMANCE = "marts.fct_ad_performance_daily"
PLACEMENT_PERFORMANCE = "marts.fct_placement_performance_daily"
# Rows of one ad account: the platform and its account id.
ACCOUNT = ("platform", "ad_account_id")
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


# A platform's ad account id column in its staging models.
_ACCOUNT_ID = {"meta": "ad_account_id", "tiktok": "advertiser_id"}


def _platform_side(
    platform: str,
    stream: str,
    mart_filter: str,
    *,
    by_day: bool = False,
    measure: str = "spend",
    requires: tuple[str, ...] = (),
    holds_every_day: bool = True,
) -> StagingSide:
    """The staging side of one platform stream (``staging.stg_<platform>__<stream>``) in a
    fact reconciled per platform and ad account (and day, with ``by_day``)."""
    columns = {"platform": f"'{platform}'", "ad_account_id": _ACCOUNT_ID[platform]}
    if by_day:
        columns["report_date"] = "report_date"
    return StagingSide(
        relation=f"staging.stg_{platform}__{stream}",
        columns=columns,
        measure=measure,
        date="report_date",
        mart_filter=mart_filter,
        load=(platform, stream),
        requires=requires,
        holds_every_day=holds_every_day,
    )


def _platform_totals(platform: str, stream: str, mart_filter: str = "true") -> PlatformTotals:
    """A platform's own account-level daily spend (``staging.stg_<platform>__<stream>``)."""
    return PlatformTotals(
        platform=platform,
        relation=f"staging.stg_{platform}__{stream}",
        account=_ACCOUNT_ID[platform],
        date="report_date",
        measure="spend",
        load=(platform, stream),
        mart_filter=mart_filter,
    )


# Dimensions keep deleted entities and restatements are rebuilt from every version: their
# rows per platform only grow from one publication to the next.
PLATFORM_ROWS = PublishedRows(by=("platform",))
# Volume against the previous publication, per source (platform) x account x day.
FACT_VOLUME = PublishedVolume(
    by=("platform", "ad_account_id"), date_column="report_date", measure="spend"
)

FCT_PLACEMENT_PERFORMANCE_DAILY = MartSpec(
    dataset=PLACEMENT_PERFORMANCE,
    shares=Shares(group_by=(*ACCOUNT, "report_date", "campaign_id"), measure="spend"),
    # Per platform and account (one currency each, checked above): one row per staging row.
    reconciliation=Reconciliation(
        measure="spend",
        by=ACCOUNT,
        date_column="report_date",
        count_rows=True,
        sides=(
            # Meta's placement staging holds only the days incremental runs re-derive.
            _platform_side(
                "meta", "ad_insights_placement", "platform = 'meta'", holds_every_day=False
            ),
            _platform_side(
                "tiktok",
                "ad_placement_report_daily",
                f"platform = 'tiktok' and not {_smart_plus_row(PLACEMENT_PERFORMANCE)}",
                requires=(SMART_PLUS_ADS,),
            ),
            # TikTok Upgraded Smart+ ads: their own AUDIENCE report by ad_id_v2.
            _platform_side(
                "tiktok",
                "smart_plus_ad_placement_report_daily",
                f"platform = 'tiktok' and {_smart_plus_row(PLACEMENT_PERFORMANCE)}",
                requires=(SMART_PLUS_ADS,),
            ),
        ),
    ),
    freshness_date="report_date",
    freshness=(
        FreshnessSource("meta", "meta", "ad_insights_placement", "platform = 'meta'"),
        FreshnessSource("tiktok", "tiktok", "ad_placement_report_daily", "platform = 'tiktok'"),
    ),
    published_volume=FACT_VOLUME,
)

FCT_AD_PERFORMANCE_DAILY = MartSpec(
    dataset=AD_PERFORMANCE,
    reconciliation=Reconciliation(
        measure="spend",
        by=("platform", "ad_account_id", "report_date"),
        date_column="report_date",
        count_rows=True,
        sides=(
            _platform_side("meta", "ad_insights", "platform = 'meta'", by_day=True),
            # TikTok auction ads: one mart row per ad report row.
            _platform_side(
                "tiktok",
                "ad_report_daily",
                "platform = 'tiktok' and not is_clickless"
                f" and not {_smart_plus_row(AD_PERFORMANCE)}",
                by_day=True,
                requires=(SMART_PLUS_ADS,),
            ),
            # TikTok Upgraded Smart+ ads: one mart row per row of their report by ad_id_v2.
            _platform_side(
                "tiktok",
                "smart_plus_ad_report_daily",
                f"platform = 'tiktok' and not is_clickless and {_smart_plus_row(AD_PERFORMANCE)}",
                by_day=True,
            ),
            # TikTok GMV Max campaigns: the clickless rows, spend is the gross cost.
            _platform_side(
                "tiktok",
                "gmv_max_report_daily",
                "platform = 'tiktok' and is_clickless",
                by_day=True,
                measure="cost",
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
            _platform_totals("meta", "account_insights"),
            # TikTok's advertiser-level BASIC report has every auction ad, Upgraded Smart+ ones
            # included (so a Smart+ pull that goes missing shows here), and leaves GMV Max
            # out, as the ad one does.
            _platform_totals("tiktok", "advertiser_report_daily", mart_filter="not is_clickless"),
        ),
    ),
)

RPT_ADVANTAGE_PLUS_PLACEMENT_SPLIT = MartSpec(
    dataset="marts.rpt_advantage_plus_placement_split",
    shares=Shares(
        group_by=("campaign_id", "week_start_date"),
        share="spend_share",
        tolerance=ROUNDED_SHARE_TOLERANCE,
    ),
)

RPT_PLACEMENT_SHARE_CHANGES = MartSpec(
    dataset="marts.rpt_placement_share_changes",
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
    # The ISO 4217 list is declared once, in Python (connectors.common.currencies).
    known_values={"account_currency": tuple(sorted(ISO_4217_CODES))},
    published_rows=PLATFORM_ROWS,
)

DIM_CAMPAIGNS = MartSpec(dataset="marts.dim_campaigns", published_rows=PLATFORM_ROWS)

DIM_ADS = MartSpec(dataset="marts.dim_ads", published_rows=PLATFORM_ROWS)

DIM_CREATORS = MartSpec(
    dataset="marts.dim_creators",
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
    dataset="marts.fct_conversion_restatements", published_rows=PLATFORM_ROWS
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
