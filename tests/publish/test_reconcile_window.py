"""The demo's verdict (devtools.reconcile) over the demo's whole window: the truth's exact
amounts of two months, small ones first and large ones later, compare without a cast error
(DuckDB typed a column of Python decimals from its first values: "1104.71" did not fit
DECIMAL(5, 2) and `make demo` crashed after publishing)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from devtools.demo import DEMO_END, DEMO_START
from devtools.reconcile import COMPARED, GRAIN, _truth_frame, reconcile_placements
from socialmart.settings import SANDBOX_DEFAULT_SEED


def test_the_demo_window_compares_and_an_empty_mart_is_all_mismatches(tmp_path: Path) -> None:
    marts = tmp_path / "marts.duckdb"
    grain = [f"{name} {'date' if name == 'report_date' else 'varchar'}" for name in GRAIN]
    columns = ", ".join([*grain, *(f"{c} decimal(18, 2)" for c in COMPARED)])
    with duckdb.connect(str(marts)) as con:
        con.execute(f"create table fct_placement_performance_daily ({columns})")

    verdict = reconcile_placements(marts, SANDBOX_DEFAULT_SEED, DEMO_START, DEMO_END)

    truth = _truth_frame(SANDBOX_DEFAULT_SEED, DEMO_START, DEMO_END, ("meta", "tiktok"))
    largest = max(float(v) for c in COMPARED for v in truth[c].dropna())
    assert largest > 1000  # an amount wider than the first ones (what broke it)
    assert not verdict.ok
    assert verdict.compared_rows == len(verdict.mismatches) > 0
    days = {row["report_date"].date() for row in verdict.mismatches}
    assert days >= {DEMO_START, date(2026, 10, 1), DEMO_END}
