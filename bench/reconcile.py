"""Reconcile built marts with the generator's ground truth and with the floor."""

from __future__ import annotations

import duckdb

from bench import meta_sql
from bench.presets import Preset
from devtools.reconcile import MEASURES

MART = "marts.fct_placement_performance_daily"
#: The measures devtools.reconcile compares, then each generated attribution window's.
_MEASURES = (
    *MEASURES,
    *(f"{m}_{w}" for w in meta_sql.WINDOWS[1:] for m in ("purchases", "purchase_value")),
)
_GRAIN = (
    "report_date",
    "ad_account_id",
    "account_currency",
    "publisher_platform",
    "platform_position",
)


def placement_truth_mismatches(
    con: duckdb.DuckDBPyConnection, preset: Preset, seed: int, day_to: int
) -> int:
    """Groups (day x account x placement) where the mart's sums differ from the truth.

    The truth is recomputed from the generator's formulas over ``range()`` (no raw table is
    read), so string rendering, JSON actions, versions and tombstones are all under test.
    """
    sums = ", ".join(f"sum({m}) as {m}" for m in _MEASURES)
    grain = ", ".join(_GRAIN)
    cols = ", ".join((*_GRAIN, *_MEASURES))
    mart = f"select {grain}, {sums} from {MART} group by all"
    truth = f"select {cols} from ({meta_sql.truth_sql(preset, seed, 0, day_to)})"
    (missing,) = con.execute(f"select count(*) from (({mart}) except ({truth}))").fetchone()
    (extra,) = con.execute(f"select count(*) from (({truth}) except ({mart}))").fetchone()
    return int(missing) + int(extra)


def floor_mismatches(con: duckdb.DuckDBPyConnection, mart: str, floor_table: str) -> int:
    """Rows in one of ``mart`` / ``floor_table`` but not the other (multiset difference).

    Compared on the floor's columns (the mart may have grown columns the floor does not
    compute: see :func:`columns_without_floor`).
    """
    cols = ", ".join(f'"{c}"' for c in _columns(con, floor_table))
    left_sql = f"select {cols} from {mart} except all select {cols} from {floor_table}"
    right_sql = f"select {cols} from {floor_table} except all select {cols} from {mart}"
    (left,) = con.execute(f"select count(*) from ({left_sql})").fetchone()
    (right,) = con.execute(f"select count(*) from ({right_sql})").fetchone()
    return int(left) + int(right)


def columns_without_floor(con: duckdb.DuckDBPyConnection, mart: str, floor_table: str) -> list[str]:
    """Mart columns the floor does not compute (its work is then a lower bound)."""
    floor_cols = set(_columns(con, floor_table))
    return [c for c in _columns(con, mart) if c not in floor_cols]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [row[0] for row in con.execute(f"describe {table}").fetchall()]


def reporting_total_gaps(con: duckdb.DuckDBPyConnection) -> int:
    """Mart rows without a reporting-currency amount, or an EUR row whose amount changed."""
    (count,) = con.execute(
        f"select count(*) from {MART} where spend_reporting is null "
        "or (account_currency = reporting_currency and spend_reporting != spend)"
    ).fetchone()
    return int(count)
