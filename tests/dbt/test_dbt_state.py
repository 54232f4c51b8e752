"""When a whole-project build may leave views alone (socialmart.dbt_state): only while the
saved state still describes the warehouse. Fast checks on a warehouse without dbt; the
builds themselves are in test_unchanged_views.py."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from socialmart import dbt_state, warehouse
from socialmart.settings import Settings, load_settings

VARS = {"reporting_currency": "EUR"}
STARTED = datetime(2026, 12, 8, 6, 0, tzinfo=UTC)


def _manifest(*views: str) -> dict:
    nodes = {
        f"model.socialmart.{name}": {
            "resource_type": "model",
            "schema": "staging",
            "alias": name,
            "config": {"materialized": "view"},
        }
        for name in views
    }
    nodes["model.socialmart.a_table"] = {
        "resource_type": "model",
        "schema": "marts",
        "alias": "a_table",
        "config": {"materialized": "table"},
    }
    return {"nodes": nodes}


def _built_from(settings: Settings, variables: dict[str, str] = VARS) -> dict:
    """What a build of ``settings`` with ``variables`` would be created from now."""
    return dbt_state.fingerprint(settings, variables)


def _record_build(settings: Settings, run_id: str, started_at: datetime, succeeded: bool) -> None:
    with warehouse.connect(settings) as con:
        con.execute(
            "insert into audit.dbt_builds values (?, null, false, ?, ?, ?)",
            [run_id, started_at, started_at + timedelta(minutes=1), succeeded],
        )


@pytest.fixture
def saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A warehouse with two views, built by the successful build whose state is saved."""
    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
    monkeypatch.delenv("SOCIALMART_WAREHOUSE_PATH", raising=False)
    monkeypatch.delenv("SOCIALMART_WAREHOUSE", raising=False)
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "models" / "stg_a.sql").write_text("select 1 as a", "utf-8")
    (project / "dbt_project.yml").write_text("name: fixture", "utf-8")
    settings = dataclasses.replace(load_settings(), dbt_project_dir=project)
    with warehouse.connect(settings) as con:
        con.execute("create schema if not exists staging")
        con.execute("create view staging.stg_a as select 1 as a")
        con.execute("create view staging.stg_b as select 2 as b")
    _record_build(settings, "run-1", STARTED, succeeded=True)
    settings.dbt_target_dir.mkdir(parents=True)
    (settings.dbt_target_dir / "manifest.json").write_text(
        json.dumps(_manifest("stg_a", "stg_b")), "utf-8"
    )
    dbt_state.save(settings, _built_from(settings), "run-1", STARTED)
    return settings


def test_the_state_of_the_newest_successful_build_leaves_the_views_alone(
    saved: Settings,
) -> None:
    assert dbt_state.selection_args(saved, _built_from(saved)) == list(dbt_state.KEEP_VIEWS_ARGS)
    state = json.loads(dbt_state.state_path(saved).read_text("utf-8"))
    assert state["views"] == [["staging", "stg_a"], ["staging", "stg_b"]]


def test_a_changed_project_file_re_creates_every_view(saved: Settings) -> None:
    (saved.dbt_project_dir / "models" / "stg_a.sql").write_text("select 2 as a", "utf-8")
    assert dbt_state.selection_args(saved, _built_from(saved)) == []


def test_a_new_project_file_re_creates_every_view(saved: Settings) -> None:
    (saved.dbt_project_dir / "models" / "stg_c.sql").write_text("select 3 as c", "utf-8")
    assert dbt_state.selection_args(saved, _built_from(saved)) == []


def test_dbt_output_in_the_project_folder_is_not_code(saved: Settings) -> None:
    for folder in ("target", "logs"):
        (saved.dbt_project_dir / folder).mkdir()
        (saved.dbt_project_dir / folder / "output.json").write_text("{}", "utf-8")
    assert dbt_state.selection_args(saved, _built_from(saved)) == list(dbt_state.KEEP_VIEWS_ARGS)


@pytest.mark.parametrize("succeeded", [False, True])
def test_any_build_since_the_state_re_creates_every_view(saved: Settings, succeeded: bool) -> None:
    # A failed, killed (never finished) or other build may have re-created views.
    _record_build(saved, "run-2", STARTED + timedelta(hours=1), succeeded=succeeded)
    assert dbt_state.selection_args(saved, _built_from(saved)) == []


def test_a_killed_build_since_the_state_re_creates_every_view(saved: Settings) -> None:
    with warehouse.connect(saved) as con:
        con.execute(
            "insert into audit.dbt_builds values ('run-2', null, false, ?, null, null)",
            [STARTED + timedelta(hours=1)],
        )
    assert dbt_state.selection_args(saved, _built_from(saved)) == []


def test_other_vars_re_create_every_view(saved: Settings) -> None:
    # dbt's state comparison does not see vars; a view's SQL can depend on one.
    assert dbt_state.selection_args(saved, _built_from(saved, {"reporting_currency": "USD"})) == []


def test_another_warehouse_file_re_creates_every_view(saved: Settings, tmp_path: Path) -> None:
    other = dataclasses.replace(saved, warehouse_path=tmp_path / "other.duckdb")
    assert dbt_state.selection_args(other, _built_from(other)) == []


def test_a_missing_view_re_creates_every_view(saved: Settings) -> None:
    with warehouse.connect(saved) as con:
        con.execute("drop view staging.stg_b")
    assert dbt_state.selection_args(saved, _built_from(saved)) == []


def test_without_a_saved_state_every_view_is_re_created(saved: Settings) -> None:
    dbt_state.state_path(saved).unlink()
    assert dbt_state.selection_args(saved, _built_from(saved)) == []


def test_postgres_re_creates_every_view(saved: Settings) -> None:
    # dbt replaces a PostgreSQL table by dropping the old one with cascade, and its views.
    assert (
        dbt_state.selection_args(
            dataclasses.replace(saved, warehouse="postgres"), _built_from(saved)
        )
        == []
    )


def test_saving_again_replaces_the_state(saved: Settings) -> None:
    (saved.dbt_target_dir / "manifest.json").write_text(json.dumps(_manifest("stg_a")), "utf-8")
    later = STARTED + timedelta(hours=1)
    _record_build(saved, "run-2", later, succeeded=True)
    dbt_state.save(saved, _built_from(saved), "run-2", later)
    assert dbt_state.selection_args(saved, _built_from(saved)) == list(dbt_state.KEEP_VIEWS_ARGS)
    state = json.loads(dbt_state.state_path(saved).read_text("utf-8"))
    assert (state["run_id"], state["views"]) == ("run-2", [["staging", "stg_a"]])
    assert [p.name for p in dbt_state.state_path(saved).parent.iterdir()] == ["build.json"]


def test_a_project_edited_while_dbt_runs_re_creates_every_view(saved: Settings) -> None:
    # The state records what the build started from, not the files as they are after it.
    later = STARTED + timedelta(hours=1)
    built_from = _built_from(saved)
    _record_build(saved, "run-2", later, succeeded=True)
    (saved.dbt_project_dir / "models" / "stg_a.sql").write_text("select 2 as a", "utf-8")
    dbt_state.save(saved, built_from, "run-2", later)
    assert dbt_state.selection_args(saved, _built_from(saved)) == []
