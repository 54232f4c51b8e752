"""The shapes of socialmart's DAGs; the DAG files call these and stay two lines long.

Parse-time code only: it imports Airflow, Cosmos and the settings module, never a connector,
DuckDB, dbt or GX (task bodies import those at run time via ``socialmart.orchestration``).
"""

from __future__ import annotations

import functools
import logging
import operator
import warnings
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.sdk import DAG, Asset, CronDataIntervalTimetable, Param, dag, task, task_group

from socialmart.settings import DBT_BUILD_FLAGS, load_settings

OWNER = "socialmart"
WAREHOUSE_POOL = "warehouse_writer"
"""Every task that writes the warehouse (load, dbt, gate, publish). Its slots are
``settings.warehouse_pool_slots``: one on DuckDB (one writer per file), so every such task runs
alone; on PostgreSQL a load takes one slot (loads of several sources at once) and the transform
DAG's tasks take them all (:func:`_whole_pool`), so builds, gates and publishes still run alone."""
START_DATE = pendulum.datetime(2026, 1, 1, tz="UTC")
INGEST_CRON = "0 3 * * *"
TRANSFORM_DAG_ID = "transform_publish"
DEFAULT_ARGS = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=20),
    "execution_timeout": timedelta(hours=1),
}
INGEST_RUN_TIMEOUT = timedelta(hours=4)
TRANSFORM_RUN_TIMEOUT = timedelta(hours=2)
#: How long a transform run waits for ingest runs still in flight before it builds anyway.
INGEST_SETTLE_MAX_WAIT = timedelta(minutes=45)
WINDOW_PARAMS = {
    "start": Param(None, type=["null", "string"], format="date", description="first day"),
    "end": Param(None, type=["null", "string"], format="date", description="last day"),
}

INGEST_DOC = """
### ingest_{source}

Pulls every configured **{source}** account for the run's report days into the spool, one
mapped `extract` task per account, then merges the spool into the versioned raw tables in one
`load` task (the only warehouse writer of this DAG). On success it updates the assets
{assets}, which triggers `{transform}`.

**Window.** A scheduled run (daily, UTC) covers its data interval plus the source's lookback
(the platform restates recent days). Trigger with `{{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}}`
to (re)load exactly that range (backfills); re-running a range is safe (raw tables keep one
row per distinct version).

**No accounts.** A source with no configured (or visible) accounts pulls nothing: `extract`
and `load` are *skipped* (the load's log names the settings), no asset event is emitted,
and the skip shows on the data-health page ("Skipped sources").

**When it fails.**
- *plan*: the credential cannot list accounts; the log names the setting to fix.
- *extract [n]*: that account failed; the others go on. Throttling and transient errors were
  already retried; a fatal error (expired token, missing permission) fails at once and the
  message names the fix. Fix it, then clear the task.
- *load*: loads what was extracted, then fails if an account is missing, so the transform
  DAG is not triggered with partial data. Readers keep the previous publication.
"""

TRANSFORM_DOC = """
### {dag_id}

Runs when any ingest DAG updated a raw table. It first waits while other ingest runs are
still queued or running (`wait_for_ingests`, at most 45 minutes), so the day's sources are
built together; a run whose loads an earlier run already built is skipped (`has_new_loads`;
runs triggered by hand always build). Then it checks the latest raw loads (raw gate),
builds the dbt project (one `dbt build` task whose log lists every model and test; with
`SOCIALMART_DBT_TASKS=per_node` each is also its own task, via Cosmos),
validates the marts with the quality gate, and publishes them atomically to readers
(dashboards, BI tools).

**When it fails.**
- *validate_raw*: a raw table broke its contract (missing column, wrong type, negative money,
  dates outside the requested window, unknown currency). Nothing is built or published; the
  failing expectations are in the message, `audit.gate_results` and the Data Docs under
  `<SOCIALMART_HOME>/data_docs/`. Fix the source (or the connector) and re-run the ingest.
- *dbt* tasks: the failing model or test is the red task; its log has dbt's message. The
  warehouse keeps the last good marts; nothing is published.
- *validate*: the quality gate blocked publishing (no retry: a retry cannot fix data). The
  failing expectations are in the message and in `audit.gate_results`. Readers still see the
  previous publication, byte-identical. Fix the data (or the source) and re-run an ingest.
- *publish*: the swap did not happen; readers see the previous publication. Clear the task.

Re-running this DAG by hand (trigger, no params) rebuilds and republishes from the raw tables.
"""


