"""Benchmark code at the small preset: the marts reconcile, the floor and the SQL gate agree."""

from __future__ import annotations

import shutil
from datetime import timedelta

import duckdb
import pytest
from bench_support import PRESET, SEED

from bench import dbt_runner, floor, gate_sql, reconcile, report, run
from bench.generate import generate

MART = "marts.fct_placement_performance_daily"
FLOOR = f"{floor.SCHEMA}.fct_placement_performance_daily"


@pytest.fixture(scope="module")
def con(built):
    with duckdb.connect(str(built.warehouse_path)) as connection:
        floor.build_placement(connection, "EUR", built.fx.carry_forward_days, "omni_purchase")
        yield connection


def test_mart_reconciles_to_the_generator_truth(con):
    assert reconcile.placement_truth_mismatches(con, PRESET, SEED, PRESET.days) == 0
    assert reconcile.reporting_total_gaps(con) == 0


def test_dbt_build_of_generated_data_passes_every_test(dbt_build):
    """The pipeline's whole ``dbt build`` (every model, every test) of the generated data:
    a generator that leaves out what the real pull always lands fails a test here."""
    assert dbt_build.error is None
    tests = [node for node in dbt_build.statuses if node.startswith("test.")]
    assert len(tests) > 100
    assert "test.socialmart.placement_rows_sum_to_the_ad_totals" in tests
    failing = {n: s for n, s in dbt_build.statuses.items() if s not in ("success", "pass", "warn")}
    assert failing == {}


def test_mart_has_tiktok_placement_rows_equal_to_the_generator_truth(con):
    (rows,) = con.execute(f"select count(*) from {MART} where platform = 'tiktok'").fetchone()
    assert rows >= 2 * PRESET.days * PRESET.tiktok_ads_per_day
    assert reconcile.tiktok_placement_truth_mismatches(con, PRESET, SEED, PRESET.days) == 0


@pytest.mark.parametrize("platform", ["meta", "tiktok"])
def test_truth_checks_catch_a_wrong_number(con, platform):
    check = {
        "meta": reconcile.placement_truth_mismatches,
        "tiktok": reconcile.tiktok_placement_truth_mismatches,
    }[platform]
    rows = f"platform = '{platform}'"
    con.execute("begin")
    con.execute(
        f"update {MART} set clicks = clicks + 1 "
        f"where {rows} and ad_id = (select min(ad_id) from {MART} where {rows})"
    )
    try:
        assert check(con, PRESET, SEED, PRESET.days) > 0
    finally:
        con.execute("rollback")


def test_hand_written_floor_equals_every_row_and_column_of_the_dbt_mart(con):
    assert floor.COVERS["fct_placement_performance_daily"] == "true"
    assert reconcile.columns_without_floor(con, MART, FLOOR) == []
    platforms = con.execute(f"select platform, count(*) from {FLOOR} group by 1").fetchall()
    assert {platform for platform, rows in platforms if rows > 0} == {"meta", "tiktok"}
    assert reconcile.floor_mismatches(con, MART, FLOOR) == 0


@pytest.mark.parametrize(
    "change",
    [
        f"delete from {FLOOR} where ad_id = (select min(ad_id) from {FLOOR})",
        f"update {FLOOR} set placement_mode = 'manual' where platform = 'tiktok' "
        "and placement_mode = 'automatic'",
        f"update {FLOOR} set threads_inclusion = null where platform = 'meta'",
    ],
    ids=["row missing", "tiktok placement mode", "meta threads inclusion"],
)
def test_floor_check_catches_a_difference(con, change):
    con.execute("begin")
    con.execute(change)
    try:
        assert reconcile.floor_mismatches(con, MART, FLOOR) > 0
    finally:
        con.execute("rollback")


def test_incremental_floor_equals_a_full_rebuild(built, tmp_path):
    """The built warehouse (the floor reads dbt's small lookup views), one more day appended:
    replacing the days from the lookback on equals building the floor again."""
    path = tmp_path / built.warehouse_path.name
    shutil.copyfile(built.warehouse_path, path)
    with duckdb.connect(str(path)) as c:
        floor.build_placement(c, "EUR", 7, "omni_purchase")
    generate(path, PRESET, SEED, day_from=PRESET.days, day_to=PRESET.days + 1)
    since = PRESET.first_day + timedelta(days=PRESET.days - 28)
    with duckdb.connect(str(path)) as c:
        floor.refresh_placement_since(c, since, "EUR", 7, "omni_purchase")
        c.execute(f"create table incremental as select * from {FLOOR}")
        floor.build_placement(c, "EUR", 7, "omni_purchase")
        assert reconcile.floor_mismatches(c, "incremental", FLOOR) == 0
        days = c.execute(
            f"select platform, count(distinct report_date) from {FLOOR} group by 1 order by 1"
        ).fetchall()
    assert days == [("meta", PRESET.days + 1), ("tiktok", PRESET.days + 1)]


def test_gate_as_sql_passes_on_good_data_and_counts_violations(con):
    checks, untranslated = gate_sql.gate_checks()
    assert checks and not untranslated
    assert gate_sql.run_checks(con, checks) == [0] * len(checks)
    con.execute("begin")
    con.execute(f"update {MART} set spend = -1 where ad_id = (select min(ad_id) from {MART})")
    try:
        assert any(gate_sql.run_checks(con, checks))
    finally:
        con.execute("rollback")


