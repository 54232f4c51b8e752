"""The floor: the marts computed by hand-written DuckDB SQL straight from the raw tables.

Same rules as the dbt models (latest non-deleted version per key, the one purchase action
type, FX carried forward at most ``carry_days``, exact per-row conversion rounded half away
from zero), shaped for a small machine (2 threads, a few GB of memory):

* versions: the rows that are not a live latest version (tombstones and older versions, a
  small share of the table) are listed by ``rowid`` from the key columns alone, ranking only
  the keys whose hash repeats; the raw table is then streamed once through an anti-join on
  those rowids, so the wide JSON columns are never sorted or spilled;
* FX: a small table of micro-rates per day and account currency (ECB rates carried forward
  over a calendar, EUR always 1), joined to the rows by equality.

The placement floor computes every row and column of the mart: Meta's rows from the raw
placement insights, TikTok's from the two raw AUDIENCE reports (auction ads by ``ad_id``,
Upgraded Smart+ ads by ``ad_id_v2``). The small lookups beside them (at most tens of
thousands of rows: the Meta ad sets' automation settings over time, the TikTok ads with
their ad groups and campaigns, the advertisers' currencies, the placement map and the ad
groups' placement modes over time) are read from dbt's own views (``LOOKUPS``) instead of
rewriting their version logic; a view is computed when read, so the floor pays for them.

``FLOORS`` maps each mart that has a floor to its builder, ``COVERS`` to the mart rows it
computes (the placement floor: all of them); marts without a floor are reported as such
by the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb

SCHEMA = "bench_floor"
WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view", "1d_ev")
_PLACEMENTS = "raw.meta__ad_insights_placement"
_VERSION_KEY = "account_id, ad_id, date_start, publisher_platform, platform_position"
#: TikTok's AUDIENCE reports by placement: raw table -> (its ad id column, whether its ads
#: are Upgraded Smart+ ads).
_TIKTOK_PLACEMENTS = {
    "raw.tiktok__ad_placement_report_daily": ("ad_id", False),
    "raw.tiktok__smart_plus_ad_placement_report_daily": ("ad_id_v2", True),
}
#: dbt's views the floor reads its small lookups from (see the module docstring).
LOOKUPS = {
    "meta_automation": "intermediate.int_meta__adset_automation_versions",
    "tiktok_ads": "intermediate.int_tiktok__ads_joined",
    "tiktok_advertisers": "staging.stg_tiktok__advertisers",
    "tiktok_placements": "intermediate.int_tiktok__placements",
    "tiktok_placement_modes": "intermediate.int_tiktok__adgroup_placement_mode_versions",
}
_ACTION_TYPE = (
    '[{"action_type": "VARCHAR", "value": "VARCHAR"'
    + "".join(f', "{w}": "VARCHAR"' for w in WINDOWS)
    + "}]"
)


def _purchase(column: str, action_type: str) -> str:
    return (
        f"list_filter(from_json({column}, '{_ACTION_TYPE}'), "
        f"a -> a.action_type = '{action_type}')[1]"
    )


def _amount(action: str, field: str) -> str:
    return f'coalesce(cast({action}."{field}" as decimal(18, 2)), 0)'


def _convert(amount: str) -> str:
    """Exact conversion with micro-rates: round(|a| * to / from, 2) half away from zero.

    In BIGINT when the cents are at most the day's ``bigint_cents_limit`` (no overflow is then
    possible), else in HUGEINT, which is about ten times slower.
    """

    def rounded(integer: str) -> str:
        cents = f"cast(abs({amount}) * 100 as {integer})"
        sign = f"(case when {amount} < 0 then -1 else 1 end)"
        quotient = f"(2 * {cents} * to_micro + from_micro) // (2 * from_micro)"
        return f"cast({sign} * {quotient} * 0.01 as decimal(18, 2))"

    return (
        f"case when cast(abs({amount}) * 100 as bigint) <= bigint_cents_limit "
        f"then {rounded('bigint')} else {rounded('hugeint')} end"
    )


def _days_from(since: date | None, day_column: str = "date_start") -> str:
    """Condition on raw report rows: report days from ``since`` on (all when None)."""
    return f"{day_column} >= date '{since.isoformat()}'" if since else "true"


def _fx_micro_select(reporting_currency: str, carry_days: int) -> str:
    """Per calendar day and currency: units per EUR x 10^6 of it and of the reporting currency,
    and the largest cents whose conversion cannot overflow BIGINT (see :func:`_convert`).

    The calendar runs from the first ECB publication to ``carry_days`` after the last; a rate
    is carried forward at most ``carry_days``; EUR is 1 on every calendar day.
    """
    return f"""
    with rates as (
        select currency, "date" as published_date, cast(rate as decimal(18, 6)) as rate_per_eur
        from raw.fx__ecb_rates
        qualify row_number() over (
            partition by provider, "date", currency order by _pulled_at desc, _sync_id desc
        ) = 1 and not _is_deleted
    ),
    calendar as (
        select cast(unnest(generate_series(
            min(published_date), max(published_date) + {carry_days}, interval 1 day
        )) as date) as rate_date
        from rates
        having count(*) > 0
    ),
    currencies as (
        select distinct currency from rates where currency != 'EUR'
    ),
    per_eur as (
        select calendar.rate_date, currencies.currency, rates.rate_per_eur
        from calendar
        cross join currencies
        asof join rates
            on rates.currency = currencies.currency
            and calendar.rate_date >= rates.published_date
        where calendar.rate_date - rates.published_date <= {carry_days}
        union all
        select rate_date, 'EUR', 1 from calendar
    )
    select
        from_rates.rate_date,
        from_rates.currency,
        cast(from_rates.rate_per_eur * 1000000 as bigint) as from_micro,
        cast(to_rates.rate_per_eur * 1000000 as bigint) as to_micro,
        (9223372036854775807 - from_micro) // (2 * to_micro) as bigint_cents_limit
    from per_eur as from_rates
    inner join per_eur as to_rates
        on to_rates.rate_date = from_rates.rate_date
        and to_rates.currency = '{reporting_currency}'
    """


def _superseded_select(table: str, key: str, day_column: str, since: date | None) -> str:
    """Rowids of ``table``'s rows that are not their key's live latest version: tombstones,
    and older versions. Only keys whose hash repeats can have older versions, so only their
    rows (a small share) are ranked, on the exact key.
    """
    days = _days_from(since, day_column)
    return f"""
    with repeated_keys as (
        select hash({key}) as key_hash
        from {table}
        where {days}
        group by key_hash
        having count(*) > 1
    )
    select rowid as superseded_rowid
    from {table}
    semi join repeated_keys on repeated_keys.key_hash = hash({key})
    where {days}
    qualify row_number() over (
        partition by {key} order by _pulled_at desc, _sync_id desc
    ) > 1
    union all
    select rowid
    from {table}
    where _is_deleted is distinct from false
    and {days}
    """


def _in_effect(day: str, versions: str) -> str:
    """``day`` lies in the validity period of ``versions`` (null bounds are open)."""
    return (
        f"coalesce({versions}.valid_from_date, date '0001-01-01') <= {day} "
        f"and {day} < coalesce({versions}.valid_to_date, date '9999-12-31')"
    )


def _meta_rows(purchase_type: str, since: date | None) -> str:
    """Meta's rows: latest live raw placement insights with the purchase action's amounts
    and the ad set's automation settings in effect on the day."""
    windows = "".join(
        f",\n        {_amount('purchase_action', w)} as purchases_{w}"
        f",\n        {_amount('purchase_value_action', w)} as purchase_value_{w}"
        for w in WINDOWS
    )
    superseded = _superseded_select(_PLACEMENTS, _VERSION_KEY, "date_start", since)
    return f"""
    with superseded as ({superseded}),
    latest as (
        select
            placements.*,
            {_purchase("actions", purchase_type)} as purchase_action,
            {_purchase("action_values", purchase_type)} as purchase_value_action
        from {_PLACEMENTS} as placements
        anti join superseded on superseded.superseded_rowid = placements.rowid
        where {_days_from(since)}
    )
    select
        'meta' as platform,
        latest.date_start as report_date,
        latest.account_id as ad_account_id,
        latest.account_currency,
        latest.campaign_id,
        latest.campaign_name,
        latest.adset_id,
        latest.adset_name,
        latest.ad_id,
        latest.ad_name,
        latest.publisher_platform,
        latest.platform_position,
        cast(latest.spend as decimal(18, 2)) as spend,
        cast(latest.impressions as bigint) as impressions,
        cast(latest.clicks as bigint) as clicks,
        {_amount("purchase_action", "value")} as purchases,
        {_amount("purchase_value_action", "value")} as purchase_value{windows},
        automation.is_advantage_plus_campaign,
        automation.placement_mode,
        automation.threads_inclusion
    from latest
    left join {LOOKUPS["meta_automation"]} as automation
        on automation.adset_id = latest.adset_id
        and {_in_effect("latest.date_start", "automation")}
    """


