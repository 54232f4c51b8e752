"""Fixtures for the gate tests: marts, staging and raw loads written straight into a temp
warehouse, and dbt's tests of the marts run on them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from mart_tables import PLACEMENT_ROW, PLACEMENTS, ad_totals, contract_columns, write_dimensions

from connectors.common.land import ensure_raw_table
from connectors.common.streams import get_stream
from socialmart import transform, warehouse
from socialmart.settings import Settings

RawWriter = Callable[..., None]
TableWriter = Callable[[str, dict[str, str], list[dict]], None]
WINDOW = (date(2026, 6, 1), date(2026, 6, 3))


@pytest.fixture
def settings(module_warehouse_settings: Settings) -> Settings:
    """Every test starts without a warehouse; dbt parses the project once per module."""
    return module_warehouse_settings


@pytest.fixture
def write_table(settings: Settings) -> TableWriter:
    """Replace ``schema.table`` with ``rows`` over ``columns`` (name -> DuckDB type); a
    column missing from a row is null."""

    def write(qualified: str, columns: dict[str, str], rows: list[dict]) -> None:
        schema = qualified.split(".")[0]
        ddl = ", ".join(f"{name} {kind}" for name, kind in columns.items())
        with warehouse.connect(settings) as con:
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create or replace table {qualified} ({ddl})")
            if rows:
                con.executemany(
                    f"insert into {qualified} values ({', '.join('?' * len(columns))})",
                    [[row.get(name) for name in columns] for row in rows],
                )

    return write


@pytest.fixture
def write_raw(settings: Settings) -> RawWriter:
    """Record one load of ``source/stream`` for ``account``: its rows and its raw._loads row.

    Loads are recorded one minute apart in call order, so the last call is the latest load.
    """
    clock = iter(datetime(2026, 6, 4, tzinfo=UTC) + timedelta(minutes=i) for i in range(1000))

    def write(
        source: str,
        stream: str,
        rows: list[dict],
        *,
        run_id: str,
        account: str,
        window: tuple[date, date] = WINDOW,
        rows_seen: int | None = None,
    ) -> None:
        spec = get_stream(source, stream)
        loaded_at = next(clock)
        with warehouse.connect(settings) as con:
            ensure_raw_table(con, spec)
            names = list(spec.columns)
            for row in rows:
                values = [row.get(name) for name in names]
                con.execute(
                    f"insert into raw.{spec.raw_table} ({', '.join(names)}, _sync_id, "
                    "_pulled_at, _source, _row_hash, _is_deleted) values "
                    f"({', '.join('?' * len(names))}, ?, ?, ?, md5(?), false)",
                    [*values, run_id, loaded_at, spec.source_label, repr(values)],
                )
            con.execute(
                "insert into raw._loads (run_id, source, stream, account_id, window_start, "
                "window_end, pulled_at, loaded_at, rows_seen, rows_inserted, tombstones_inserted) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                [
                    run_id,
                    source,
                    stream,
                    account,
                    *window,
                    loaded_at,
                    loaded_at,
                    len(rows) if rows_seen is None else rows_seen,
                    len(rows),
                ],
            )

    return write


DbtTests = Callable[..., None]


@pytest.fixture
def dbt_tests(settings: Settings) -> DbtTests:
    """Run the dbt data tests of the given marts on the tables as the test wrote them, the
    way the pipeline's build runs and records them (``socialmart.transform.build``)."""

    def run(run_id: str, *marts: str) -> None:
        transform.build(settings, run_id, select=" ".join(f"resource_type:test,{m}" for m in marts))

    return run


@pytest.fixture
def write_placements(write_table: TableWriter) -> Callable[[list[dict]], None]:
    """Replace the placement mart, typed as its dbt contract, with ``rows`` (completed with
    :data:`PLACEMENT_ROW`), the ad mart with their totals per ad and day, and the dimensions
    with the accounts, campaigns and ads they name, so the mart's dbt tests judge only the
    rows."""

    def write(rows: list[dict]) -> None:
        rows = [PLACEMENT_ROW | row for row in rows]
        write_table(PLACEMENTS, contract_columns("fct_placement_performance_daily"), rows)
        write_table(
            "marts.fct_ad_performance_daily",
            contract_columns("fct_ad_performance_daily"),
            ad_totals(rows),
        )
        write_dimensions(write_table, rows)

    return write
