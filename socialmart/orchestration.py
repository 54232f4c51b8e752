"""What socialmart's Airflow tasks do: windows, accounts, extract, load, build bookkeeping.

Called from inside tasks (run time), never at DAG parse time; the DAG shapes live in
``dags/factories.py``. Every function calls the same pipeline steps as ``socialmart run``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from socialmart.settings import Settings, load_settings

T = TypeVar("T")
log = logging.getLogger(__name__)


def task_settings() -> Settings:
    """Settings for a task, with every credential registered with Airflow's log masker."""
    from airflow.sdk.log import mask_secret

    from socialmart.logs import configure_logging, secret_values

    settings = load_settings()
    for secret in secret_values(settings):
        mask_secret(secret)
    configure_logging(settings)
    return settings


def plan_window(
    params: Mapping[str, Any] | None,
    interval_start: datetime,
    interval_end: datetime,
    lookback_days: int = 0,
) -> dict[str, str]:
    """The report days a run pulls.

    Args:
        params: DAG params; ``start`` and ``end`` (ISO dates) given together pin the window
            exactly (backfills), with no lookback added.
        interval_start: The run's data interval start.
        interval_end: The run's data interval end (exclusive).
        lookback_days: Days before the interval that are re-pulled because the platform
            restates them.

    Returns:
        ``{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}``.
    """
    from socialmart.pipeline import Window, window_for_interval

    params = params or {}
    if params.get("start") and params.get("end"):
        return Window.parse(params["start"], params["end"]).as_dict()
    if params.get("start") or params.get("end"):
        raise ValueError("give both params start and end, or neither")
    window = window_for_interval(interval_start, interval_end)
    return Window(window.start - timedelta(days=lookback_days), window.end).as_dict()


def source_window(
    source_name: str,
    params: Mapping[str, Any] | None,
    interval_start: datetime,
    interval_end: datetime,
) -> dict[str, str]:
    """:func:`plan_window` with the source's own lookback."""
    from connectors.sources import get_source

    lookback = get_source(source_name).lookback_days(task_settings())
    return plan_window(params, interval_start, interval_end, lookback)


def source_accounts(source_name: str) -> list[str]:
    """The accounts to pull for a source, resolved now (configured ones, or all visible)."""
    from connectors.sources import get_source

    return list(get_source(source_name).accounts(task_settings()))


def skip_unconfigured(source_name: str, accounts: list[str] | None, run_id: str) -> None:
    """Skip the task (no asset event, state "skipped") when the source has no accounts.

    The skip is recorded (``raw._skipped_runs``) and shown on the data-health page.

    Raises:
        AirflowSkipException: ``accounts`` is empty; the message names the settings.
    """
    from airflow.sdk.exceptions import AirflowSkipException

    from connectors.sources import get_source, no_accounts_reason
    from socialmart.pipeline import record_skip, safe_run_id

    if not accounts:
        reason = no_accounts_reason(get_source(source_name))
        record_skip(task_settings(), source_name, safe_run_id(run_id), reason)
        raise AirflowSkipException(f"{reason} No asset event is emitted.")


def extract_source_account(
    source_name: str, account: str, window: Mapping[str, str], run_id: str
) -> dict[str, Any]:
    """Pull one account's streams for the window into the run's spool.

    A fatal API error (bad credential, missing permission) fails the task at once: a retry
    cannot fix it. Other connector errors raise as they are, so Airflow retries with backoff.

    Returns:
        ``{"account": ..., "units": <manifests written>}``.
    """
    from airflow.sdk.exceptions import AirflowFailException

    from connectors.common.errors import FatalApiError
    from connectors.sources import get_source
    from socialmart.pipeline import Window, safe_run_id

    settings = task_settings()
    span = Window.parse(window["start"], window["end"])
    try:
        manifests = get_source(source_name).extract_account(
            settings, account, span.start, span.end, safe_run_id(run_id)
        )
    except FatalApiError as error:
        raise AirflowFailException(f"{source_name} account {account}: {error}") from error
    return {"account": account, "units": len(manifests)}


def extracted_accounts(ti: Any, accounts: list[str]) -> set[str]:
    """The accounts whose mapped ``extract`` task succeeded in this run (map index i pulls
    ``accounts[i]``), from the task states Airflow's API reports to the running task."""
    states = ti.get_task_states(dag_id=ti.dag_id, task_ids=["extract"], run_ids=[ti.run_id])
    of_run = states.get(ti.run_id, {})
    return {
        account
        for index, account in enumerate(accounts)
        if of_run.get(f"extract_{index}") == "success"
    }


