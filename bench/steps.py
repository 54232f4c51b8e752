"""Benchmark steps, each run in a fresh child process: ``python -m bench.steps STEP JSON``.

A fresh process per step gives each step its own peak memory (``ru_maxrss`` of the process and
of its children, e.g. dbt) and a clean DuckDB instance. Settings come from the environment the
runner sets (``SOCIALMART_HOME``). The child prints one JSON object on its last stdout line.
"""

from __future__ import annotations

import json
import math
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from bench import bulk_pages, dbt_runner, floor, gate_sql, reconcile
from bench.generate import generate
from bench.presets import get_preset
from socialmart import warehouse
from socialmart.settings import Settings, load_settings

#: Largest page the stand-in (and Meta) serves for each source: the minimum-requests basis.
MAX_PAGE_SIZE = {"meta": 5000, "tiktok": 1000, "tiktok_shop": 100, "threads": 100, "fx": 10**9}

Result = dict[str, Any]


def connect_duckdb(
    settings: Settings, path: Path | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open ``path`` (default: the warehouse) with the project's DuckDB resource settings."""
    con = duckdb.connect(str(path or settings.warehouse_path), read_only=read_only)
    warehouse.apply_resource_settings(con, settings)
    return con


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds ``action()`` took, and what it returned."""
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def _floor_args(settings: Settings) -> tuple[str, int, str]:
    return (
        settings.fx.reporting_currency,
        settings.fx.carry_forward_days,
        settings.meta.purchase_action_type,
    )


def step_generate(settings: Settings, cfg: dict[str, Any]) -> Result:
    """Generate the preset into the warehouse (once)."""
    report = generate(settings.warehouse_path, get_preset(cfg["scale"]), cfg["seed"])
    return {"seconds": [report.seconds], "rows": report.rows}


def _dbt_repeats(settings: Settings, args: list[str], repeats: int) -> Result:
    """Run ``dbt <args>`` ``repeats`` times: wall seconds, the median split of each run's time
    (start-up, models, tests, dbt per node) and the last run's seconds per node. Builds are
    recorded in ``audit.dbt_builds`` like the pipeline's (:func:`bench.dbt_runner.build`)."""
    if args[0] == "build":
        runs = [dbt_runner.build(settings, args[1:], f"bench-build-{i}") for i in range(repeats)]
    else:
        runs = [dbt_runner.run(settings, args) for _ in range(repeats)]
    splits = [r.split() for r in runs]
    return {
        "seconds": [r.wall_s for r in runs],
        "split": {key: statistics.median(s[key] for s in splits) for key in splits[0]},
        "node_seconds": runs[-1].node_seconds,
    }


def step_dbt_build(settings: Settings, cfg: dict[str, Any]) -> Result:
    """``dbt build --full-refresh`` of every model and test: the pipeline's transform when
    everything is rebuilt (incremental models included)."""
    from socialmart import pipeline

    pipeline.prepare_raw_tables(settings)
    return _dbt_repeats(settings, ["build", "--full-refresh"], cfg["repeats"])


def step_dbt_run_floored(settings: Settings, cfg: dict[str, Any]) -> Result:
    """``dbt run --full-refresh`` of the marts that have a floor and their parents (no tests)."""
    marts = [m for m in dbt_runner.mart_models(settings) if m in floor.FLOORS]
    select = " ".join(f"+{m}" for m in marts)
    result = _dbt_repeats(settings, ["run", "--full-refresh", "--select", select], cfg["repeats"])
    return {**result, "marts": marts, "model_seconds": result["split"]["models_s"]}


def step_floor(settings: Settings, cfg: dict[str, Any]) -> Result:
    """The hand-written floor of every mart that has one, then check it equals dbt's mart."""
    marts = [m for m in dbt_runner.mart_models(settings) if m in floor.FLOORS]
    seconds = []
    with connect_duckdb(settings) as con:
        for _ in range(cfg["repeats"]):
            took, _ = timed(lambda: [floor.FLOORS[m](con, *_floor_args(settings)) for m in marts])
            seconds.append(took)
        mismatches = {
            m: reconcile.floor_mismatches(con, f"marts.{m}", f"{floor.SCHEMA}.{m}", floor.COVERS[m])
            for m in marts
        }
        uncovered = {
            m: reconcile.columns_without_floor(con, f"marts.{m}", f"{floor.SCHEMA}.{m}")
            for m in marts
        }
    without = [m for m in dbt_runner.mart_models(settings) if m not in floor.FLOORS]
    return {
        "seconds": seconds,
        "marts": marts,
        "floor_mismatches": mismatches,
        "floor_covers": {m: floor.COVERS[m] for m in marts},
        "columns_without_floor": uncovered,
        "no_floor": without,
    }


def step_reconcile(settings: Settings, cfg: dict[str, Any]) -> Result:
    """Marts vs the generator's ground truth (correctness; the Meta check is timed)."""
    preset = get_preset(cfg["scale"])
    with connect_duckdb(settings, read_only=True) as con:
        took, truth = timed(
            lambda: reconcile.placement_truth_mismatches(con, preset, cfg["seed"], cfg["day_to"])
        )
        tiktok = reconcile.tiktok_placement_truth_mismatches(
            con, preset, cfg["seed"], cfg["day_to"]
        )
        gaps = reconcile.reporting_total_gaps(con)
    return {
        "seconds": [took],
        "truth_mismatches": truth,
        "tiktok_truth_mismatches": tiktok,
        "reporting_gaps": gaps,
    }


def step_daily(settings: Settings, cfg: dict[str, Any]) -> Result:
    """Append one new day, then the daily run: ``dbt build`` as the pipeline runs it every day
    (incremental marts rebuild the new day plus their lookback), and the incremental floor."""
    preset = get_preset(cfg["scale"])
    day = cfg["day_to"]
    appended = generate(settings.warehouse_path, preset, cfg["seed"], day_from=day, day_to=day + 1)
    build = dbt_runner.build(settings, [], f"bench-daily-{day}")
    since = preset.first_day + timedelta(days=day - settings.meta.lookback_days)
    with connect_duckdb(settings) as con:
        incremental, _ = timed(
            lambda: floor.refresh_placement_since(con, since, *_floor_args(settings))
        )
        mart = "fct_placement_performance_daily"
        mismatches = reconcile.floor_mismatches(
            con, f"marts.{mart}", f"{floor.SCHEMA}.{mart}", floor.COVERS[mart]
        )
    return {
        "seconds": [build.wall_s],
        "split": build.split(),
        "node_seconds": build.node_seconds,
        "floor_incremental_seconds": incremental,
        "append_seconds": appended.seconds,
        "floor_mismatches": mismatches,
        "new_day": (preset.first_day + timedelta(days=day)).isoformat(),
        "lookback_days": settings.meta.lookback_days,
    }


def step_gate(settings: Settings, cfg: dict[str, Any]) -> Result:
    """The Great Expectations gate (``expectations.gate.run_gate``)."""
    from expectations.gate import run_gate

    seconds, passed = [], None
    for i in range(cfg["repeats"]):
        took, outcome = timed(lambda run_id=f"bench-gate-{i}": run_gate(settings, run_id))
        seconds.append(took)
        passed = outcome.passed
    return {"seconds": seconds, "passed": passed}


def step_gate_sql(settings: Settings, cfg: dict[str, Any]) -> Result:
    """The same expectations as plain SQL."""
    checks, untranslated = gate_sql.gate_checks()
    seconds, violations = [], []
    with connect_duckdb(settings, read_only=True) as con:
        for _ in range(cfg["repeats"]):
            took, violations = timed(lambda: gate_sql.run_checks(con, checks))
            seconds.append(took)
    return {
        "seconds": seconds,
        "checks": len(checks),
        "failed_checks": sum(1 for v in violations if v),
        "untranslated": untranslated,
    }


def step_publish(settings: Settings, cfg: dict[str, Any]) -> Result:
    """Gate then publish (the pipeline's order) so the dashboards read a real publication."""
    from expectations.gate import run_gate
    from socialmart.publish import publish

    run_id = "bench-publish"
    outcome = run_gate(settings, run_id)
    took, result = timed(lambda: publish(settings, run_id)) if outcome.passed else (0.0, None)
    return {"seconds": [took], "gate_passed": outcome.passed, "published": result is not None}


def step_dashboard(settings: Settings, cfg: dict[str, Any]) -> Result:
    """Every dashboard page's queries on the published marts (``bench.dashboard_latency``):
    p50 / p95 in milliseconds per query and overall.

    Raises:
        RuntimeError: Nothing dated is published (the publish step failed).
    """
    from bench.dashboard_latency import measure

    took, measured = timed(lambda: measure(settings.published_dir, cfg["query_repeats"]))
    if "error" in measured:
        raise RuntimeError(measured["error"])
    return {**measured, "seconds": [took]}


def step_load_path(settings: Settings, cfg: dict[str, Any]) -> Result:
    """Real Meta extract from the stand-in, then load_spool vs DuckDB's read_json on its
    pages, and on bulk pages cut from the generated warehouse (``bench.bulk_pages``)."""
    import os

    from connectors.common.spool import read_manifest
    from sandbox.client_env import client_env
    from sandbox.server import serve_in_thread
    from socialmart import pipeline

    work = Path(tempfile.mkdtemp(prefix="bench-load-", dir=settings.home))
    try:
        with serve_in_thread(port=0, seed=cfg["seed"]) as running:
            port = running.base_url.rsplit(":", 1)[1]
            os.environ.update(
                client_env()
                | {
                    "SANDBOX_PORT": port,
                    "SANDBOX_SEED": str(cfg["seed"]),
                    "SOCIALMART_HOME": str(work / "home"),
                    "META_GRAPH_BASE_URL": f"{running.base_url}/graph.facebook.com",
                }
            )
            extract_settings = load_settings()
            end = date(2026, 10, 4)
            window = pipeline.Window(end - timedelta(days=cfg["load_days"] - 1), end)
            extract_s, outcome = timed(
                lambda: pipeline.extract(extract_settings, window, "bench-load", ("meta",))
            )
        spool = pipeline.run_spool_dir(extract_settings, "bench-load")
        pages = work / "pages"
        shutil.copytree(spool, pages)
        manifests = [read_manifest(p) for p in outcome.manifests]
        rows = sum(m.row_count for m in manifests)
        requests = sum(m.request_count for m in manifests)
        # One synchronous date span per unit (Meta: try sync first; the extract goes async
        # only past META_ASYNC_THRESHOLD_DAYS, far above load_days). The account listing
        # (me/adaccounts) has no manifest and is counted on neither side.
        minimum = sum(
            max(1, math.ceil(m.row_count / MAX_PAGE_SIZE.get(m.source, 100))) for m in manifests
        )
        land_s, floor_s = _land_vs_read_json(settings, work / "stand-in", pages, manifests, cfg)
        bulk_dir = work / "bulk-pages"
        with connect_duckdb(settings, read_only=True) as con:
            bulk = bulk_pages.write_pages(con, bulk_dir, "bench-load", cfg["bulk_days"])
        bulk_land_s, bulk_floor_s = _land_vs_read_json(settings, work / "bulk", bulk_dir, bulk, cfg)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "seconds": land_s,
        "floor_seconds": floor_s,
        "extract_seconds": extract_s,
        "rows": rows,
        "units": len(manifests),
        "requests": requests,
        "min_requests": minimum,
        "window_days": cfg["load_days"],
        "bulk": {
            "seconds": bulk_land_s,
            "floor_seconds": bulk_floor_s,
            "rows": sum(m.row_count for m in bulk),
            "units": len(bulk),
            "days": cfg["bulk_days"],
        },
    }