def _whole_pool() -> dict:
    """Task arguments that take every slot of the writer pool (the run lock's exclusive mode)."""
    return {"pool": WAREHOUSE_POOL, "pool_slots": load_settings().warehouse_pool_slots}


def _schedule_end() -> pendulum.DateTime | None:
    """``SOCIALMART_SCHEDULE_END`` (end of that day, UTC), or None: the schedule never ends."""
    raw = load_settings().stack.schedule_end
    return pendulum.parse(raw, tz="UTC").end_of("day") if raw else None


def ingest_dag(source: str, outlets: Sequence[Asset]) -> DAG:
    """The ingestion DAG of one registered source (dag_id ``ingest_<source>``).

    Args:
        source: A name in ``connectors.sources.SOURCE_NAMES``.
        outlets: The assets of the source's raw tables (``dags/assets.py``).
    """
    tables = ", ".join(f"`{asset.name}`" for asset in outlets) or "(none)"

    @dag(
        dag_id=f"ingest_{source}",
        schedule=CronDataIntervalTimetable(INGEST_CRON, timezone="UTC"),
        start_date=START_DATE,
        end_date=_schedule_end(),
        catchup=False,
        max_active_runs=1,
        # A run that cannot finish (a task left deferred or running by a crash the heartbeat
        # check missed) is failed by the scheduler after this, so it never blocks the next.
        dagrun_timeout=INGEST_RUN_TIMEOUT,
        tags=["ingest", source],
        doc_md=INGEST_DOC.format(source=source, assets=tables, transform=TRANSFORM_DAG_ID),
        default_args=DEFAULT_ARGS,
        params=WINDOW_PARAMS,
    )
    def ingest() -> None:
        # One task for the window and the accounts (each task start costs a process, and six
        # DAGs start theirs together): one extract per element.
        @task
        def plan(params=None, data_interval_start=None, data_interval_end=None) -> list[dict]:
            from socialmart.orchestration import source_accounts, source_window

            window = source_window(source, params, data_interval_start, data_interval_end)
            return [{"account": account, "window": window} for account in source_accounts(source)]

        @task(execution_timeout=timedelta(hours=3), max_active_tis_per_dagrun=4)
        def extract(account: str, window: dict, run_id=None) -> dict:
            from socialmart.orchestration import extract_source_account

            return extract_source_account(source, account, window, run_id)

        @task(trigger_rule="all_done", outlets=list(outlets), pool=WAREHOUSE_POOL)
        def load(planned: list[dict], ti=None, run_id=None, outlet_events=None) -> dict:
            from socialmart.orchestration import extracted_accounts, load_run, skip_unconfigured

            accounts = [one["account"] for one in planned]
            skip_unconfigured(source, accounts, run_id)  # no accounts: skipped, no asset event
            counts = load_run(source, run_id, accounts, extracted_accounts(ti, accounts))
            for asset in outlets:
                outlet_events[asset].extra = counts.get(asset.name, {})
            return counts

        planned = plan()
        # The load reads which extracts succeeded from their task states, not their XComs: a
        # failed extract has none, and asking for it logs an error per account.
        extract.expand_kwargs(planned) >> load(planned)

    return ingest()


