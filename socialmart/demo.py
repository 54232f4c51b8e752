"""`socialmart demo`: the whole pipeline through Airflow against the stand-in APIs.

Starts the stand-in in this process, runs every ingest DAG once with `airflow dags test` for a
fixed demo window (so the story in the data, e.g. Threads switched on inside an Advantage+
campaign on 2026-10-01, is always visible), then the transform DAG (dbt per model via Cosmos,
gate, publish; `dags test` does not follow asset triggers, so it runs explicitly), reconciles
the published marts with the stand-in's ground truth and prints where to look. The runs are
recorded in the local Airflow, so `make airflow` shows them in the UI.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date

from socialmart.airflow_env import airflow_command, airflow_env, prepare_airflow
from socialmart.orchestration import ingest_dag_ids
from socialmart.settings import PROJECT_ROOT, Settings

DEMO_START = date(2026, 9, 1)
DEMO_END = date(2026, 10, 31)
TRANSFORM_DAG_ID = "transform_publish"


def run_dag(settings: Settings, dag_id: str, conf: dict) -> None:
    """Run one DAG once with `airflow dags test`; raise if it fails.

    No logical date is given (it defaults to now): `dags test` records a run's start as its
    logical date, so a past date made every demo run last weeks (the window is in ``conf``).
    The log goes to ``<SOCIALMART_HOME>/airflow/dags-test/<dag_id>.log``.
    """
    log_path = settings.home / "airflow" / "dags-test" / f"{dag_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        airflow_command("dags", "test", dag_id, "--conf", json.dumps(conf)),
        env=airflow_env(settings),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    log_path.write_text(result.stdout + result.stderr)
    if result.returncode != 0 or "state=failed" in result.stdout + result.stderr:
        raise RuntimeError(f"the Airflow run of {dag_id} failed; its log is in {log_path}")


def run_pipeline_dags(settings: Settings, start: date, end: date) -> None:
    """Every ingest DAG for ``start..end`` (a backfill), then the transform DAG once."""
    for dag_id in ingest_dag_ids():
        print(f"  {dag_id} ...")
        run_dag(settings, dag_id, {"start": start.isoformat(), "end": end.isoformat()})
    print(f"  {TRANSFORM_DAG_ID} ...")
    run_dag(settings, TRANSFORM_DAG_ID, {})


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
    from sandbox.client_env import client_env
    from sandbox.server import serve_in_thread

    start, end = start or DEMO_START, end or DEMO_END
    for name, value in client_env().items():
        os.environ.setdefault(name, value)  # the DAG runs inherit it; explicit settings win
    print("Preparing Airflow (metadata database, warehouse pool, dbt manifest) ...")
    prepare_airflow(settings)
    print(f"Starting the stand-in APIs on port {settings.sandbox_port} ...")
    with serve_in_thread(port=settings.sandbox_port, seed=settings.sandbox_seed):
        print(f"Running the DAGs for {start}..{end} through Airflow:")
        run_pipeline_dags(settings, start, end)
    ok = _print_summary(settings, start, end)
    print("\nLook at it:")
    airflow_url = f"http://{settings.stack.bind_host}:{settings.stack.api_port}"
    dashboard_url = f"http://{settings.stack.bind_host}:{settings.stack.dashboard_port}"
    print(f"  make airflow     -> {airflow_url} (the daily pipeline under the real")
    print("                      scheduler; local only: no password,")
    print("                      every user is admin; `make airflow-stop` stops it)")
    print(f"  make dashboard   -> {dashboard_url} (Advantage+ placement split, creators,")
    print("                      cross-platform performance, data health)")
    print(f"  {settings.published_marts_path}: the published marts (open read-only, see README)")
    print(f"  Airflow task logs: {settings.home / 'airflow' / 'dags-test'}")
    return 0 if ok else 1
