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

``FLOORS`` maps each mart that has a floor to its builder, ``COVERS`` to the mart rows it
computes (the placement floor: Meta's; the TikTok rows are checked against the generator's
truth instead, :func:`bench.reconcile.tiktok_placement_truth_mismatches`); marts without a
floor are reported as such by the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb

SCHEMA = "bench_floor"
WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view")
_PLACEMENTS = "raw.meta__ad_insights_placement"
_VERSION_KEY = "account_id, ad_id, date_start, publisher_platform, platform_position"
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


def _days_from(since: date | None) -> str:
    """Condition on raw placement rows: report days from ``since`` on (all when None)."""
    return f"date_start >= date '{since.isoformat()}'" if since else "true"


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


def _superseded_select(since: date | None) -> str:
    """Rowids of raw placement rows that are not their key's live latest version: tombstones,
    and older versions. Only keys whose hash repeats can have older versions, so only their
    rows (a small share) are ranked, on the exact key.
    """
    key_hash = f"hash({_VERSION_KEY})"
    return f"""
    with repeated_keys as (
        select {key_hash} as key_hash
        from {_PLACEMENTS}
        where {_days_from(since)}
        group by key_hash
        having count(*) > 1
    )
    select rowid as superseded_rowid
    from {_PLACEMENTS}
    semi join repeated_keys on repeated_keys.key_hash = {key_hash}
    where {_days_from(since)}
    qualify row_number() over (
        partition by {_VERSION_KEY} order by _pulled_at desc, _sync_id desc
    ) > 1
    union all
    select rowid
    from {_PLACEMENTS}
    where _is_deleted is distinct from false
    and {_days_from(since)}
    """


def placement_select(
    reporting_currency: str, carry_days: int, purchase_type: str, since: date | None = None
) -> str:
    """SELECT of ``fct_placement_performance_daily``'s Meta rows (days from ``since`` when
    given)."""
    windows = "".join(
        f",\n        {_amount('purchase_action', w)} as purchases_{w}"
        f",\n        {_amount('purchase_value_action', w)} as purchase_value_{w}"
        for w in WINDOWS
    )
    return f"""
    with superseded as ({_superseded_select(since)}),
    fx_micro as ({_fx_micro_select(reporting_currency, carry_days)}),
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
    from latest
    left join fx_micro
        on fx_micro.rate_date = latest.date_start
        and fx_micro.currency = latest.account_currency
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
COVERS: dict[str, str] = {"fct_placement_performance_daily": "platform = 'meta'"}