def load_run(
    source_name: str,
    run_id: str,
    accounts: list[str],
    extracted: set[str],
) -> dict[str, dict[str, int]]:
    """Load the run's spool (whatever accounts finished), then fail if an account did not.

    Returns:
        Raw table (``raw.<source>__<stream>``) -> summed row counts of this load, for every
        stream of the source (zeros when nothing was pulled).

    Raises:
        AirflowFailException: Some accounts have no extract result; their names and the fix
            are in the message. The others' data is loaded; nothing downstream runs.
    """
    from airflow.sdk.exceptions import AirflowFailException

    from connectors.sources import get_source
    from socialmart.pipeline import load, safe_run_id

    settings = task_settings()
    reports = load(settings, safe_run_id(run_id), sources=(source_name,))
    counts = {
        f"raw.{spec.raw_table}": {"rows_seen": 0, "rows_inserted": 0, "tombstones": 0}
        for spec in get_source(source_name).streams
    }
    for report in reports:
        row = counts.setdefault(report.table, {"rows_seen": 0, "rows_inserted": 0, "tombstones": 0})
        row["rows_seen"] += report.rows_seen
        row["rows_inserted"] += report.rows_inserted
        row["tombstones"] += report.tombstones_inserted
    missing = sorted(set(accounts) - extracted)
    if missing:
        raise AirflowFailException(
            f"{len(missing)} {source_name} account(s) were not extracted: {', '.join(missing)}. "
            "The extract task of each (map index in the grid) says why and what to fix. The "
            "other accounts' data is loaded; the transform DAG was not triggered. Fix the "
            "credential or permission, then clear the failed extract tasks or re-trigger this "
            "run (re-running a window is safe)."
        )
    return counts


def ingest_dag_ids() -> list[str]:
    """One ingest DAG per registered source (``dags/ingest_<source>.py``)."""
    from connectors.sources import SOURCE_NAMES

    return [f"ingest_{name}" for name in SOURCE_NAMES]


def ingests_in_flight(ti: Any) -> list[str]:
    """The ingest DAGs with a queued or running run (asked through the task's API client)."""
    return [
        dag_id
        for dag_id in ingest_dag_ids()
        if ti.get_dr_count(dag_id=dag_id, states=["queued", "running"])
    ]


def transform_has_work(run_type: Any, run_id: str) -> bool:
    """Whether this transform run should build: always, unless it was triggered by assets
    whose loads an earlier run already built (several ingest DAGs finishing one after the
    other queue one asset-triggered run each; the first builds them all)."""
    from socialmart.pipeline import safe_run_id, unbuilt_loads

    if getattr(run_type, "value", run_type) != "asset_triggered":
        return True
    pending = unbuilt_loads(task_settings(), safe_run_id(run_id))
    if not pending:
        log.info("every raw load is already in a built (published or gated) warehouse: skipped")
    else:
        log.info("%s raw load(s) landed since the last settled build: building", pending)
    return pending > 0


def begin_dbt_build(run_id: str) -> dict[str, Any]:
    """Create every raw table and record a dbt build start in ``audit.dbt_builds``.

    Returns:
        What the dbt tasks need at run time: ``vars`` and ``env`` (the warehouse path),
        plus ``started_at`` for :func:`end_dbt_build`.
    """
    from socialmart.pipeline import prepare_raw_tables, safe_run_id
    from socialmart.run_lock import warehouse_lock
    from socialmart.transform import (
        TransformError,
        currency_switch,
        dbt_env_overrides,
        dbt_vars,
        record_build_start,
    )

    settings = task_settings()
    run = safe_run_id(run_id)
    # Held only for this task: the Cosmos producer runs dbt itself, outside the lock (the
    # one-slot pool serializes it with the other writers), so no task ever waits for itself.
    with warehouse_lock(settings, run, "dbt_build.begin"):
        switched = currency_switch(settings)
        if switched:  # Cosmos's producer cannot switch to a full refresh for one run
            raise TransformError(
                f"{switched}. Rebuild once with `socialmart transform --full-refresh`, or "
                "set SOCIALMART_DBT_TASKS=build, whose build does that by itself."
            )
        prepare_raw_tables(settings)
        started_at = record_build_start(settings, run)
    return {
        "vars": dbt_vars(settings),
        "env": dbt_env_overrides(settings),
        "started_at": started_at.isoformat(),
    }


def end_dbt_build(run_id: str, started_at: str) -> None:
    """Mark the build begun by :func:`begin_dbt_build` as finished and successful."""
    from socialmart.pipeline import safe_run_id
    from socialmart.run_lock import warehouse_lock
    from socialmart.transform import record_build_end

    settings, run = task_settings(), safe_run_id(run_id)
    with warehouse_lock(settings, run, "dbt_build.end"):
        record_build_end(settings, run, datetime.fromisoformat(started_at), succeeded=True)


def fail_without_retry(step: Callable[[], T]) -> T:
    """Run a step; a blocked quality gate fails the task at once (a retry cannot fix data)."""
    from airflow.sdk.exceptions import AirflowFailException

    from expectations.gate import GateFailed

    try:
        return step()
    except GateFailed as error:
        raise AirflowFailException(str(error)) from error