def _tiktok_metric(field: str, sql_type: str) -> str:
    """A TikTok report field (a string; "-" or empty for no value) as ``sql_type``."""
    return f"cast(nullif(nullif(trim({field}), '-'), '') as {sql_type})"


def _tiktok_rows(since: date | None) -> str:
    """TikTok's rows: the latest live rows of both AUDIENCE reports (the auction report's
    Upgraded Smart+ creatives left out), with their ad's names and ids, the placement
    mapped, the advertiser's currency and the ad group's placement mode on the day."""
    reports = []
    for table, (ad_id_column, smart_plus) in _TIKTOK_PLACEMENTS.items():
        key = f"advertiser_id, {ad_id_column}, stat_time_day, placement"
        creatives = (
            ""
            if smart_plus
            else "and coalesce(report.campaign_automation_type, '') "
            "<> 'UPGRADED_SMART_PLUS_CREATIVE'"
        )
        reports.append(f"""
        select
            report.advertiser_id,
            report.{ad_id_column} as ad_id,
            {smart_plus} as is_smart_plus_ad,
            report.stat_time_day as report_date,
            report.placement,
            {_tiktok_metric("report.spend", "decimal(18, 2)")} as spend,
            {_tiktok_metric("report.impressions", "bigint")} as impressions,
            {_tiktok_metric("report.clicks", "bigint")} as clicks,
            {_tiktok_metric("report.complete_payment", "decimal(18, 2)")} as purchases,
            {_tiktok_metric("report.total_complete_payment_rate", "decimal(18, 2)")}
                as purchase_value
        from {table} as report
        anti join ({_superseded_select(table, key, "stat_time_day", since)}) as superseded
            on superseded.superseded_rowid = report.rowid
        where {_days_from(since, "report.stat_time_day")} {creatives}""")
    no_windows = "".join(
        f",\n        cast(null as decimal(18, 2)) as {measure}_{w}"
        for w in WINDOWS
        for measure in ("purchases", "purchase_value")
    )
    return f"""
    with report_rows as ({" union all ".join(reports)})
    select
        'tiktok' as platform,
        report_rows.report_date,
        report_rows.advertiser_id as ad_account_id,
        advertisers.account_currency,
        ads.campaign_id,
        ads.campaign_name,
        ads.adgroup_id as adset_id,
        ads.adgroup_name as adset_name,
        report_rows.ad_id,
        ads.ad_name,
        coalesce(placements.publisher_platform, report_rows.placement) as publisher_platform,
        coalesce(placements.platform_position, 'all') as platform_position,
        report_rows.spend,
        report_rows.impressions,
        report_rows.clicks,
        report_rows.purchases,
        report_rows.purchase_value{no_windows},
        false as is_advantage_plus_campaign,
        modes.placement_mode,
        cast(null as varchar) as threads_inclusion
    from report_rows
    left join {LOOKUPS["tiktok_ads"]} as ads
        on ads.advertiser_id = report_rows.advertiser_id
        and ads.ad_id = report_rows.ad_id
        and ads.is_smart_plus_ad = report_rows.is_smart_plus_ad
    left join {LOOKUPS["tiktok_placements"]} as placements
        on placements.placement = report_rows.placement
    left join {LOOKUPS["tiktok_advertisers"]} as advertisers
        on advertisers.advertiser_id = report_rows.advertiser_id
    left join {LOOKUPS["tiktok_placement_modes"]} as modes
        on modes.advertiser_id = report_rows.advertiser_id
        and modes.adgroup_id = ads.adgroup_id
        and {_in_effect("report_rows.report_date", "modes")}
    """


