"""The benchmarks of a preset on PostgreSQL: ``python -m bench.run --scale S --warehouse postgres``.

The bench starts its own throw-away cluster (:func:`bench.pg_cluster.throwaway`), runs each
step of :mod:`bench.pg_steps` in a child process against it, samples the server processes'
memory all along, and deletes the cluster at the end. Order: generate (DuckDB), copy the raw
tables into PostgreSQL, the raw-load benchmark, the full build, the ground-truth check, the
daily runs, the ground-truth check again on the last day.
"""

from __future__ import annotations

import json
import resource
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.run import BENCH_DIR, run_header, run_step, step_config, step_env

MODULE = "bench.pg_steps"
#: Steps before the daily runs, in order.
STEP_NAMES = ("generate", "copy_raw", "load_path", "dbt_build", "reconcile")


def run_postgres(
    scale: str,
    seed: int,
    timeout: float,
    limit_gb: float,
    on_progress: Callable[[dict[str, Any]], None],
    root: Path = BENCH_DIR,
) -> dict[str, Any]:
    """Run every PostgreSQL step of the preset on a throw-away cluster; the run's record
    (arguments as :func:`bench.run.run_all`). ``results["server_memory"]`` holds the server
    processes' peaks (:class:`bench.pg_cluster.ServerMemory`), ``results["runner_memory"]``
    this process's and its largest descendant's."""
    from bench.pg_cluster import throwaway, warehouse_env

    home = root / f"{scale}-postgres"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    cfg = step_config(scale, seed)
    results: dict[str, Any] = {}
    run = run_header(scale, seed, limit_gb, results)
    with throwaway(home) as (cluster, memory):
        env = {**step_env(home), **warehouse_env(cluster)}
        for name in STEP_NAMES:
            results[name] = run_step(name, cfg, env, timeout, limit_gb, MODULE)
            on_progress(run)
        results["daily"] = []
        for i in range(cfg["repeats"]):
            day_cfg = {**cfg, "day_to": cfg["day_to"] + i}
            results["daily"].append(run_step("daily", day_cfg, env, timeout, limit_gb, MODULE))
            on_progress(run)
        last = {**cfg, "day_to": cfg["day_to"] + cfg["repeats"]}
        results["reconcile_daily"] = run_step("reconcile", last, env, timeout, limit_gb, MODULE)
        memory.sample()
        results["server_memory"] = memory.result()
    # After the server stopped: its processes, reaped by the postmaster, count among the
    # children too (RUSAGE_CHILDREN is the largest of all descendants waited for).
    results["runner_memory"] = {
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }
    on_progress(run)
    return run


def latest_duckdb_run(scale: str, root: Path = BENCH_DIR) -> dict[str, Any] | None:
    """The newest DuckDB run of ``scale`` saved under ``root`` (``<stamp>-<scale>.json``), to
    show beside the PostgreSQL figures; None if there is none."""
    runs = sorted(root.glob(f"*-{scale}.json"))
    return json.loads(runs[-1].read_text(encoding="utf-8")) if runs else None
