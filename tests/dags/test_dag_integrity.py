"""Every DAG imports cleanly, follows the house idiom and stays cheap to parse."""

import subprocess
import sys

import pytest

from socialmart.airflow_env import DAGS_FOLDER

HEAVY_MODULES = ("pandas", "duckdb", "great_expectations", "requests", "dbt", "sandbox")
DAG_FILES = sorted(p for p in DAGS_FOLDER.glob("*.py") if not p.name.startswith("_"))


@pytest.fixture(scope="module")
def dag_bag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_FOLDER), include_examples=False)


def test_dags_import_without_errors(dag_bag):
    assert dag_bag.import_errors == {}
    assert dag_bag.dags, "no DAG found in dags/"


def test_every_dag_follows_the_house_idiom(dag_bag):
    for dag_id, dag in dag_bag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.doc_md and len(dag.doc_md) > 100, f"{dag_id} has no doc_md explaining it"
        assert dag.fileloc.endswith(f"{dag_id}.py"), f"{dag_id} is not in a file of its name"
        for task in dag.tasks:
            assert task.owner and task.owner != "airflow", f"{dag_id}.{task.task_id} has no owner"
            assert task.retries >= 2, f"{dag_id}.{task.task_id} retries fewer than 2 times"


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda p: p.name)
def test_dag_files_import_no_heavy_library_at_parse_time(dag_file):
    probe = (
        "import runpy, sys; runpy.run_path(sys.argv[1]); "
        f"print(','.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(dag_file)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1:] in ([], [""]), result.stdout