def placement_select(
    reporting_currency: str, carry_days: int, purchase_type: str, since: date | None = None
) -> str:
    """SELECT of ``fct_placement_performance_daily``'s rows (days from ``since`` when
    given): every column, Meta's rows and TikTok's, money converted per row."""
    windows = "".join(
        f",\n        rows.purchases_{w},\n        rows.purchase_value_{w}" for w in WINDOWS
    )
    return f"""
    with fx_micro as ({_fx_micro_select(reporting_currency, carry_days)}),
    rows as (
        select * from ({_meta_rows(purchase_type, since)})
        union all by name
        select * from ({_tiktok_rows(since)})
    )
    select
        rows.platform,
        rows.report_date,
        rows.ad_account_id,
        rows.account_currency,
        rows.campaign_id,
        rows.campaign_name,
        rows.adset_id,
        rows.adset_name,
        rows.ad_id,
        rows.ad_name,
        rows.publisher_platform,
        rows.platform_position,
        rows.spend,
        rows.impressions,
        rows.clicks,
        rows.purchases,
        rows.purchase_value{windows},
        '{reporting_currency}' as reporting_currency,
        {_convert("rows.spend")} as spend_reporting,
        {_convert("rows.purchase_value")} as purchase_value_reporting,
        rows.is_advantage_plus_campaign,
        rows.placement_mode,
        rows.threads_inclusion
    from rows
    left join fx_micro
        on fx_micro.rate_date = rows.report_date
        and fx_micro.currency = rows.account_currency
    """


