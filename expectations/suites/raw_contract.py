"""Contract suites for every raw table, built from its stream spec (``connectors/*/streams.py``).

Each validation is a GX suite run on a pandas frame read set-based from the warehouse (GX's
SQL datasource cannot resolve metrics on DuckDB; the same SQL runs on PostgreSQL,
``expectations.dialect``):

* ``raw.columns``: every raw table has each declared payload and load-metadata column with its
  declared type (read from the catalog, since pandas dtypes lose SQL types; PostgreSQL's type
  names are compared by their DuckDB names).
* ``raw.<table>``, one per stream: the rows the latest load of each account wrote
  (``_sync_id`` = that load's run id, tombstones excluded) plus the rows that load quarantined
  (``quarantine.<table>``: the loader keeps contract breaks out of raw, so they are judged
  here but can never reach a mart). Only those rows are read, so large tables stay cheap and
  versions validated before are not judged again. Keys not null, dates inside the load's
  requested window, numeric strings parse as non-negative numbers, currency codes in ISO 4217
  (the facts on each spec's columns, ``connectors.common.contract``); an unknown enum value
  (a new placement) only warns.
* ``raw.loads``: no account's latest load is a suspect pull (an empty or sharply shorter
  answer whose deletions the loader withheld; error, see ``connectors.common.land``).
* ``raw.volume``: each stream and account's latest load saw at least ``min_ratio`` of the rows
  its previous load over a window of the same length saw (warning).
* ``raw.schema_drift``: the latest loads returned no field the stream does not declare
  (warning; the fields are in ``raw._schema_drift`` and on the data-health page).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd

from connectors.common.contract import NON_NEGATIVE_NUMBER, currency_columns
from connectors.common.currencies import ISO_4217_CODES
from connectors.common.land import (
    METADATA_COLUMNS,
    QUARANTINE_SCHEMA,
    RAW_SCHEMA,
    suspect_pull_message,
)
from connectors.common.streams import StreamSpec, source_streams
from connectors.sources import SOURCE_NAMES
from expectations import dialect
from expectations.dialect import WarehouseConnection, frame, literal, quote

ERROR = {"severity": "error"}
WARNING = {"severity": "warning"}

_TEXT_TYPES = {"VARCHAR", "JSON"}


def all_streams() -> tuple[StreamSpec, ...]:
    """Every registered stream of every source, in source registry order."""
    return tuple(spec for source in SOURCE_NAMES for spec in source_streams(source))


def validations(
    con: WarehouseConnection, min_volume_ratio: float
) -> list[tuple[gx.ExpectationSuite, pd.DataFrame]]:
    """Every raw contract validation, ready to run.

    Args:
        con: Warehouse connection (raw tables and ``raw._loads`` must exist).
        min_volume_ratio: Warn when a load saw fewer rows than this share of the previous one.

    Returns:
        (suite, frame) pairs: columns, then one per stream in stream order, then loads,
        volume and schema drift.
    """
    specs = all_streams()
    return [
        (columns_suite(), columns_frame(con, specs)),
        *((rows_suite(spec), rows_frame(con, spec)) for spec in specs),
        (loads_suite(), loads_frame(con)),
        (volume_suite(min_volume_ratio), volume_frame(con, min_volume_ratio)),
        (schema_drift_suite(), schema_drift_frame(con)),
    ]


def columns_suite() -> gx.ExpectationSuite:
    """No declared column is missing or of another type (error)."""
    return gx.ExpectationSuite(
        name=f"{RAW_SCHEMA}.columns",
        expectations=[gxe.ExpectColumnValuesToBeNull(column="mismatched_column", meta=ERROR)],
    )


def columns_frame(con: WarehouseConnection, specs: Sequence[StreamSpec]) -> pd.DataFrame:
    """One row per declared column; ``mismatched_column`` names it when the table differs.

    Args:
        con: Warehouse connection.
        specs: The streams whose tables are checked.
    """
    declared = ", ".join(
        f"({position}, {literal(spec.raw_table)}, {literal(name)},"
        f" {literal(str(duckdb.sqltype(kind)))})"
        for position, (spec, name, kind) in enumerate(
            (spec, name, kind)
            for spec in specs
            for name, kind in {**spec.columns, **METADATA_COLUMNS}.items()
        )
    )
    return frame(
        con,
        f"""
        with declared (position, table_name, column_name, declared_type) as (
            values {declared}
        ),
        actual as (
            select table_name, column_name, {dialect.of(con).column_type} as data_type
            from information_schema.columns
            where table_catalog = current_database() and table_schema = $schema
        )
        select declared.table_name, declared.column_name, declared.declared_type,
            actual.data_type as actual_type,
            case when actual.data_type is distinct from declared.declared_type then
                declared.table_name || '.' || declared.column_name || ' '
                || declared.declared_type || ' (found '
                || coalesce(actual.data_type, 'no column') || ')'
            end as mismatched_column
        from declared
        left join actual
            on actual.table_name = declared.table_name
            and actual.column_name = declared.column_name
        order by declared.position
        """,
        {"schema": RAW_SCHEMA},
    )


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
    for column in spec.numeric_columns:
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
        for column, values in spec.known_values.items()
    ]
    return gx.ExpectationSuite(name=f"{RAW_SCHEMA}.{spec.raw_table}", expectations=expectations)


def rows_frame(con: WarehouseConnection, spec: StreamSpec) -> pd.DataFrame:
    """Live rows written, and rows quarantined, by each account's latest load, with that
    load's requested window (declared columns, JSON as text, ordered by key)."""
    columns = ", ".join(
        f"cast({quote(name)} as varchar) as {quote(name)}" if kind == "JSON" else quote(name)
        for name, kind in {**spec.columns, **METADATA_COLUMNS}.items()
    )
    return frame(
        con,
        f"""
        with latest_loads as (
            select account_id, run_id, window_start, window_end from (
                select account_id, run_id, window_start, window_end, row_number() over (
                    partition by account_id order by loaded_at desc
                ) as recency
                from {RAW_SCHEMA}._loads
                where source = $source and stream = $stream
            ) as loads
            where recency = 1
        )
        select rows.*, latest_loads.window_start as _window_start,
            latest_loads.window_end as _window_end
        from (
            select {columns} from {RAW_SCHEMA}.{spec.raw_table} where not _is_deleted
            union all
            select {columns} from {QUARANTINE_SCHEMA}.{spec.raw_table}
        ) as rows
        join latest_loads
            on rows._sync_id = latest_loads.run_id
            and rows.{quote(spec.account_column)} = latest_loads.account_id
        order by {", ".join(f"rows.{quote(name)}" for name in spec.key)}, rows._row_hash
        """,
        {"source": spec.source, "stream": spec.name},
    )


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