def transform_dag(assets: Sequence[Asset], manifest_path: Path | None = None) -> DAG:
    """The asset-triggered DAG: dbt build, gate, publish.

    Args:
        assets: Raw-table assets; any of them updated triggers a run.
        manifest_path: dbt's ``manifest.json`` to render per-model tasks from when
            ``SOCIALMART_DBT_TASKS=per_node``. Default: ``<dbt target dir>/manifest.json``
            (``make setup`` and the demo write it). Otherwise, or without a manifest, the DAG
            builds dbt in one task (same result; its log lists every model).
    """
    manifest = manifest_path or load_settings().dbt_target_dir / "manifest.json"

    @dag(
        dag_id=TRANSFORM_DAG_ID,
        schedule=functools.reduce(operator.or_, assets) if assets else None,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        dagrun_timeout=TRANSFORM_RUN_TIMEOUT,
        tags=["transform", "dbt", "gate", "publish"],
        doc_md=TRANSFORM_DOC.format(dag_id=TRANSFORM_DAG_ID),
        default_args=DEFAULT_ARGS,
        render_template_as_native_obj=True,
    )
    def transform() -> None:
        whole_pool = _whole_pool()

        # Poke mode, every second: a day's last ingest is usually seconds away, and a poke
        # is six cheap API calls. In reschedule mode a 30 s interval cost 18 s of a 100 s
        # run (make bench-airflow), and a 5 s one raced Airflow: the executor reported the
        # previous poke after the task was queued again, and the scheduler failed it
        # ("finished with state success, but the task instance's state attribute is
        # queued"). The price: one worker slot while it waits.
        @task.sensor(poke_interval=1, timeout=TRANSFORM_RUN_TIMEOUT, mode="poke")
        def wait_for_ingests(ti=None, dag_run=None) -> bool:
            from socialmart.orchestration import ingests_in_flight

            busy = ingests_in_flight(ti)
            waited = pendulum.now("UTC") - dag_run.start_date
            if busy and waited < INGEST_SETTLE_MAX_WAIT:
                logging.getLogger(__name__).info("waiting for %s", ", ".join(busy))
                return False
            return True

        @task.short_circuit(**whole_pool)
        def has_new_loads(dag_run=None, run_id=None) -> bool:
            from socialmart.orchestration import transform_has_work

            return transform_has_work(dag_run.run_type, run_id)

        @task(retries=0, **whole_pool)
        def validate_raw(run_id=None) -> None:
            from socialmart import pipeline
            from socialmart.orchestration import fail_without_retry, task_settings

            settings, run = task_settings(), pipeline.safe_run_id(run_id)
            fail_without_retry(lambda: pipeline.validate_raw(settings, run))

        per_node = load_settings().stack.dbt_tasks == "per_node" and manifest.exists()
        built = _dbt_group(manifest) if per_node else _dbt_single_task()
        wait_for_ingests() >> has_new_loads() >> validate_raw() >> built

        @task(retries=0, **whole_pool)
        def validate(run_id=None) -> None:
            from socialmart import pipeline
            from socialmart.orchestration import fail_without_retry, task_settings

            settings, run = task_settings(), pipeline.safe_run_id(run_id)
            fail_without_retry(lambda: pipeline.validate(settings, run))

        @task(**whole_pool)
        def publish(run_id=None) -> None:
            from socialmart import pipeline
            from socialmart.orchestration import task_settings

            pipeline.publish(task_settings(), pipeline.safe_run_id(run_id))

        built >> validate() >> publish()

    return transform()


def _dbt_single_task():
    @task(**_whole_pool())
    def dbt_build(run_id=None) -> None:
        from socialmart import pipeline
        from socialmart.orchestration import task_settings

        pipeline.transform(task_settings(), pipeline.safe_run_id(run_id))

    return dbt_build()


