"""Airflow executors whose task processes start with the task bodies' libraries imported.

Airflow 3 runs each task in a process forked from an executor worker, and socialmart's task
bodies import their libraries at run time (``dags/factories.py`` keeps DAG parsing light). So
every task paid those imports again: Great Expectations alone takes about 6 s to import on
this project's 2-core machines, and the transform DAG's two gate tasks paid it twice where
``socialmart run`` pays it once; each load paid pandas and DuckDB (about 1.5 s) while the
writer pool made the loads wait for one another (``make bench-airflow``, BENCHMARKS.md).

The executors below import those libraries once, in the process the workers are forked
from, before the first fork; every task process then inherits them. Nothing else changes:
the libraries hold no threads, connections or files after import (checked in the tests).

The stack selects them from ``AIRFLOW_EXECUTOR`` (:func:`executor_class_path`).
"""

from __future__ import annotations

import importlib

from airflow.executors.local_executor import LocalExecutor

from socialmart.logs import quiet_noisy_libraries

#: Imported before the workers fork: the slow imports of the task bodies
#: (``socialmart.orchestration`` imports the rest lazily, in microseconds).
TASK_LIBRARIES = (
    "great_expectations",
    "pandas",
    "duckdb",
    "requests",
    "socialmart.pipeline",
    "expectations.gate",
    "connectors.common.land",
)


def import_task_libraries() -> None:
    """Import :data:`TASK_LIBRARIES` into this process, quietly (the scheduler's and the
    Celery workers' logs would otherwise get Great Expectations' import chatter)."""
    quiet_noisy_libraries()
    for name in TASK_LIBRARIES:
        importlib.import_module(name)


class WarmLocalExecutor(LocalExecutor):
    """``LocalExecutor`` whose workers fork after :func:`import_task_libraries`."""

    def start(self) -> None:
        import_task_libraries()
        super().start()


#: ``AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS`` of the stack: Airflow's own Celery
#: configuration, read when a Celery worker creates its app, before its pool forks.
CELERY_CONFIG_PATH = f"{__name__}.CELERY_CONFIG"


def __getattr__(name: str) -> object:
    # CELERY_CONFIG is computed when Celery asks for it, so importing this module (the
    # scheduler does, for WarmLocalExecutor) does not import the Celery provider.
    if name == "CELERY_CONFIG":
        from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG

        import_task_libraries()
        return DEFAULT_CELERY_CONFIG
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def executor_class_path(executor: str) -> str:
    """``AIRFLOW__CORE__EXECUTOR`` for the ``AIRFLOW_EXECUTOR`` setting: the warm executor
    for ``LocalExecutor``; ``CeleryExecutor`` as it is (its workers warm up through
    :data:`CELERY_CONFIG_PATH`)."""
    if executor == "LocalExecutor":
        return f"{__name__}.{WarmLocalExecutor.__name__}"
    return executor
