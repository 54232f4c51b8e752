"""Scale generator: raw tables in exactly the shapes the connectors land, set-based.

Every registered stream's raw table is created with the loader's own DDL
(``connectors.common.land.ensure_raw_table``); the benchmarked streams are filled by DuckDB
``insert ... select`` over ``range()`` and ``hash(seed, ...)`` (no per-row Python), cast to the
stream spec's column types, with the loader's metadata columns (``_row_hash`` uses the loader's
formula). Meta placement rows get restated versions and tombstones like real pulls; TikTok's
placement report splits each ad-day of its ad report exactly (``bench.tiktok_sql``).

Usage: ``python -m bench.generate --scale small --seed 42 --warehouse var/bench/warehouse.duckdb``
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench import entities, meta_sql, tiktok_sql
from bench.ids import id_sql
from bench.presets import Preset, get_preset
from connectors.common.land import METADATA_COLUMNS, ensure_raw_table, row_hash_sql
from connectors.common.streams import StreamSpec, get_stream, source_streams
from connectors.sources import SOURCE_NAMES
from connectors.tiktok import streams as tiktok_streams
from socialmart import warehouse
from socialmart.settings import load_settings

#: Quoted currencies of the generated ECB file: code, central rate in 1/10000 per EUR.
FX_BASES = (("USD", 10850), ("GBP", 8550), ("JPY", 1580000), ("CHF", 9500))


@dataclass(frozen=True)
class GenerationReport:
    """Rows written per raw table and how long generation took."""

    rows: dict[str, int]
    seconds: float


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Open ``path`` read-write with UTC session time (timestamps are generated in UTC) and
    the DuckDB resource settings of the environment (``DUCKDB_MEMORY_LIMIT``, ...)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    warehouse.apply_resource_settings(con, load_settings())
    con.execute("set TimeZone = 'UTC'")
    return con


def generate(
    warehouse: Path,
    preset: Preset,
    seed: int,
    *,
    day_from: int = 0,
    day_to: int | None = None,
) -> GenerationReport:
    """Write report days ``day_from <= i < day_to`` (default: the whole preset) into raw tables.

    Args:
        warehouse: DuckDB file; created if missing. Existing rows are kept, so a later call
            with the next day appends it (the daily incremental benchmark).
        preset: Sizes.
        seed: Every value is a function of it.
        day_from: First day index (0 = ``preset.first_day``).
        day_to: Day index after the last one.

    Returns:
        Rows inserted per raw table, and the seconds it took.
    """
    day_to = preset.days if day_to is None else day_to
    started = time.perf_counter()
    con = connect(warehouse)
    try:
        for source in SOURCE_NAMES:
            for spec in source_streams(source):
                ensure_raw_table(con, spec)
        writers = (
            ("meta", "ad_insights_placement", _meta_placement_sql),
            ("meta", "ad_insights", _meta_base_sql),
            ("tiktok", "ad_report_daily", _tiktok_ads_sql),
            ("tiktok", "ad_placement_report_daily", _tiktok_placements_sql),
            ("tiktok", "gmv_max_report_daily", _gmv_max_sql),
            ("tiktok_shop", "affiliate_orders", _shop_orders_sql),
            ("threads", "posts", _threads_posts_sql),
            ("threads", "post_insights", _threads_insights_sql),
        )
        rows = {}
        for source, stream, writer in writers:
            spec = get_stream(source, stream)
            rows[spec.raw_table] = _insert(con, spec, writer(preset, seed, day_from, day_to))
        spec = get_stream("fx", "ecb_rates")
        rows[spec.raw_table] = _insert(con, spec, _fx_sql(preset, seed, day_from, day_to))
        if day_from == 0:
            for (source, stream), snapshot in entities.SNAPSHOTS.items():
                spec = get_stream(source, stream)
                rows[spec.raw_table] = _insert(con, spec, snapshot(preset))
    finally:
        con.close()
    return GenerationReport(rows, time.perf_counter() - started)


def _insert(con: duckdb.DuckDBPyConnection, spec: StreamSpec, select: str) -> int:
    """Insert ``select`` (payload columns, ``_pulled_at``, ``_is_deleted``) with metadata.

    Columns are cast to the spec's types by name, so a formula can never change a table's
    shape; ``_sync_id`` is the pull day, ``_row_hash`` the loader's hash of the payload.
    """
    payload = ", ".join(
        f'cast("{name}" as {kind}) as "{name}"' for name, kind in spec.columns.items()
    )
    typed = f"select {payload}, _pulled_at, _is_deleted from ({select})"
    names = [*spec.columns, *METADATA_COLUMNS]
    quoted = ", ".join(f'"{name}"' for name in names)
    columns = ", ".join(f'"{name}"' for name in spec.columns)
    label = spec.source_label.replace("'", "''")
    (count,) = con.execute(
        f"insert into raw.{spec.raw_table} ({quoted}) "
        f"select {columns}, "
        f"'bench-' || strftime(_pulled_at, '%Y%m%d'), _pulled_at, '{label}', "
        f"{row_hash_sql(spec, spec.columns)}, _is_deleted from ({typed})"
    ).fetchone()
    return int(count)


def _report_day(preset: Preset) -> str:
    """The report day of generated row ``d.i`` (days since the preset's first day)."""
    return f"date '{preset.first_day.isoformat()}' + cast(d.i as integer)"


def _pulled(day: str, delay: str) -> str:
    """Pull time: 06:00 UTC ``delay`` days after ``day``."""
    shifted = f"cast({day} + cast({delay} as integer) as timestamp)"
    return f"cast({shifted} + interval 6 hour as timestamptz)"


def _money(cents: str, places: int = 2) -> str:
    """Decimal text of a non-negative integer amount of cents (``1234`` -> ``12.34``)."""
    if places == 2:
        return f"printf('%d.%02d', ({cents}) // 100, ({cents}) % 100)"
    return f"printf('%d.%02d0', ({cents}) // 100, ({cents}) % 100)"


def _action_list(kind: str, link_clicks: str | None) -> str:
    """Meta ``actions`` (``kind='c'``) or ``action_values`` (``'v'``) JSON from typed columns.

    The purchase is reported under ``omni_purchase`` and its alias ``purchase`` (which must
    never be added to it); zero-purchase rows omit both, as the API does.
    """

    def entry(action_type: str) -> str:
        fields = [f"action_type := '{action_type}'"]
        for window in meta_sql.WINDOWS:
            column = f"{kind}_{meta_sql.window_column(window)}"
            value = f"cast({column} as varchar)" if kind == "c" else _money(column)
            fields.append(f'"{window}" := {value}')
        return f"struct_pack({', '.join(fields)})"

    purchases = f"case when c_value > 0 then [{entry('omni_purchase')}, {entry('purchase')}] end"
    if link_clicks is None:
        return f"to_json(coalesce({purchases}, []))"
    clicks = ", ".join(
        ["action_type := 'link_click'"]
        + [f'"{w}" := cast({link_clicks} as varchar)' for w in meta_sql.WINDOWS]
    )
    return f"to_json(list_concat([struct_pack({clicks})], coalesce({purchases}, [])))"


def _meta_identity(prefix: str = "") -> str:
    account = f"{prefix}account_index"
    return f"""
        {id_sql("meta_account", account)} as account_id,
        {meta_sql.account_currency_sql(account)} as account_currency,
        {id_sql("meta_campaign", f"{prefix}campaign_index", account)} as campaign_id,
        'Campaign ' || {prefix}campaign_index as campaign_name,
        {id_sql("meta_adset", f"{prefix}adset_index", account)} as adset_id,
        'Ad set ' || {prefix}adset_index as adset_name,
        {id_sql("meta_ad", f"{prefix}generation", f"{prefix}slot")} as ad_id,
        'Ad ' || {prefix}slot || '.' || {prefix}generation as ad_name,
        {prefix}report_date as date_start"""


def _meta_placement_sql(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    """Versions: first pull (pre-restatement count), restatement, tombstone."""
    metrics = meta_sql.metrics_sql(preset, seed, day_from, day_to)
    first_count = (
        "case when version = 1 and is_restated then purchases - least(purchases, 1) "
        "else purchases end"
    )
    delay = (
        "case version "
        + " ".join(f"when {v} then {d}" for v, d in meta_sql.PULL_DELAY_DAYS.items())
        + " end"
    )
    live = "version < 3"
    return f"""
    with versions as (
        select m.*, v.version, {_pulled("m.report_date", delay)} as _pulled_at
        from ({metrics}) as m
        cross join (values (1), (2), (3)) as v(version)
        where v.version = 1 or (v.version = 2 and m.is_restated)
            or (v.version = 3 and m.is_deleted)
    ),
    counted as (
        select *, {meta_sql.counted_columns_sql(f"({first_count})")}
        from versions
    )
    select
        {_meta_identity()},
        case when {live} then report_date end as date_stop,
        publisher_platform,
        platform_position,
        case when {live} then cast(impressions as varchar) end as impressions,
        case when {live} then cast(clicks as varchar) end as clicks,
        case when {live} then {_money("spend_cents")} end as spend,
        case when {live} then {_action_list("c", "clicks")} end as actions,
        case when {live} then {_action_list("v", None)} end as action_values,
        _pulled_at,
        not ({live}) as _is_deleted
    from counted
    """


def _meta_base_sql(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    """Base report: the placement rows' final versions summed per ad and day."""
    sums = ", ".join(
        f"sum({kind}_{meta_sql.window_column(w)}) as {kind}_{meta_sql.window_column(w)}"
        for kind in ("c", "v")
        for w in meta_sql.WINDOWS
    )
    final = meta_sql.final_rows_sql(preset, seed, day_from, day_to)
    return f"""
    with per_ad as (
        select
            day_index, report_date, account_index, campaign_index, adset_index, slot,
            generation, sum(impressions) as impressions, sum(clicks) as clicks,
            sum(spend_cents) as spend_cents, {sums}
        from ({final})
        group by all
    )
    select
        {_meta_identity()},
        report_date as date_stop,
        cast(impressions as varchar) as impressions,
        cast(clicks as varchar) as clicks,
        {_money("spend_cents")} as spend,
        {_action_list("c", "clicks")} as actions,
        {_action_list("v", None)} as action_values,
        {_pulled("report_date", "4")} as _pulled_at,
        false as _is_deleted
    from per_ad
    """


def _fx_sql(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    """ECB rates on weekdays (every non-EUR account currency is quoted), from ten days
    before the first day (the carry-forward needs a publication before a Monday)."""
    bases = ", ".join(f"('{code}', {base})" for code, base in FX_BASES)
    day = _report_day(preset)
    return f"""
    select
        'ecb' as provider,
        day as "date",
        currency,
        printf('%d.%04d', rate // 10000, rate % 10000) as rate,
        {_pulled("day", "1")} as _pulled_at,
        false as _is_deleted
    from (
        select
            {day} as day,
            b.currency,
            b.base + cast(hash({seed}, 'fx', b.currency, d.i) % 201 as bigint) - 100 as rate
        from range({day_from - 10 if day_from == 0 else day_from}, {day_to}) as d(i)
        cross join (values {bases}) as b(currency, base)
    )
    where isodow(day) <= 5
    """


def _tiktok_metrics(metrics: tuple[str, ...]) -> str:
    """``metrics`` of a TikTok report rendered from :mod:`bench.tiktok_sql`'s integers as the
    API sends them (spend with three decimals, the payment value with two)."""
    rendered = {
        "spend": _money("spend_cents", 3),
        "total_complete_payment_rate": _money("payment_value_cents"),
    }
    return ",\n        ".join(f"{rendered.get(m, f'cast({m} as varchar)')} as {m}" for m in metrics)


def _tiktok_report_sql(rows: str, keys: tuple[str, ...], metrics: tuple[str, ...]) -> str:
    """A manual-ad TikTok report from ``rows``: ``keys``, rendered ``metrics``, the
    automation attribute, pulled the day after the report day."""
    return f"""
    select
        {", ".join(keys)},
        {_tiktok_metrics(metrics)},
        'MANUAL' as campaign_automation_type,
        {_pulled("stat_time_day", "1")} as _pulled_at,
        false as _is_deleted
    from ({rows})
    """


def _tiktok_ads_sql(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    """BASIC report by ad: one row per ad and day."""
    return _tiktok_report_sql(
        tiktok_sql.ad_days_sql(preset, seed, day_from, day_to),
        ("advertiser_id", "ad_id", "stat_time_day"),
        tiktok_streams.AD_METRICS,
    )


def _tiktok_placements_sql(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    """AUDIENCE report by ad and placement: every ad-day of the BASIC report split over its
    placements, adding up to it exactly."""
    return _tiktok_report_sql(
        tiktok_sql.placement_days_sql(preset, seed, day_from, day_to),
        ("advertiser_id", "ad_id", "stat_time_day", "placement"),
        tiktok_streams.PLACEMENT_METRICS,
    )


def _gmv_max_sql(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    day = _report_day(preset)
    advertisers = preset.tiktok_advertisers
    return f"""
    select
        {id_sql("tiktok_advertiser", f"c % {advertisers}")} as advertiser_id,
        {id_sql("tiktok_store", f"c % {advertisers}")} as store_id,
        {id_sql("gmv_max_campaign", "c")} as campaign_id,
        {day} as stat_time_day,
        printf('%d.%02d', cost // 100, cost % 100) as cost,
        printf('%d.%02d', cost * 9 // 1000, cost * 9 // 10 % 100) as net_cost,
        cast(orders as varchar) as orders,
        printf('%d.%02d', cost // greatest(orders, 1) // 100, cost // greatest(orders, 1) % 100)
            as cost_per_order,
        printf('%d.%02d', revenue // 100, revenue % 100) as gross_revenue,
        printf('%.2f', revenue / cost) as roi,
        cast(1000 + (h >> 40) % 90000 as varchar) as product_impressions,
        cast((h >> 20) % 3000 as varchar) as product_clicks,
        {_pulled(day, "1")} as _pulled_at,
        false as _is_deleted
    from range({day_from}, {day_to}) as d(i)
    cross join range({preset.gmv_max_campaigns}) as s(c)
    cross join lateral (select hash({seed}, 'gmv', c, d.i) as h)
    cross join lateral (
        select
            cast(1000 + h % 50000 as bigint) as cost,
            cast((h >> 16) % 40 as bigint) as orders,
            cast(1000 + h % 50000 as bigint) * (2 + cast((h >> 30) % 4 as bigint)) as revenue
    )
    """


def _shop_orders_sql(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    day = _report_day(preset)
    per_day = preset.shop_order_lines_per_day
    return f"""
    select
        'shop_cipher_' || (n % 2) as shop_cipher,
        cast(576000000000000000 + d.i * {per_day} + n as varchar) as order_id,
        cast(1 + (h >> 60) % 2 as integer) as line_number,
        day as create_date,
        epoch(day) + cast(h % 86400 as bigint) as create_time,
        case when (h >> 8) % 10 < 7 then epoch(day) + 3 * 86400 end as delivery_time,
        case when (h >> 8) % 10 < 7 then 'COMPLETED' when (h >> 8) % 10 < 9 then 'AWAITING_SHIPMENT'
            else 'CANCELLED' end as order_status,
        cast(1729000000000000000 + (h >> 12) % 200 as varchar) as product_id,
        cast(1 + (h >> 20) % 3 as integer) as quantity,
        'creator_' || (h >> 24) % 50 as creator_username,
        case when (h >> 30) % 4 = 0 then 'LIVE' else 'VIDEO' end as content_type,
        cast(7300000000000000000 + (h >> 32) % 5000 as varchar) as content_id,
        cast(7200000000000000000 + (h >> 40) % 20 as varchar) as open_collaboration_id,
        null as target_collaboration_id,
        null as campaign_id,
        cast(500 + (h >> 44) % 16 * 100 as varchar) as commission_rate,
        '0' as shop_ads_commission_rate,
        printf('%d.%02d', price // 100, price % 100) as price_amount,
        'USD' as price_currency,
        printf('%d.%02d', price // 100, price % 100) as estimated_commission_base_amount,
        'USD' as estimated_commission_base_currency,
        printf('%d.%02d', price // 10 // 100, price // 10 % 100)
            as estimated_paid_commission_amount,
        'USD' as estimated_paid_commission_currency,
        null as actual_commission_base_amount,
        null as actual_commission_base_currency,
        null as actual_paid_commission_amount,
        null as actual_paid_commission_currency,
        cast(0 as integer) as refunded_quantity,
        cast(0 as integer) as returned_quantity,
        {_pulled("day", "1")} as _pulled_at,
        false as _is_deleted
    from range({day_from}, {day_to}) as d(i)
    cross join range({per_day}) as s(n)
    cross join lateral (
        select hash({seed}, 'shop', d.i, n) as h, {day} as day
    )
    cross join lateral (select cast(999 + (h >> 48) % 9000 as bigint) as price)
    """


def _threads_post_keys(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    day = _report_day(preset)
    return f"""
    select
        cast(17840000000000000 + n % {preset.threads_profiles} as varchar) as profile_id,
        {day} as post_date,
        cast(18000000000000000 + d.i * 1000 + n as varchar) as post_id,
        n,
        hash({seed}, 'threads', d.i, n) as h
    from range({day_from}, {day_to}) as d(i)
    cross join range({preset.threads_posts_per_day}) as s(n)
    """


def _threads_posts_sql(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    return f"""
    select
        profile_id,
        post_date,
        post_id as id,
        'THREADS' as media_product_type,
        case h % 3 when 0 then 'TEXT_POST' when 1 then 'IMAGE' else 'VIDEO' end as media_type,
        'https://www.threads.net/@profile' || (n % {preset.threads_profiles}) || '/post/' || post_id
            as permalink,
        'Generated post ' || post_id as text,
        strftime(cast(post_date as timestamp) + to_seconds(cast(h % 86400 as bigint)),
                 '%Y-%m-%dT%H:%M:%S+0000') as "timestamp",
        'profile' || (n % {preset.threads_profiles}) as username,
        {_pulled("post_date", "1")} as _pulled_at,
        false as _is_deleted
    from ({_threads_post_keys(preset, seed, day_from, day_to)})
    """


def _threads_insights_sql(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    return f"""
    select
        profile_id,
        post_id,
        post_date,
        cast(100 + h % 50000 as bigint) as views,
        cast((h >> 16) % 900 as bigint) as likes,
        cast((h >> 26) % 80 as bigint) as replies,
        cast((h >> 34) % 40 as bigint) as reposts,
        cast((h >> 40) % 20 as bigint) as quotes,
        cast((h >> 46) % 30 as bigint) as shares,
        {_pulled("post_date", "1")} as _pulled_at,
        false as _is_deleted
    from ({_threads_post_keys(preset, seed, day_from, day_to)})
    """


def main(argv: list[str] | None = None) -> None:
    """CLI: generate a preset into a warehouse file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small", help="preset: small or large")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--warehouse", type=Path, required=True)
    args = parser.parse_args(argv)
    report = generate(args.warehouse, get_preset(args.scale), args.seed)
    for table, rows in report.rows.items():
        print(f"raw.{table}: {rows:,} rows")
    print(f"generated in {report.seconds:.1f} s")


if __name__ == "__main__":
    main()
