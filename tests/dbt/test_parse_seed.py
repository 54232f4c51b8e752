"""Where the pipeline runs dbt on DuckDB, and the saved parse a new home starts from."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialmart import transform
from socialmart.settings import Settings, load_settings


def test_a_new_home_starts_from_the_parse_seed(settings: Settings, dbt_parse_seed: Path):
    assert settings.dbt.parse_seed == dbt_parse_seed
    assert not settings.dbt_target_dir.exists()

    transform.parse_manifest(settings)

    log = (transform.dbt_log_dir(settings) / "dbt.log").read_text(encoding="utf-8")
    assert "Starting full parse" not in log
    assert "Nothing changed, skipping partial parsing" in log
    assert (settings.dbt_target_dir / "manifest.json").exists()


def test_dbt_runs_in_the_warehouse_folder_and_names_the_file_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A relative SOCIALMART_WAREHOUSE_PATH is relative to where socialmart runs, for dbt too
    (dbt used to read it relative to dbt_project/)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SOCIALMART_WAREHOUSE_PATH", "data/brand.duckdb")

    folder, env = transform.dbt_process(load_settings())

    assert folder == tmp_path / "data"
    assert folder.is_dir()
    assert env["SOCIALMART_WAREHOUSE_PATH"] == "brand.duckdb"


def test_the_seed_is_not_used_once_the_target_folder_has_a_parse_of_its_own(
    settings: Settings, dbt_parse_seed: Path
):
    assert transform.parse_seed_flags(settings, settings.dbt_target_dir) == [
        "--partial-parse-file-path",
        str(dbt_parse_seed),
    ]
    settings.dbt_target_dir.mkdir(parents=True)
    (settings.dbt_target_dir / transform.PARTIAL_PARSE_FILE).write_bytes(b"")

    assert transform.parse_seed_flags(settings, settings.dbt_target_dir) == []
