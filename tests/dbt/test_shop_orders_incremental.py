"""stg_tiktok_shop__affiliate_orders built incrementally equals it built in full.

A daily run re-derives only the order days from lookback_start on (lookback_first_day);
a restated order line inside that window changes, one before it is left alone until a load
covers its day again (a backfill) or a full refresh rebuilds everything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import dbt_cli
import duckdb
import pytest
from creator_window import WINDOW

from socialmart import transform
from socialmart.settings import Settings

pytestmark = pytest.mark.e2e

MODEL = "stg_tiktok_shop__affiliate_orders"
RAW = "raw.tiktok_shop__affiliate_orders"
KEY = ("shop_cipher", "order_id", "line_number")
LOOKBACK = {"incremental_lookback_days": "2"}  # the window's last three days


@pytest.fixture
def orders(
    creator_warehouse: Settings,
    copy_warehouse: Callable[[Settings], Settings],
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    """A copy of the stand-in warehouse whose dbt runs use a 2-day lookback."""
    monkeypatch.setattr(dbt_cli, "dbt_vars", lambda s: {**transform.dbt_vars(s), **LOOKBACK})
    return copy_warehouse(creator_warehouse)


def _query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _first_line_of(settings: Settings, day: date) -> tuple:
    lines = _query(
        settings,
        f"select {', '.join(KEY)} from {RAW} where create_date = ? and not _is_deleted "
        "order by all limit 1",
        [day],
    )
    assert lines, f"the stand-in sold nothing on {day}"
    return lines[0]


def _store_version(settings: Settings, key: tuple, sync_id: str, *, deleted: bool = False) -> None:
    """A newer raw version of one order line: its unit price up by 1.00, or a tombstone."""
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(
            f"""
            insert into {RAW}
            select * replace (
                cast(cast(price_amount as decimal(18, 2)) + 1 as varchar) as price_amount,
                ? as _sync_id, now() as _pulled_at, md5(?) as _row_hash, ? as _is_deleted
            )
            from {RAW}
            where shop_cipher = ? and order_id = ? and line_number = ?
            qualify row_number() over (order by _pulled_at desc, _sync_id desc) = 1
            """,
            [sync_id, sync_id, deleted, *key],
        )


def _unit_price(settings: Settings, key: tuple) -> list:
    """The line's unit price in the model ([] when the model has no such line)."""
    return [
        price
        for (price,) in _query(
            settings,
            f"select unit_price from staging.{MODEL} "
            "where shop_cipher = ? and order_id = ? and line_number = ?",
            list(key),
        )
    ]


def _model_rows(settings: Settings) -> list[tuple]:
    return _query(settings, f"select * from staging.{MODEL} order by all")


def _run(settings: Settings, *args: str) -> None:
    result = dbt_cli.run_dbt(settings, ["run", "--select", MODEL, *args], settings.dbt_target_dir)
    assert result.returncode == 0, result.stdout[-4000:]


def test_a_daily_run_rederives_the_lookback_only_and_a_full_refresh_agrees(
    orders: Settings,
) -> None:
    assert _query(orders, f"select max(order_date) from staging.{MODEL}")[0][0] == WINDOW.end
    early, late, gone = (
        _first_line_of(orders, WINDOW.start),
        _first_line_of(orders, WINDOW.end),
        _first_line_of(orders, WINDOW.end - timedelta(days=1)),
    )
    [early_price], [late_price] = _unit_price(orders, early), _unit_price(orders, late)
    _store_version(orders, early, "restated-early")
    _store_version(orders, late, "restated-late")
    _store_version(orders, gone, "tombstone", deleted=True)

    _run(orders)

    assert _unit_price(orders, late) == [late_price + 1]  # inside the lookback: re-derived
    assert _unit_price(orders, gone) == []  # the platform stopped returning it
    assert _unit_price(orders, early) == [early_price]  # a week back: left alone

    _run(orders, "--full-refresh")
    full = _model_rows(orders)
    assert _unit_price(orders, early) == [early_price + 1]
    _run(orders)
    assert _model_rows(orders) == full


def test_a_backfill_older_than_the_lookback_reaches_the_orders(orders: Settings) -> None:
    """A load since the last successful build covering an old day re-derives that day."""
    early = _first_line_of(orders, WINDOW.start)
    [early_price] = _unit_price(orders, early)
    _store_version(orders, early, "backfill")
    with duckdb.connect(str(orders.warehouse_path)) as con:
        con.execute(
            "insert into raw._loads (run_id, source, stream, account_id, window_start, "
            "window_end, pulled_at, loaded_at, rows_seen, rows_inserted, tombstones_inserted) "
            "values ('backfill', 'tiktok_shop', 'affiliate_orders', ?, ?, ?, now(), now(),"
            " 1, 1, 0)",
            [early[0], WINDOW.start, WINDOW.start],
        )

    _run(orders)

    assert _unit_price(orders, early) == [early_price + 1]
