"""Every DAG imports cleanly, follows the house idiom, covers every source, parses cheaply."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from connectors.sources import SOURCE_NAMES, get_source
from socialmart.airflow_env import DAGS_FOLDER

HEAVY_MODULES = ("pandas", "duckdb", "great_expectations", "requests", "dbt", "sandbox")
DAG_FILES = sorted(p for p in DAGS_FOLDER.glob("*.py") if not p.name.startswith("_"))


@pytest.fixture(scope="module")
def dag_bag():
    from airflow.dag_processing.dagbag import BundleDagBag

    started = time.perf_counter()
    bag = BundleDagBag(dag_folder=DAGS_FOLDER, bundle_path=DAGS_FOLDER)
    print(f"\nDagBag parse of {DAGS_FOLDER}: {time.perf_counter() - started:.2f}s")
    return bag


def test_dags_import_without_errors(dag_bag):
    assert dag_bag.import_errors == {}
    assert dag_bag.dags, "no DAG found in dags/"


GATES = ("validate_raw", "validate")  # quality gates fail at once: a retry cannot fix data


def test_every_dag_follows_the_house_idiom(dag_bag):
    for dag_id, dag in dag_bag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.doc_md and len(dag.doc_md) > 100, f"{dag_id} has no doc_md explaining it"
        assert "When it fails" in dag.doc_md, f"{dag_id}'s doc_md does not say what to do"
        assert dag.fileloc.endswith(f"{dag_id}.py"), f"{dag_id} is not in a file of its name"
        for task in dag.tasks:
            assert task.owner and task.owner != "airflow", f"{dag_id}.{task.task_id} has no owner"
            assert task.retries >= 2 or task.task_id in GATES, (
                f"{dag_id}.{task.task_id} retries fewer than 2 times"
            )
            assert task.execution_timeout, f"{dag_id}.{task.task_id} has no timeout"


@pytest.mark.parametrize("source", SOURCE_NAMES)
def test_every_source_has_an_ingest_dag_emitting_its_raw_tables(dag_bag, source):
    dag = dag_bag.dags.get(f"ingest_{source}")
    assert dag is not None, (
        f"add dags/ingest_{source}.py (copy dags/ingest_meta.py, change the name)"
    )
    assert dag.timetable.expression == "0 3 * * *"
    expected = {f"x-duckdb://warehouse/raw.{spec.raw_table}" for spec in get_source(source).streams}
    load = dag.get_task("load")
    assert {asset.uri for asset in load.outlets} == expected
    assert load.pool == "warehouse_writer"
    assert dag.get_task("extract").is_mapped, "extract must be mapped over accounts"


def test_transform_dag_runs_on_every_raw_table_and_gates_before_publishing(dag_bag):
    dag = dag_bag.dags["transform_publish"]
    scheduled_on = set(_uris(dag.timetable.asset_condition))
    every_table = {
        f"x-duckdb://warehouse/raw.{spec.raw_table}"
        for source in SOURCE_NAMES
        for spec in get_source(source).streams
    }
    assert scheduled_on == every_table
    assert dag.get_task("publish").upstream_task_ids == {"validate"}
    for gate in GATES:
        assert dag.get_task(gate).retries == 0, f"a blocked gate ({gate}) must not be retried"
    after_raw_gate = dag.get_task("validate_raw").downstream_task_ids
    assert after_raw_gate and all(t.startswith("dbt_build") for t in after_raw_gate), (
        "the raw gate must run right before dbt"
    )
    writers = [t for t in dag.tasks if "producer" in t.task_id or t.task_id in GATES]
    assert writers and all(t.pool == "warehouse_writer" for t in writers)
    # One build for a day's ingests: wait for those in flight, skip loads already built.
    assert dag.get_task("validate_raw").upstream_task_ids == {"has_new_loads"}
    assert dag.get_task("has_new_loads").upstream_task_ids == {"wait_for_ingests"}
    assert dag.get_task("has_new_loads").pool == "warehouse_writer"
    wait = dag.get_task("wait_for_ingests")
    assert wait.mode == "poke"  # reschedule mode with a short interval races the executor
    assert wait.poke_interval <= 5  # the day's last ingest is usually seconds away


def _uris(condition):
    if hasattr(condition, "uri"):
        yield condition.uri
    for part in getattr(condition, "objects", ()):
        yield from _uris(part)


# One fresh interpreter imports Airflow's task SDK (what every DAG file starts with), then forks
# a child per DAG file: each child parses one file and prints which heavy modules it holds.
# The children start from the same imports as a fresh interpreter would, without paying
# Airflow's import once per file; a heavy module in the shared imports would show in every
# file's result, so nothing is hidden.
HEAVY_IMPORTS_PROBE = f"""
import json, os, runpy, sys, time
import airflow.sdk
sys.path.append(sys.argv[1])
for path in sys.argv[2:]:
    child = os.fork()
    if child == 0:
        started = time.perf_counter()
        runpy.run_path(path)
        heavy = [m for m in {HEAVY_MODULES!r} if m in sys.modules]
        print(json.dumps([path, heavy, round(time.perf_counter() - started, 2)]), flush=True)
        os._exit(0)
    _, status = os.waitpid(child, 0)
    if status != 0:
        sys.exit(f"parsing {{path}} failed (wait status {{status}})")
"""


@pytest.fixture(scope="module")
def heavy_imports() -> dict[str, list[str]]:
    """DAG file name -> the heavy modules it holds once parsed (one child process each)."""
    result = subprocess.run(
        [sys.executable, "-c", HEAVY_IMPORTS_PROBE, str(DAGS_FOLDER), *map(str, DAG_FILES)],
        capture_output=True,
        text=True,
        check=True,
    )
    parsed = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("[")]
    for path, _, seconds in parsed:
        print(f"{Path(path).name}: parse {seconds:.2f}s")
    return {Path(path).name: heavy for path, heavy, _ in parsed}


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda p: p.name)
def test_dag_files_import_no_heavy_library_at_parse_time(dag_file, heavy_imports):
    assert heavy_imports[dag_file.name] == [], f"{dag_file.name} imports them at parse time"


def test_per_node_dbt_tasks_run_the_pipelines_dbt_build(tmp_path, monkeypatch):
    """``SOCIALMART_DBT_TASKS=per_node``: a task per dbt node (Cosmos), and the one ``dbt
    build`` behind them carries the pipeline's flags (no unit tests)."""
    from airflow.dag_processing.dagbag import BundleDagBag

    from socialmart.settings import DBT_BUILD_FLAGS, load_settings
    from socialmart.transform import parse_manifest

    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
    monkeypatch.setenv("SOCIALMART_DBT_TASKS", "per_node")
    parse_manifest(load_settings())
    bag = BundleDagBag(dag_folder=DAGS_FOLDER, bundle_path=DAGS_FOLDER)
    assert bag.import_errors == {}
    dag = bag.dags["transform_publish"]
    assert "dbt_build.models.fct_placement_performance_daily.run" in dag.task_ids
    producer = dag.get_task("dbt_build.models.dbt_producer_watcher")
    command = producer.build_cmd({})[0]
    assert command[:2] == ["dbt", "build"]
    flags = list(DBT_BUILD_FLAGS)
    assert any(command[i : i + len(flags)] == flags for i in range(len(command))), command
