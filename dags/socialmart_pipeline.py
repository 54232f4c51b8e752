"""
### socialmart_pipeline

Pulls Meta ads insights for the run's days, loads them into the versioned raw tables,
builds the dbt models, validates the marts with the quality gate and publishes them to
readers (dashboards, BI tools) in one atomic swap.

**Window.** A scheduled run covers the days of its data interval. Trigger with
`{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}` to (re)load any range: every step is
idempotent, so re-running a range is safe.

**When it fails.**
- *load*: some accounts could not be extracted (the message names them and the fix). The
  other accounts' data is loaded; nothing is published until the run succeeds. Throttling
  and transient errors are retried automatically before an account counts as failed.
- *validate*: the quality gate blocked publishing; the failing expectations are in the task
  log and in `audit.gate_results`. Readers still see the previous publication, unchanged.
- *dbt_build*: a model or dbt test failed; the log names the node.
"""

from datetime import timedelta

import pendulum
from airflow.sdk import CronDataIntervalTimetable, Param, dag, task

from socialmart.orchestration import (
    fail_if_accounts_failed,
    fail_without_retry,
    plan_window,
    task_settings,
)


@dag(
    schedule=CronDataIntervalTimetable("0 4 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["pipeline", "meta"],
    doc_md=__doc__,
    default_args={"owner": "socialmart", "retries": 2, "retry_delay": timedelta(minutes=2)},
    params={
        "start": Param(None, type=["null", "string"], format="date", description="first day"),
        "end": Param(None, type=["null", "string"], format="date", description="last day"),
    },
)
def socialmart_pipeline():
    @task
    def plan(params=None, data_interval_start=None, data_interval_end=None) -> dict:
        return plan_window(params, data_interval_start, data_interval_end)

    @task
    def extract(window: dict, run_id=None) -> dict:
        from dataclasses import asdict

        from socialmart import pipeline

        settings, run = task_settings(), pipeline.safe_run_id(run_id)
        outcome = pipeline.extract(settings, pipeline.Window.parse(**window), run)
        return {"run": run, "failures": [asdict(f) for f in outcome.failures]}

    @task
    def load(extracted: dict) -> str:
        from socialmart import pipeline

        pipeline.load(task_settings(), extracted["run"])
        fail_if_accounts_failed(extracted["failures"])
        return extracted["run"]

    @task
    def dbt_build(run: str) -> str:
        from socialmart import pipeline

        pipeline.transform(task_settings(), run)
        return run

    @task
    def validate(run: str) -> str:
        from socialmart import pipeline

        settings = task_settings()
        fail_without_retry(lambda: pipeline.validate(settings, run))
        return run

    @task
    def publish(run: str) -> None:
        from socialmart import pipeline

        pipeline.publish(task_settings(), run)

    publish(validate(dbt_build(load(extract(plan())))))


pipeline_dag = socialmart_pipeline()

if __name__ == "__main__":
    pipeline_dag.test()
