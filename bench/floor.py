"""The floor: the marts computed by hand-written DuckDB SQL straight from the raw tables.

Same rules as the dbt models (latest non-deleted version per key, the one purchase action
type, FX carried forward at most ``carry_days``, exact per-row conversion rounded half away
from zero), written the shortest way DuckDB runs them: QUALIFY for versions, an ASOF join
for the carried-forward rate. ``FLOORS`` maps each mart that has a floor to its builder;
marts without one are reported as such by the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb

SCHEMA = "bench_floor"
WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view")
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
    """Exact conversion with micro-rates: round(|a| * to / from, 2) half away from zero."""
    cents = f"cast(abs({amount}) * 100 as hugeint)"
    to_micro = "cast(to_per_eur * 1000000 as hugeint)"
    from_micro = "cast(from_per_eur * 1000000 as hugeint)"
    sign = f"(case when {amount} < 0 then -1 else 1 end)"
    return (
        f"cast({sign} * ((2 * {cents} * {to_micro} + {from_micro}) "
        f"// (2 * {from_micro})) * 0.01 as decimal(18, 2))"
    )


def placement_select(
    reporting_currency: str, carry_days: int, purchase_type: str, since: date | None = None
) -> str:
    """SELECT of ``fct_placement_performance_daily`` (days from ``since`` when given)."""
    since_filter = f"where date_start >= date '{since.isoformat()}'" if since else ""
    windows = "".join(
        f",\n        {_amount('purchase_action', w)} as purchases_{w}"
        f",\n        {_amount('purchase_value_action', w)} as purchase_value_{w}"
        for w in WINDOWS
    )
    rate = "case when rate_date - {alias}.published_date <= {carry} then {alias}.rate_per_eur end"
    return f"""
    with rates as (
        select currency, "date" as published_date, cast(rate as decimal(18, 6)) as rate_per_eur
        from raw.fx__ecb_rates
        qualify row_number() over (
            partition by provider, "date", currency order by _pulled_at desc, _sync_id desc
        ) = 1 and not _is_deleted
    ),
    bounds as (
        select min(published_date) as lo, max(published_date) + {carry_days} as hi from rates
    ),
    latest as (
        select *
        from raw.meta__ad_insights_placement
        {since_filter}
        qualify row_number() over (
            partition by account_id, ad_id, date_start, publisher_platform, platform_position
            order by _pulled_at desc, _sync_id desc
        ) = 1 and not _is_deleted
    ),
    parsed as (
        select
            latest.*,
            date_start as rate_date,
            {_purchase("actions", purchase_type)} as purchase_action,
            {_purchase("action_values", purchase_type)} as purchase_value_action
        from latest
    ),
    with_rates as (
        select
            parsed.*,
            case
                when rate_date not between bounds.lo and bounds.hi then null
                when account_currency = 'EUR' then 1
                else {rate.format(alias="f", carry=carry_days)}
            end as from_per_eur,
            case
                when rate_date not between bounds.lo and bounds.hi then null
                when '{reporting_currency}' = 'EUR' then 1
                else {rate.format(alias="t", carry=carry_days)}
            end as to_per_eur
        from parsed
        cross join bounds
        asof left join rates as f
            on f.currency = parsed.account_currency and parsed.rate_date >= f.published_date
        asof left join rates as t
            on t.currency = '{reporting_currency}' and parsed.rate_date >= t.published_date
    )
    select
        date_start as report_date,
        account_id as ad_account_id,
        account_currency,
        campaign_id,
        campaign_name,
        adset_id,
        adset_name,
        ad_id,
        ad_name,
        publisher_platform,
        platform_position,
        cast(spend as decimal(18, 2)) as spend,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        {_amount("purchase_action", "value")} as purchases,
        {_amount("purchase_value_action", "value")} as purchase_value{windows},
        '{reporting_currency}' as reporting_currency,
        {_convert("cast(spend as decimal(18, 2))")} as spend_reporting,
        {_convert(_amount("purchase_value_action", "value"))} as purchase_value_reporting
    from with_rates
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
