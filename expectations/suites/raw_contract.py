"""Contract suites for every raw table, built from its stream spec (``connectors/*/streams.py``).

Each validation is a GX suite run on a pandas frame read set-based from DuckDB (GX's SQL
datasource cannot resolve metrics on DuckDB):

* ``raw.columns``: every raw table has each declared payload and load-metadata column with its
  declared type (read from DuckDB's catalog, since pandas dtypes lose DuckDB types).
* ``raw.<table>``, one per stream: the rows the latest load of each account wrote
  (``_sync_id`` = that load's run id, tombstones excluded). Only those rows are read, so large
  tables stay cheap and versions validated before are not judged again. Keys not null, dates
  inside the load's requested window, numeric strings parse as non-negative numbers, currency
  codes in ISO 4217; an unknown enum value (a new placement) only warns.
* ``raw.volume``: each stream and account's latest load saw at least ``min_ratio`` of the rows
  its previous load over a window of the same length saw (warning).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd

from connectors.common.land import METADATA_COLUMNS, RAW_SCHEMA
from connectors.common.streams import StreamSpec, source_streams
from connectors.sources import SOURCE_NAMES
from expectations.currencies import ISO_4217_CODES

ERROR = {"severity": "error"}
WARNING = {"severity": "warning"}

# A number the platforms send as text: digits with an optional fraction; "-" means "no value"
# (staging turns it into null). Signs, exponents and thousands separators are contract breaks.
NON_NEGATIVE_NUMBER = r"^(?:\d+(?:\.\d+)?|-)$"

# Money and metric columns per raw table: text numbers must match NON_NEGATIVE_NUMBER, typed
# numbers must be >= 0. Every name must be a declared column (tests/expectations checks).
NUMERIC_COLUMNS: dict[str, tuple[str, ...]] = {
    "meta__ad_insights": ("impressions", "clicks", "spend"),
    "meta__ad_insights_placement": ("impressions", "clicks", "spend"),
    "meta__adsets": ("daily_budget", "lifetime_budget"),
    "meta__campaigns": ("daily_budget", "lifetime_budget"),
    "tiktok__ad_report_daily": (
        "spend",
        "impressions",
        "clicks",
        "conversion",
        "complete_payment",
        "total_complete_payment_rate",
        "video_play_actions",
        "video_watched_2s",
        "video_views_p100",
    ),
    "tiktok__ad_placement_report_daily": (
        "spend",
        "impressions",
        "clicks",
        "conversion",
        "complete_payment",
        "total_complete_payment_rate",
    ),
    "tiktok__adgroups": ("budget",),
    "tiktok__campaigns": ("budget",),
    "tiktok__gmv_max_report_daily": (
        "cost",
        "net_cost",
        "orders",
        "cost_per_order",
        "gross_revenue",
        "roi",
        "product_impressions",
        "product_clicks",
    ),
    "tiktok_shop__affiliate_orders": (
        "quantity",
        "commission_rate",
        "shop_ads_commission_rate",
        "price_amount",
        "estimated_commission_base_amount",
        "estimated_paid_commission_amount",
        "actual_commission_base_amount",
        "actual_paid_commission_amount",
        "refunded_quantity",
        "returned_quantity",
    ),
    "threads__post_insights": ("views", "likes", "replies", "reposts", "quotes", "shares"),
    "threads__profile_insights_daily": (
        "views",
        "likes",
        "replies",
        "reposts",
        "quotes",
        "clicks",
        "followers_count",
    ),
    "instagram__media_insights": (
        "reach",
        "views",
        "likes",
        "comments",
        "shares",
        "saved",
        "total_interactions",
    ),
    "fx__ecb_rates": ("rate",),
}

# Enumerations whose new values are expected now and then (a new Meta surface): warn only.
KNOWN_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "meta__ad_insights_placement": {
        "publisher_platform": (
            "facebook",
            "instagram",
            "threads",
            "messenger",
            "audience_network",
            "whatsapp",
        ),
    },
    "tiktok__ad_placement_report_daily": {
        "placement": (
            "PLACEMENT_TIKTOK",
            "PLACEMENT_PANGLE",
            "PLACEMENT_GLOBAL_APP_BUNDLE",
            "PLACEMENT_TOPBUZZ",
            "PLACEMENT_HELO",
        ),
    },
}

_TEXT_TYPES = {"VARCHAR", "JSON"}


def all_streams() -> tuple[StreamSpec, ...]:
    """Every registered stream of every source, in source registry order."""
    return tuple(spec for source in SOURCE_NAMES for spec in source_streams(source))


def currency_columns(spec: StreamSpec) -> tuple[str, ...]:
    """Text columns holding a currency code: ``currency`` or ``*_currency``."""
    return tuple(
        name
        for name, kind in spec.columns.items()
        if kind == "VARCHAR" and (name == "currency" or name.endswith("_currency"))
    )


def validations(
    con: duckdb.DuckDBPyConnection, min_volume_ratio: float
) -> list[tuple[gx.ExpectationSuite, pd.DataFrame]]:
    """Every raw contract validation, ready to run.

    Args:
        con: Warehouse connection (raw tables and ``raw._loads`` must exist).
        min_volume_ratio: Warn when a load saw fewer rows than this share of the previous one.

    Returns:
        (suite, frame) pairs: columns, then one per stream in stream order, then volume.
    """
    specs = all_streams()
    return [
        (columns_suite(), columns_frame(con, specs)),
        *((rows_suite(spec), rows_frame(con, spec)) for spec in specs),
        (volume_suite(min_volume_ratio), volume_frame(con, min_volume_ratio)),
    ]


def columns_suite() -> gx.ExpectationSuite:
    """No declared column is missing or of another type (error)."""
    return gx.ExpectationSuite(
        name=f"{RAW_SCHEMA}.columns",
        expectations=[gxe.ExpectColumnValuesToBeNull(column="mismatched_column", meta=ERROR)],
    )


def columns_frame(con: duckdb.DuckDBPyConnection, specs: Sequence[StreamSpec]) -> pd.DataFrame:
    """One row per declared column; ``mismatched_column`` names it when the table differs.

    Args:
        con: Warehouse connection.
        specs: The streams whose tables are checked.
    """
    declared = pd.DataFrame(
        [
            (spec.raw_table, name, str(duckdb.sqltype(kind)))
            for spec in specs
            for name, kind in {**spec.columns, **METADATA_COLUMNS}.items()
        ],
        columns=["table_name", "column_name", "declared_type"],
    )
    con.register("_declared_raw_columns", declared)
    try:
        return con.execute(
            """
            select declared.table_name, declared.column_name, declared.declared_type,
                actual.data_type as actual_type,
                case when actual.data_type is distinct from declared.declared_type then
                    declared.table_name || '.' || declared.column_name || ' '
                    || declared.declared_type || ' (found '
                    || coalesce(actual.data_type, 'no column') || ')'
                end as mismatched_column
            from _declared_raw_columns as declared
            left join duckdb_columns() as actual
                on actual.database_name = current_database()
                and actual.schema_name = $schema
                and actual.table_name = declared.table_name
                and actual.column_name = declared.column_name
            """,
            {"schema": RAW_SCHEMA},
        ).df()
    finally:
        con.unregister("_declared_raw_columns")


def rows_suite(spec: StreamSpec) -> gx.ExpectationSuite:
    """Row-level contract of the latest load's rows (see the module docstring)."""
    expectations: list[gxe.Expectation] = [
        gxe.ExpectColumnValuesToNotBeNull(column=column, meta=ERROR) for column in spec.key
    ]
    if spec.window_column is not None:
        expectations += [
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=spec.window_column, column_B="_window_start", or_equal=True, meta=ERROR
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="_window_end", column_B=spec.window_column, or_equal=True, meta=ERROR
            ),
        ]
    for column in NUMERIC_COLUMNS.get(spec.raw_table, ()):
        if spec.columns[column] in _TEXT_TYPES:
            expectations.append(
                gxe.ExpectColumnValuesToMatchRegex(
                    column=column, regex=NON_NEGATIVE_NUMBER, meta=ERROR
                )
            )
        else:
            expectations.append(
                gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, meta=ERROR)
            )
    expectations += [
        gxe.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(ISO_4217_CODES), meta=ERROR)
        for column in currency_columns(spec)
    ]
    expectations += [
        gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(values), meta=WARNING)
        for column, values in KNOWN_VALUES.get(spec.raw_table, {}).items()
    ]
    return gx.ExpectationSuite(name=f"{RAW_SCHEMA}.{spec.raw_table}", expectations=expectations)