def _land_vs_read_json(
    settings: Settings, work: Path, pages: Path, manifests: list, cfg: dict[str, Any]
) -> tuple[list[float], list[float]]:
    """Seconds of ``load_spool`` and of the ``read_json`` floor on the same pages, each
    into a fresh database, ``repeats`` times after one untimed warm-up (one-time imports
    DuckDB's client makes on first use)."""
    from connectors.common.land import load_spool
    from connectors.common.streams import get_stream

    work.mkdir(parents=True)
    land_s, floor_s = [], []
    for i in range(cfg["repeats"] + 1):
        run_dir = work / f"land-{i}"
        shutil.copytree(pages, run_dir)
        with connect_duckdb(settings, work / f"land-{i}.duckdb") as con:
            land, _ = timed(lambda c=con, d=run_dir: load_spool(c, d, "bench-load"))
        with connect_duckdb(settings, work / f"floor-{i}.duckdb") as con:
            peer, _ = timed(lambda c=con: _read_json_floor(c, pages, manifests, get_stream))
        shutil.rmtree(run_dir)
        for database in work.glob("*.duckdb*"):
            database.unlink()
        if i:
            land_s.append(land)
            floor_s.append(peer)
    return land_s, floor_s


def _read_json_floor(
    con: duckdb.DuckDBPyConnection, pages: Path, manifests: list, get_stream: Callable
) -> None:
    """DuckDB's JSON reader on the same page files: one typed table per stream."""
    by_stream: dict[tuple[str, str], list[str]] = {}
    for m in manifests:
        unit = pages / m.source / m.stream / m.account_id
        by_stream.setdefault((m.source, m.stream), []).extend(str(unit / f) for f in m.files)
    for (source, stream), files in by_stream.items():
        if not files:
            continue
        spec = get_stream(source, stream)
        types = ", ".join(f"'{c}': '{t}'" for c, t in spec.columns.items())
        con.execute(
            f"create table {spec.raw_table} as select * from read_json($files, "
            f"format = 'array', columns = {{{types}}})",
            {"files": files},
        )


STEPS: dict[str, Callable[[Settings, dict[str, Any]], Result]] = {
    "generate": step_generate,
    "dbt_build": step_dbt_build,
    "dbt_run_floored": step_dbt_run_floored,
    "floor": step_floor,
    "reconcile": step_reconcile,
    "gate": step_gate,
    "gate_sql": step_gate_sql,
    "publish": step_publish,
    "dashboard": step_dashboard,
    "daily": step_daily,
    "load_path": step_load_path,
}


def main(registry: dict[str, Callable[[Settings, dict[str, Any]], Result]] = STEPS) -> None:
    """Run one step of ``registry``; print its result, timing summary and peak memory (of
    this process and of its largest child, e.g. dbt) as JSON."""
    name, cfg = sys.argv[1], json.loads(sys.argv[2])
    result = registry[name](load_settings(), cfg)
    seconds = result.get("seconds") or [0.0]
    result.update(
        min_s=min(seconds),
        median_s=statistics.median(seconds),
        max_s=max(seconds),
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        children_peak_rss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    )
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