class _DropOperationNodeWarnings(logging.Filter):
    """Cosmos warns once per dbt operation node (the project's on-run-start/end hooks) on every
    parse that it has no task for it: ~200 lines an hour from the dag-processor alone. The
    hooks run inside the producer's one ``dbt build``; no task is wanted for them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Unavailable conversion function for <DbtResourceType.OPERATION>" not in str(
            record.msg
        )


logging.getLogger("cosmos.airflow.graph").addFilter(_DropOperationNodeWarnings())
# The standard provider's PythonSensor (behind `@task.sensor`) imports a name Airflow 3.3
# deprecated; the warning would open every task log of the transform DAG. Nothing to fix here.
warnings.filterwarnings(
    "ignore", message=r"The `airflow\.utils\.operator_helpers\.determine_kwargs` attribute"
)


@task_group(group_id="dbt_build")
def _dbt_group(manifest: Path) -> None:
    """begin -> Cosmos watcher group (one ``dbt build``, a task per node) -> end."""
    from cosmos import (
        DbtTaskGroup,
        ExecutionConfig,
        ExecutionMode,
        LoadMode,
        ProfileConfig,
        ProjectConfig,
        RenderConfig,
    )

    settings = load_settings()
    project = settings.dbt_project_dir

    @task(**_whole_pool())
    def begin(run_id=None) -> dict:
        from socialmart.orchestration import begin_dbt_build

        return begin_dbt_build(run_id)

    @task(**_whole_pool())
    def end(build: dict, run_id=None) -> None:
        from socialmart.orchestration import end_dbt_build

        end_dbt_build(run_id, build["started_at"])

    build = begin()
    models = DbtTaskGroup(
        group_id="models",
        project_config=ProjectConfig(
            dbt_project_path=project, manifest_path=manifest, project_name="socialmart"
        ),
        profile_config=ProfileConfig(
            profile_name="socialmart",
            target_name=settings.dbt_target,
            profiles_yml_filepath=project / "profiles.yml",
        ),
        execution_config=ExecutionConfig(execution_mode=ExecutionMode.WATCHER),
        render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST),
        operator_args={
            "vars": "{{ ti.xcom_pull(task_ids='dbt_build.begin')['vars'] }}",
            "env": "{{ ti.xcom_pull(task_ids='dbt_build.begin')['env'] }}",
            "append_env": True,
            "install_deps": False,
            "dbt_cmd_flags": list(DBT_BUILD_FLAGS),  # the producer's `dbt build`, as the pipeline's
            "poke_interval": 2,
        },
        default_args=DEFAULT_ARGS,
    )
    _run_producer_first(models)
    build >> models >> end(build)


def _run_producer_first(models) -> None:
    """Put Cosmos's producer (the one ``dbt build``) before the per-node watcher tasks, in
    the warehouse writer pool (all of it).

    Cosmos does this for a ``DbtDag`` but leaves the two parallel inside a ``DbtTaskGroup``.
    ``airflow dags test`` runs one task at a time: when it picks a watcher first, the watcher's
    inline trigger waits forever for a producer that never starts. The first watchers get
    ``trigger_rule="all_done"`` (not Cosmos's "always", which ignores upstream entirely), so
    they wait for the build and still report their own node when it fails.
    """
    from cosmos.constants import PRODUCER_WATCHER_DONE_TASK_ID, PRODUCER_WATCHER_TASK_ID

    producer_ids = {
        f"{models.group_id}.{task_id}"
        for task_id in (PRODUCER_WATCHER_TASK_ID, PRODUCER_WATCHER_DONE_TASK_ID)
    }
    producer = models.children[f"{models.group_id}.{PRODUCER_WATCHER_TASK_ID}"]
    # Only the producer writes the warehouse; the watchers only read its results, so they
    # stay out of the writer pool (holding it, they would stall every ingest's load).
    whole_pool = _whole_pool()
    producer.pool, producer.pool_slots = whole_pool["pool"], whole_pool["pool_slots"]
    for root in models.get_roots():
        if root.task_id not in producer_ids:
            producer >> root
            root.trigger_rule = "all_done"
