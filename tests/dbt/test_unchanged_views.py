"""A whole-project build leaves the views alone while nothing they are created from changed,
still runs every data test, and re-creates every view after a code change or after a build
that failed (socialmart.dbt_state; the cases without dbt are in test_dbt_state.py). Its dbt
rewrites manifest.json only when the project changed (socialmart.dbt_main)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from socialmart import transform
from socialmart.settings import Settings, load_settings

pytestmark = pytest.mark.e2e

#: A view of the project, and the statement its file ends with.
VIEW = "int_meta__adset_automation"
VIEW_FILE = Path("models/intermediate/meta/int_meta__adset_automation.sql")
LAST_LINE = "select * from final"


def _ran(settings: Settings) -> set[str]:
    """The nodes the last dbt invocation ran (run_results.json)."""
    results = json.loads((settings.dbt_target_dir / "run_results.json").read_text("utf-8"))
    return {r["unique_id"] for r in results["results"] if r["status"] != "skipped"}


def _nodes(settings: Settings) -> dict[str, dict]:
    return json.loads((settings.dbt_target_dir / "manifest.json").read_text("utf-8"))["nodes"]


def _written_ns(settings: Settings, name: str) -> int:
    return (settings.dbt_target_dir / name).stat().st_mtime_ns


def _view_sql(settings: Settings) -> str:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        (sql,) = con.execute(
            "select sql from duckdb_views() where view_name = ?", [VIEW]
        ).fetchone()
    return sql


def _end_view_with(settings: Settings, last_line: str) -> None:
    """Write the project copy's VIEW_FILE as the repository's, its last statement replaced."""
    code = (load_settings().dbt_project_dir / VIEW_FILE).read_text("utf-8").rstrip()
    assert code.endswith(LAST_LINE), f"{VIEW_FILE} no longer ends with `{LAST_LINE}`"
    (settings.dbt_project_dir / VIEW_FILE).write_text(code.removesuffix(LAST_LINE) + last_line)


def test_views_are_re_created_only_when_they_may_have_changed(
    raw_settings: Settings, tmp_path: Path
) -> None:
    project = tmp_path / "dbt_project"
    ignore = shutil.ignore_patterns("target", "logs")
    shutil.copytree(raw_settings.dbt_project_dir, project, ignore=ignore)
    settings = dataclasses.replace(raw_settings, dbt_project_dir=project)

    transform.build(settings, "run-1")
    nodes = _nodes(settings)
    models = {u: n for u, n in nodes.items() if n["resource_type"] == "model"}
    views = {u for u, n in models.items() if n["config"]["materialized"] == "view"}
    other_models = set(models) - views
    data_tests = {u for u, n in nodes.items() if n["resource_type"] == "test"}
    assert f"model.socialmart.{VIEW}" in views
    assert views | other_models | data_tests <= _ran(settings)

    manifest_written = _written_ns(settings, "manifest.json")
    results_written = _written_ns(settings, "run_results.json")

    # Nothing changed: every view is left alone, every other model and every test runs;
    # the manifest is not rewritten, the run's results are.
    transform.build(settings, "run-2")
    assert not views & _ran(settings)
    assert other_models | data_tests <= _ran(settings)
    assert _written_ns(settings, "manifest.json") == manifest_written
    assert _written_ns(settings, "run_results.json") > results_written

    # A changed view (same columns and rows, other SQL): every view is re-created, this one
    # from its new SQL.
    _end_view_with(settings, "select * from final where 'changed by the test' is not null")
    transform.build(settings, "run-3")
    assert views | data_tests <= _ran(settings)
    assert "changed by the test" in _view_sql(settings)
    assert "changed by the test" in _nodes(settings)[f"model.socialmart.{VIEW}"]["raw_code"]

    # A build that fails may have re-created views from other code: after it, the next
    # build re-creates every view even though its code is the state's again.
    _end_view_with(settings, "select * from final where no_such_column")
    with pytest.raises(transform.TransformError, match=VIEW):
        transform.build(settings, "run-4")
    _end_view_with(settings, "select * from final where 'changed by the test' is not null")
    transform.build(settings, "run-5")
    assert views | data_tests <= _ran(settings)
    assert "changed by the test" in _view_sql(settings)
