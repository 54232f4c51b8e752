"""What Airflow and Cosmos add: the same window through `socialmart run` and through the DAGs.

Usage: ``python -m bench.airflow_overhead --days 7`` (``make bench-airflow``).

One throw-away stack (the soak's: ``var/bench-airflow``, free loopback ports, its stand-in
with the clock 30 days after the window, when every conversion is final) serves both paths,
one after the other, each on an empty warehouse of its own:

1. ``socialmart run --start S --end E``: every source's accounts, load, dbt build, gate,
   publish, in one process (the stack's stand-in identities, so every source is on).
2. Every ingest DAG triggered with the same window (``{"start": S, "end": E}``), the transform
   DAG following through the raw-table assets, timed from the first ingest run's start to
   the end of the last transform run (Airflow's own timestamps).

Both publications are reconciled with the stand-in's truth. The result is one JSON line (and
``var/bench-airflow-result.json``); BENCHMARKS.md records it. Goal (issue 14): the DAGs take
at most 1.2x the CLI's wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from devtools.soak import SETTLE_DAYS, Soak, dag_ids, result_path
from socialmart.orchestration import ingest_dag_ids
from socialmart.settings import PROJECT_ROOT

DEFAULT_END = date(2026, 10, 31)
GOAL_RATIO = 1.2


class Overhead(Soak):
    """Reuses the soak's throw-away stack, clock and settling logic."""

    def cli_run(self, start: date, end: date) -> float:
        """`socialmart run` on its own warehouse; returns its wall seconds."""
        from socialmart.airflow_env import standin_env

        cli_home = Path(self.home) / "cli"
        env = {
            **os.environ,
            **standin_env(self.settings),
            "SOCIALMART_WAREHOUSE_PATH": str(cli_home / "warehouse.duckdb"),
            "SOCIALMART_PUBLISHED_DIR": str(cli_home / "published"),
            "SOCIALMART_SPOOL_DIR": str(cli_home / "spool"),
        }
        began = time.monotonic()
        window = ["--start", str(start), "--end", str(end)]
        subprocess.run(
            [sys.executable, "-m", "socialmart.cli", "run", *window],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
        )
        return time.monotonic() - began

    def task_timeline(self, runs: list[dict]) -> list[dict]:
        """Every task try of ``runs``, in seconds from the first run's start: when it was
        queued, started and ended (Airflow's timestamps), ordered by start."""
        origin = min(datetime.fromisoformat(run["start_date"]) for run in runs)

        def offset(stamp: str | None) -> float | None:
            return (
                None
                if stamp is None
                else round((datetime.fromisoformat(stamp) - origin).total_seconds(), 2)
            )

        tasks = []
        for run in runs:
            path = f"/dags/{run['dag_id']}/dagRuns/{run['dag_run_id']}/taskInstances?limit=1000"
            for ti in self.client.api("GET", path)["task_instances"]:
                if ti["start_date"] is None:
                    continue  # skipped before it started
                name = ti["task_id"] + (f"[{ti['map_index']}]" if ti["map_index"] >= 0 else "")
                tasks.append(
                    {
                        "dag_id": run["dag_id"],
                        "task": name,
                        "state": ti["state"],
                        "queued": offset(ti.get("queued_when")),
                        "started": offset(ti["start_date"]),
                        "ended": offset(ti["end_date"]),
                    }
                )
        return sorted(tasks, key=lambda task: task["started"])

    def dag_run(self, start: date, end: date) -> tuple[float, int, list[dict]]:
        """Every ingest DAG on the window; seconds from the first start to the last end, the
        transform runs, and every task try (:meth:`task_timeline`)."""
        window = {"start": start.isoformat(), "end": end.isoformat()}
        logical = datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC)
        for dag_id in ingest_dag_ids():
            self.client.trigger(dag_id, window, logical + timedelta(hours=3))
        self.wait_until_settled("triggered window")
        runs = [run for dag_id in dag_ids() for run in self.runs(dag_id)]
        failed = [run["dag_run_id"] for run in runs if run["state"] != "success"]
        if failed:
            raise RuntimeError(f"runs did not succeed: {failed}; see {self.home}/airflow")
        first = min(datetime.fromisoformat(run["start_date"]) for run in runs)
        last = max(datetime.fromisoformat(run["end_date"]) for run in runs)
        transforms = sum(run["dag_id"] == "transform_publish" for run in runs)
        return (last - first).total_seconds(), transforms, self.task_timeline(runs)


def _reconciled(settings_path: Path, seed: int, start: date, end: date) -> int:
    from devtools.reconcile import reconcile_placements

    verdict = reconcile_placements(settings_path, seed, start, end)
    if not verdict.ok:
        mismatches = verdict.mismatches[:3]
        raise RuntimeError(f"{settings_path}: marts differ from the truth: {mismatches}")
    return verdict.compared_rows


def measure(days: int, end: date, home: str) -> dict:
    start = end - timedelta(days=days - 1)
    bench = Overhead(days, start, home)
    bench.configure()
    # Long after the window, as the soak's settling pull: every conversion is final, so both
    # publications can equal the (fully matured) truth.
    bench.set_clock(datetime.combine(end + timedelta(days=SETTLE_DAYS), datetime.min.time(), UTC))
    bench.start_stack()
    bench.wait_until_settled("runs started by unpausing (none expected)")
    try:
        cli_seconds = bench.cli_run(start, end)
        dag_seconds, transform_runs, tasks = bench.dag_run(start, end)
    finally:
        bench.stop_stack()
    seed = bench.settings.sandbox_seed
    rows = _reconciled(Path(home) / "cli" / "published" / "marts.duckdb", seed, start, end)
    _reconciled(bench.settings.published_marts_path, seed, start, end)
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "window": [start.isoformat(), end.isoformat()],
        "executor": bench.settings.stack.executor,
        "cli_seconds": round(cli_seconds, 1),
        "dag_seconds": round(dag_seconds, 1),
        "ratio": round(dag_seconds / cli_seconds, 2),
        "goal_ratio": GOAL_RATIO,
        "transform_runs": transform_runs,
        "reconciled_rows": rows,
        "load_average": os.getloadavg(),
        "tasks": tasks,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.airflow_overhead", description=__doc__)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--end", type=date.fromisoformat, default=DEFAULT_END)
    parser.add_argument("--home", default=str(PROJECT_ROOT / "var" / "bench-airflow"))
    args = parser.parse_args(argv)
    result = measure(args.days, args.end, args.home)
    result_path(args.home).write_text(json.dumps(result, indent=2))
    print(json.dumps({key: value for key, value in result.items() if key != "tasks"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
