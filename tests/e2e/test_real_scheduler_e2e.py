"""The pipeline under a real scheduler: the supervised stack (`make airflow`: PostgreSQL
metadata DB, api-server, scheduler, dag-processor, triggerer) on free loopback ports, the ingest
DAG triggered through the REST API, the transform DAG started by the raw-table assets.

Its own module so that, with tests spread over workers, it runs beside the other end-to-end
tests instead of after them.
"""

import socket
from datetime import UTC, datetime, time, timedelta

import pytest
from e2e_support import SEED, WINDOW, all_text, assert_no_secret_in, published_run_id

from devtools.reconcile import reconcile_placements
from socialmart.airflow_env import AirflowStack
from socialmart.settings import load_settings

pytestmark = pytest.mark.e2e


def _task_instances(stack, dag_id: str, run_id: str) -> list[dict]:
    """Every task instance of a run, page by page (the API caps a page at 100)."""
    tasks: list[dict] = []
    while True:
        page = stack.api(
            "GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=100&offset={len(tasks)}"
        )
        tasks += page["task_instances"]
        if not page["task_instances"] or len(tasks) >= page["total_entries"]:
            return tasks


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_real_scheduler_runs_ingest_then_the_asset_triggered_transform(settings, monkeypatch):
    # The supervised stack (PostgreSQL metadata DB) on free ports; the module's stand-in serves.
    monkeypatch.setenv("AIRFLOW_DB_PORT", str(_free_port()))
    monkeypatch.setenv("STACK_STANDIN", "off")
    # Unpausing starts no run of today (its window would leave a gap the mart gate blocks).
    day_after = WINDOW.end + timedelta(days=1)
    monkeypatch.setenv("SOCIALMART_SCHEDULE_END", day_after.isoformat())
    settings = load_settings()
    with AirflowStack(settings, _free_port()) as stack:
        stack.wait_until_ready(["ingest_meta", "transform_publish"], timeout=90)
        for dag_id in ("ingest_meta", "transform_publish"):
            stack.api("PATCH", f"/dags/{dag_id}", {"is_paused": False})
        logical_date = datetime.combine(day_after, time(3), UTC)
        run_id = stack.trigger("ingest_meta", WINDOW.as_dict(), logical_date)
        stack.wait_for_run("ingest_meta", timeout=1200, run_id=run_id)
        newest = stack.wait_until_idle("transform_publish", timeout=1200)
        assert newest["state"] == "success", newest
        assert newest["run_type"] == "asset_triggered"
        tasks = _task_instances(stack, "transform_publish", newest["dag_run_id"])
    assert {"validate_raw", "dbt_build", "validate", "publish"} <= {t["task_id"] for t in tasks}
    assert all(t["state"] == "success" for t in tasks)

    verdict = reconcile_placements(
        settings.published_marts_path, SEED, WINDOW.start, WINDOW.end, platforms=("meta",)
    )
    assert verdict.ok, verdict.mismatches[:5]
    assert published_run_id(settings).startswith("asset_triggered__")
    assert_no_secret_in(all_text(settings), settings)
