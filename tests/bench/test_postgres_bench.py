"""The PostgreSQL bench end to end at the ``tiny`` preset: its own cluster, every figure, an
exact reconciliation, and a report that shows no figure when the numbers are wrong."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from bench import pg_cluster, pg_report, pg_run, pg_steps
from bench.presets import get_preset
from socialmart.stack import postgres as stack

SEED = 7
#: dbt's refusal of an incremental run of a contracted mart on PostgreSQL when the model's
#: column types differ from the contract's only in spelling (``text`` / ``varchar``,
#: ``numeric`` / ``numeric(18, 2)``); reported to the lead, the fix belongs in dbt_project.
KNOWN_BLOCKER = "source and target schemas on this incremental model are out of sync"


@pytest.fixture(scope="module")
def pg_run_record(tmp_path_factory: pytest.TempPathFactory) -> dict:
    try:
        stack.bin_dir()
    except RuntimeError as missing:
        pytest.skip(str(missing))
    root = tmp_path_factory.mktemp("bench")
    clusters: list[Path] = []
    real = pg_cluster.bench_cluster

    def remembered(home: Path) -> stack.Cluster:
        cluster = real(home)
        clusters.append(stack.cluster_dir(cluster))
        return cluster

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pg_cluster, "bench_cluster", remembered)
        record = pg_run.run_postgres("tiny", SEED, 600.0, 16.0, lambda run: None, root)
    daily_build = root / "tiny-postgres" / "dbt_target" / "run_results.json"
    return {"run": record, "clusters": clusters, "daily_build": daily_build}


def _xfail_if_blocked(record: dict) -> None:
    """xfail when the daily build stopped on :data:`KNOWN_BLOCKER` (nothing else)."""
    results = json.loads(record["daily_build"].read_text(encoding="utf-8"))["results"]
    if any(KNOWN_BLOCKER in (r.get("message") or "") for r in results):
        pytest.xfail(f"daily dbt build on PostgreSQL: {KNOWN_BLOCKER} (dbt_project fix pending)")


def _reconciled_exactly(result: dict, day_to: int) -> None:
    assert "error" not in result, result.get("error")
    assert result["day_to"] == day_to and result["mart_rows"] > 0
    assert result["truth_mismatches"] == 0
    assert result["tiktok_truth_mismatches"] == 0
    assert result["reporting_gaps"] == 0


def test_full_build_completes_and_its_marts_reconcile_exactly(pg_run_record):
    results = pg_run_record["run"]["results"]
    failed = {n: results[n]["error"] for n in pg_run.STEP_NAMES if "error" in results[n]}
    assert failed == {}
    _reconciled_exactly(results["reconcile"], get_preset("tiny").days)


def test_daily_run_completes_and_its_marts_reconcile_exactly(pg_run_record):
    _xfail_if_blocked(pg_run_record)
    results = pg_run_record["run"]["results"]
    (daily,) = results["daily"]
    assert "error" not in daily, daily["error"]
    _reconciled_exactly(results["reconcile_daily"], get_preset("tiny").days + 1)
    assert pg_report.reconciled(results)


def test_load_build_and_memory_figures_are_measured(pg_run_record):
    results = pg_run_record["run"]["results"]
    load = results["load_path"]
    assert load["rows"] > 0 and len(load["seconds"]) == len(load["copy_seconds"]) == 1
    assert results["copy_raw"]["rows"] > load["rows"]
    assert set(results["copy_raw"]["server"]) == set(pg_steps.SERVER_SETTINGS)
    assert results["dbt_build"]["seconds"][0] > 0
    assert results["dbt_build"]["children_peak_rss_mb"] > 0  # dbt
    server = results["server_memory"]
    assert server["total_peak_mb"] > 0
    assert {"postmaster", "client backend", "checkpointer"} <= set(server["peak_mb_by_kind"])
    runner = results["runner_memory"]
    assert runner["children_peak_rss_mb"] >= results["dbt_build"]["children_peak_rss_mb"]


def test_daily_figures_are_measured(pg_run_record):
    _xfail_if_blocked(pg_run_record)
    (daily,) = pg_run_record["run"]["results"]["daily"]
    assert daily["appended_rows"] > 0 and daily["seconds"][0] > 0
    assert daily["split"]["tests_s"] > 0


def test_the_cluster_is_gone_afterwards(pg_run_record):
    (folder,) = pg_run_record["clusters"]
    assert not folder.exists()
    titles = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            titles.append(cmdline.read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    assert not [t for t in titles if str(folder) in t], "a bench server still runs"
    assert os.environ.get("SOCIALMART_WAREHOUSE") != "postgres"  # the runner's env is its own


DUCKDB_RUN = {
    "started_at": "2026-01-01T00:00:00+00:00",
    "machine": {"commit": "abc"},
    "results": {
        "dbt_build": {"seconds": [2.0]},
        "daily": [{"seconds": [0.5]}],
        "load_path": {"bulk": {"rows": 1000, "seconds": [0.01]}},
    },
}


def test_report_shows_no_figure_of_wrong_numbers(pg_run_record):
    wrong = copy.deepcopy(pg_run_record["run"])
    wrong["results"]["reconcile"]["truth_mismatches"] = 3
    withheld = pg_report.render_postgres_table(wrong, DUCKDB_RUN)
    assert "No figures" in withheld and "| dbt build" not in withheld
    assert "3 Meta day x account x placement groups" in withheld


def test_report_shows_the_figures_beside_duckdb(pg_run_record):
    _xfail_if_blocked(pg_run_record)
    table = pg_report.render_postgres_table(pg_run_record["run"], DUCKDB_RUN)
    assert "| raw load: load_spool," in table and "COPY into a plain table:" in table
    assert "| dbt build --full-refresh, all models + tests |" in table
    assert "| daily run (1 new day + lookback): dbt build, share of the full build |" in table
    assert "(25.0 %)" in table  # DuckDB's daily share beside PostgreSQL's
    assert "peak memory, PostgreSQL server" in table and "shared_buffers " in table
    assert "0 Meta day x account x placement groups and 0 TikTok" in table
