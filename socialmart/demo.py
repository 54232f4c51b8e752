"""`socialmart demo`: the whole pipeline through Airflow against the stand-in APIs.

Starts the stand-in in this process, runs the pipeline DAG once with `airflow dags test` for a
fixed demo window (so the story in the data, e.g. Threads switched on inside an Advantage+
campaign on 2026-10-01, is always visible), reconciles the published marts with the stand-in's
ground truth and prints where to look.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta

from socialmart.airflow_env import airflow_command, airflow_env, migrate_metadata_db
from socialmart.settings import PROJECT_ROOT, Settings

DEMO_START = date(2026, 9, 1)
DEMO_END = date(2026, 10, 31)
PIPELINE_DAG_ID = "socialmart_pipeline"


def run_pipeline_dag(settings: Settings, start: date, end: date) -> None:
    """Run the pipeline DAG once for a window with `airflow dags test`; raise if it fails."""
    logical_date = (end + timedelta(days=1)).isoformat()
    conf = json.dumps({"start": start.isoformat(), "end": end.isoformat()})
    result = subprocess.run(
        airflow_command("dags", "test", PIPELINE_DAG_ID, logical_date, "--conf", conf),
        env=airflow_env(settings),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    log_path = settings.home / "demo-airflow.log"
    log_path.write_text(result.stdout + result.stderr)
    if result.returncode != 0 or "state=failed" in result.stdout + result.stderr:
        raise RuntimeError(f"the Airflow run failed; its log is in {log_path}")


def _print_summary(settings: Settings, start: date, end: date) -> bool:
    import duckdb

    from socialmart.reconcile import reconcile_placements

    with duckdb.connect(str(settings.published_marts_path), read_only=True) as con:
        spend = con.execute(
            """
            select account_currency, publisher_platform, sum(spend) as spend
            from fct_placement_performance_daily
            group by all order by 1, 3 desc
            """
        ).fetchall()
    print(f"\nPublished marts: {settings.published_marts_path}")
    print(f"Spend by placement platform, {start}..{end}:")
    for currency, platform, amount in spend:
        print(f"  {currency} {platform:<18} {amount:>14,.2f}")
    verdict = reconcile_placements(settings.published_marts_path, settings.sandbox_seed, start, end)
    if verdict.ok:
        print(f"Reconciled with the stand-in's ground truth: {verdict.compared_rows} rows, exact.")
    else:
        print(f"MISMATCH with ground truth in {len(verdict.mismatches)} rows, e.g.:")
        print(verdict.mismatches[:3])
    return verdict.ok


def run_demo(settings: Settings, start: date | None = None, end: date | None = None) -> int:
    """Run the demo and return a process exit code."""
    from sandbox.server import serve_in_thread

    start, end = start or DEMO_START, end or DEMO_END
    print("Preparing Airflow's metadata database ...")
    migrate_metadata_db(settings)
    print(f"Starting the stand-in APIs on port {settings.sandbox_port} ...")
    with serve_in_thread(port=settings.sandbox_port, seed=settings.sandbox_seed):
        print(f"Running DAG {PIPELINE_DAG_ID} for {start}..{end} through Airflow ...")
        run_pipeline_dag(settings, start, end)
    ok = _print_summary(settings, start, end)
    print("\nLook at it:")
    print("  make dashboard   -> http://127.0.0.1:8501 (spend by placement, Threads included)")
    print(f"  {settings.published_marts_path}: the published marts (open read-only, see README)")
    print(f"  Airflow task logs: {settings.home / 'demo-airflow.log'}")
    return 0 if ok else 1