def rows_frame(con: duckdb.DuckDBPyConnection, spec: StreamSpec) -> pd.DataFrame:
    """Live rows written by each account's latest load, with that load's requested window."""
    return con.execute(
        f"""
        with latest_loads as (
            select account_id, run_id, window_start, window_end
            from {RAW_SCHEMA}._loads
            where source = $source and stream = $stream
            qualify row_number() over (partition by account_id order by loaded_at desc) = 1
        )
        select rows.*, latest_loads.window_start as _window_start,
            latest_loads.window_end as _window_end
        from {RAW_SCHEMA}.{spec.raw_table} as rows
        join latest_loads
            on rows._sync_id = latest_loads.run_id
            and rows.{spec.account_column} = latest_loads.account_id
        where not rows._is_deleted
        """,
        {"source": spec.source, "stream": spec.name},
    ).df()


def volume_suite(min_ratio: float) -> gx.ExpectationSuite:
    """Warn when a load's row count collapsed against the previous comparable load."""
    return gx.ExpectationSuite(
        name=f"{RAW_SCHEMA}.volume",
        expectations=[
            gxe.ExpectColumnValuesToBeNull(
                column="collapsed_load", meta={**WARNING, "min_ratio": min_ratio}
            )
        ],
    )


def volume_frame(con: duckdb.DuckDBPyConnection, min_ratio: float) -> pd.DataFrame:
    """Per stream and account: rows seen by the latest load and by the previous one over an
    equally long window; ``collapsed_load`` describes the pair when the ratio is below
    ``min_ratio`` (no previous load, or one that saw no rows, never collapses)."""
    return con.execute(
        f"""
        with loads as (
            select
                source, stream, account_id, loaded_at, rows_seen,
                lag(rows_seen) over (
                    partition by source, stream, account_id, window_end - window_start
                    order by loaded_at
                ) as previous_rows_seen
            from {RAW_SCHEMA}._loads
        ),
        latest as (
            select *, cast(rows_seen as double) / nullif(previous_rows_seen, 0) as volume_ratio
            from loads
            qualify row_number() over (
                partition by source, stream, account_id order by loaded_at desc
            ) = 1
        )
        select *,
            case when volume_ratio < $min_ratio then
                source || '/' || stream || ' account ' || account_id || ': '
                || rows_seen || ' rows, previous load ' || previous_rows_seen
            end as collapsed_load
        from latest
        order by source, stream, account_id
        """,
        {"min_ratio": min_ratio},
    ).df()
