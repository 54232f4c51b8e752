"""A small generated warehouse, built once per test session with dbt."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from bench_support import PRESET, SEED

from bench import dbt_runner
from bench.generate import generate
from socialmart.settings import Settings, load_settings


@dataclass(frozen=True)
class Build:
    """The session's ``dbt build`` of the generated warehouse: its settings, dbt's error
    (None when it exited cleanly) and each node's ``run_results.json`` status."""

    settings: Settings
    error: str | None
    statuses: dict[str, str]


@pytest.fixture(scope="session")
def dbt_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """Generated raw tables, then the pipeline's ``dbt build``: every model and every test."""
    home = tmp_path_factory.mktemp("bench-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOCIALMART_HOME", str(home))
        patch.delenv("SOCIALMART_WAREHOUSE_PATH", raising=False)
        settings = load_settings()
        generate(settings.warehouse_path, PRESET, SEED)
        try:
            dbt_runner.build(settings, [], "bench-tests")
            error = None
        except RuntimeError as failed:
            error = str(failed)
    results = json.loads((settings.dbt_target_dir / "run_results.json").read_text("utf-8"))
    statuses = {r["unique_id"]: r["status"] for r in results["results"]}
    return Build(settings, error, statuses)


@pytest.fixture(scope="session")
def built(dbt_build: Build) -> Settings:
    """Settings of the generated warehouse with every mart built by dbt."""
    return dbt_build.settings
