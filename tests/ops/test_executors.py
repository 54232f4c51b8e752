"""The warm executors: task processes fork with the task bodies' libraries imported."""

from __future__ import annotations

import subprocess
import sys

from airflow.executors.executor_loader import ExecutorLoader
from airflow.executors.executor_utils import ExecutorName
from airflow.executors.local_executor import LocalExecutor

from socialmart.stack.executors import (
    CELERY_CONFIG_PATH,
    TASK_LIBRARIES,
    WarmLocalExecutor,
    executor_class_path,
)

# A fresh interpreter: the test process has imported half of these libraries already.
_WARM_START = f"""
import logging, sys, threading
from socialmart.stack.executors import TASK_LIBRARIES, WarmLocalExecutor
assert not [name for name in TASK_LIBRARIES if name in sys.modules]
logging.basicConfig(level=logging.INFO)
executor = WarmLocalExecutor(parallelism=1)
executor.start()
missing = [name for name in TASK_LIBRARIES if name not in sys.modules]
assert not missing, missing
# Nothing a forked task would inherit half-way: no thread besides the main one.
assert threading.active_count() == 1, threading.enumerate()
executor.end()

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG
from airflow.configuration import conf
conf.set("celery", "celery_config_options", "{CELERY_CONFIG_PATH}")
assert conf.getimport("celery", "celery_config_options") is DEFAULT_CELERY_CONFIG
"""


def test_the_setting_names_the_warm_executor_airflow_loads() -> None:
    name = ExecutorName(executor_class_path("LocalExecutor"))
    loaded, _ = ExecutorLoader.import_executor_cls(name)
    assert loaded is WarmLocalExecutor
    assert issubclass(WarmLocalExecutor, LocalExecutor)
    assert executor_class_path("CeleryExecutor") == "CeleryExecutor"


def test_workers_fork_after_the_libraries_are_imported_quietly() -> None:
    started = subprocess.run(
        [sys.executable, "-c", _WARM_START],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert started.returncode == 0, started.stderr[-3000:]
    # Great Expectations logs ~200 INFO lines while it is imported; none reach the log.
    assert "Skipping registering function" not in started.stderr
    assert TASK_LIBRARIES[0] == "great_expectations"  # the slow one, first