def build_placement(
    con: duckdb.DuckDBPyConnection, reporting_currency: str, carry_days: int, purchase_type: str
) -> None:
    """(Re)build ``bench_floor.fct_placement_performance_daily`` from the raw tables."""
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(
        f"create or replace table {SCHEMA}.fct_placement_performance_daily as "
        + placement_select(reporting_currency, carry_days, purchase_type)
    )


def refresh_placement_since(
    con: duckdb.DuckDBPyConnection,
    since: date,
    reporting_currency: str,
    carry_days: int,
    purchase_type: str,
) -> None:
    """Incremental floor: replace the days from ``since`` on (the new day plus lookback)."""
    con.begin()
    con.execute(
        f"delete from {SCHEMA}.fct_placement_performance_daily where report_date >= $since",
        {"since": since},
    )
    con.execute(
        f"insert into {SCHEMA}.fct_placement_performance_daily "
        + placement_select(reporting_currency, carry_days, purchase_type, since)
    )
    con.commit()


#: Marts that have a hand-written floor -> builder(con, reporting_currency, carry, purchase).
FLOORS: dict[str, Callable[[duckdb.DuckDBPyConnection, str, int, str], None]] = {
    "fct_placement_performance_daily": build_placement,
}
#: The rows of each mart in ``FLOORS`` that its floor computes (a SQL condition on the mart).
COVERS: dict[str, str] = {"fct_placement_performance_daily": "true"}