def _result(seconds: list[float], **extra) -> dict:
    return {"seconds": seconds, "peak_rss_mb": 100.0, "children_peak_rss_mb": 50.0, **extra}


def test_report_table_shows_each_figure_next_to_its_floor(tmp_path):
    run = {
        "started_at": "2026-01-01T00:00:00+00:00",
        "seed": 1,
        "machine": {
            "commit": "abc",
            "worktree_dirty": False,
            "cpu": "cpu",
            "cores": 2,
            "memory_gb": 8,
            "os": "linux",
            "python": "3.11",
        },
        "results": {
            "generate": _result([1.0], rows={"meta__ad_insights_placement": 10}),
            "dbt_build": _result(
                [3.0, 4.0, 5.0],
                split={
                    "startup_s": 2.5,
                    "models_s": 1.0,
                    "tests_s": 0.25,
                    "per_node_overhead_s": 0.25,
                },
                node_seconds={"model.p.slow": 0.75, "model.p.fast": 0.25, "test.p.t": 0.25},
            ),
            "dbt_run_floored": _result([2.0], marts=["m"]),
            "floor": _result(
                [1.0, 2.0, 3.0],
                floor_mismatches={"m": 0},
                floor_covers={"m": "platform = 'meta'"},
                no_floor=["x"],
            ),
            "reconcile": _result(
                [0.1], truth_mismatches=0, tiktok_truth_mismatches=0, reporting_gaps=0
            ),
            "gate": _result([4.0]),
            "gate_sql": _result([1.0]),
            "publish": _result([1.0]),
            "dashboard": _result(
                [1.0],
                p50_ms=5.0,
                p95_ms=20.0,
                setup_ms=1500.0,
                queries={
                    "a": {"p50_ms": 3.0, "p95_ms": 9.0, "first_ms": 2500.0},
                    "b": {"p50_ms": 6.0, "p95_ms": 30.0, "first_ms": 40.0},
                },
            ),
            "load_path": _result(
                [1.0],
                floor_seconds=[0.5],
                extract_seconds=2.0,
                rows=100,
                units=2,
                requests=3,
                min_requests=2,
                window_days=7,
                bulk={
                    "seconds": [2.0],
                    "floor_seconds": [1.0],
                    "rows": 1000,
                    "units": 3,
                    "days": 28,
                },
            ),
            "daily": [_result([4.0], floor_incremental_seconds=0.1)],
        },
    }
    table = report.render_table(run)
    assert (
        "| dbt build --full-refresh, all models + tests | 3 / 4 / 5 s | hand SQL: 1 / 2 / 3 s "
        "| 2.00× |" in table
    )
    assert "start-up + parse 2.5 s · models' SQL 1 s · tests' SQL 0.25 s" in table
    assert "full build, slowest models: slow 0.75 s, fast 0.25 s; 1 tests 0.25 s" in table
    assert "| dashboard queries (2 page queries, all samples) | p50 5.0 ms / p95 20.0 ms |" in table
    assert "slowest query: b | p50 6.0 ms / p95 30.0 ms |" in table
    assert "| set-up 1.50 s; slowest first query a 2.50 s |" in table
    assert (
        "(28 d, 3 accounts) | 500 / 500 / 500 rows/s | read_json: 1e+03 / 1e+03 / 1e+03 rows/s "
        "| 0.50× | ≥ 0.5 | met |" in table
    )
    assert (
        "100.0 %" in table
        and "**missed**" in table
        and "marts without a hand-written floor: x" in table
        and "m rows the floor computes and is compared on: platform = 'meta'" in table
        and "ground truth: 0 TikTok ad x day x placement rows differ" in table
    )
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# B\n\nintro\n", encoding="utf-8")
    report.update_benchmarks_md(path, "small", table)
    report.update_benchmarks_md(path, "small", "new table")
    text = path.read_text(encoding="utf-8")
    assert "intro" in text and "new table" in text and table not in text


def test_step_cap_sits_above_duckdb_memory_limit_with_headroom():
    assert run.duckdb_size_gb("4GiB") == 4.0
    assert run.duckdb_size_gb("512MB") == pytest.approx(0.4768, abs=1e-4)
    assert run.address_space_cap_gb("4GiB", None) == 4.0 + run.CAP_HEADROOM_GB
    assert run.address_space_cap_gb("4GiB", 16.0) == 16.0
    with pytest.raises(ValueError, match="too close"):
        run.address_space_cap_gb("4GiB", 5.0)
    with pytest.raises(ValueError, match="not a DuckDB size"):
        run.duckdb_size_gb("lots")


def test_dbt_time_splits_into_start_up_sql_and_per_node_overhead():
    timings = dbt_runner.DbtTimings(
        wall_s=10.0,
        elapsed_s=6.0,
        node_seconds={"model.p.a": 2.0, "model.p.b": 1.0, "test.p.t": 0.5, "seed.p.s": 0.5},
    )
    assert timings.split() == {
        "startup_s": 4.0,
        "models_s": 3.0,
        "tests_s": 0.5,
        "per_node_overhead_s": 2.0,
    }
