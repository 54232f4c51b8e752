"""What every Airflow task of socialmart does before and around a pipeline step.

Kept out of the DAG files so they stay thin and cheap to parse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from socialmart.settings import Settings, load_settings

T = TypeVar("T")


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
    params: dict[str, Any] | None, interval_start: datetime, interval_end: datetime
) -> dict[str, str]:
    """The run's report days: the DAG params' start/end when given, else the data interval."""
    from socialmart.pipeline import Window, window_for_interval

    params = params or {}
    if params.get("start") and params.get("end"):
        return Window.parse(params["start"], params["end"]).as_dict()
    return window_for_interval(interval_start, interval_end).as_dict()


def fail_if_accounts_failed(failures: list[dict[str, str]]) -> None:
    """Fail the task, without retry, when extract recorded failed accounts."""
    from airflow.sdk.exceptions import AirflowFailException

    from socialmart.pipeline import AccountFailure, ExtractFailed

    if failures:
        error = ExtractFailed([AccountFailure(**failure) for failure in failures])
        raise AirflowFailException(str(error))


def fail_without_retry(step: Callable[[], T]) -> T:
    """Run a step; a blocked quality gate fails the task at once (a retry cannot fix data)."""
    from airflow.sdk.exceptions import AirflowFailException

    from expectations.gate import GateFailed

    try:
        return step()
    except GateFailed as error:
        raise AirflowFailException(str(error)) from error