def volume_frame(con: WarehouseConnection, min_ratio: float) -> pd.DataFrame:
    """Per stream and account: rows seen by the latest load and by the previous one over an
    equally long window; ``collapsed_load`` describes the pair when the ratio is below
    ``min_ratio`` (no previous load, or one that saw no rows, never collapses)."""
    return frame(
        con,
        f"""
        with loads as (
            select
                source, stream, account_id, loaded_at, rows_seen,
                lag(rows_seen) over (
                    partition by source, stream, account_id, window_end - window_start
                    order by loaded_at
                ) as previous_rows_seen,
                row_number() over (
                    partition by source, stream, account_id order by loaded_at desc
                ) as recency
            from {RAW_SCHEMA}._loads
        ),
        latest as (
            select source, stream, account_id, loaded_at, rows_seen, previous_rows_seen,
                cast(rows_seen as double precision) / nullif(previous_rows_seen, 0)
                    as volume_ratio
            from loads
            where recency = 1
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
    )


def loads_suite() -> gx.ExpectationSuite:
    """No account's latest load is a suspect pull whose deletions were withheld (error)."""
    return gx.ExpectationSuite(
        name=f"{RAW_SCHEMA}.loads",
        expectations=[gxe.ExpectColumnValuesToBeNull(column="suspect_pull", meta=ERROR)],
    )


def loads_frame(con: WarehouseConnection) -> pd.DataFrame:
    """Per stream and account, its latest load; ``suspect_pull`` says what was withheld."""
    latest = frame(
        con,
        f"""
        select source, stream, account_id, run_id, window_start, window_end, rows_seen,
            live_keys_in_window, tombstones_withheld
        from (
            select *, row_number() over (
                partition by source, stream, account_id order by loaded_at desc
            ) as recency
            from {RAW_SCHEMA}._loads
        ) as loads
        where recency = 1
        order by source, stream, account_id
        """,
    )
    latest["suspect_pull"] = [
        suspect_pull_message(
            row.source,
            row.stream,
            row.account_id,
            (row.window_start.date(), row.window_end.date()),
            row.rows_seen,
            row.live_keys_in_window,
            row.tombstones_withheld,
        )
        if row.tombstones_withheld
        else None
        for row in latest.itertuples()
    ]
    return latest


def schema_drift_suite() -> gx.ExpectationSuite:
    """Warn when the latest loads returned fields no stream declares."""
    return gx.ExpectationSuite(
        name=f"{RAW_SCHEMA}.schema_drift",
        expectations=[gxe.ExpectColumnValuesToBeNull(column="undeclared_field", meta=WARNING)],
    )


def schema_drift_frame(con: WarehouseConnection) -> pd.DataFrame:
    """Undeclared fields the latest load of their stream (any account) still returned."""
    first_seen = dialect.of(con).utc_minute.format("drift.first_seen_at")
    return frame(
        con,
        f"""
        with latest_runs as (
            select distinct source, stream, run_id from (
                select source, stream, run_id, row_number() over (
                    partition by source, stream, account_id order by loaded_at desc
                ) as recency
                from {RAW_SCHEMA}._loads
            ) as loads
            where recency = 1
        )
        select drift.*,
            drift.source || '/' || drift.stream || ': undeclared field ' || drift.field
            || ' (first seen in run ' || drift.first_seen_run_id || ' at '
            || {first_seen} || ')' as undeclared_field
        from {RAW_SCHEMA}._schema_drift as drift
        where exists (
            select 1 from latest_runs
            where latest_runs.source = drift.source and latest_runs.stream = drift.stream
                and latest_runs.run_id = drift.last_seen_run_id
        )
        order by drift.source, drift.stream, drift.field
        """,
    )
