"""A small generated warehouse, built once per test session with dbt."""

from __future__ import annotations

import pytest
from bench_support import PRESET, SEED

from bench import dbt_runner
from bench.generate import generate
from socialmart.settings import Settings, load_settings


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Generated raw tables plus the placement mart and its parents built by dbt."""
    home = tmp_path_factory.mktemp("bench-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOCIALMART_HOME", str(home))
        patch.delenv("SOCIALMART_WAREHOUSE_PATH", raising=False)
        settings = load_settings()
        generate(settings.warehouse_path, PRESET, SEED)
        dbt_runner.run(settings, ["run", "--select", "+fct_placement_performance_daily"])
    return settings
