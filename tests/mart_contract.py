"""The placement mart's dbt contract as the tests read it: its accepted publisher platforms.
Importable from every test folder, like stand_in_home."""

from __future__ import annotations

import yaml

from socialmart.settings import PROJECT_ROOT

PLACEMENT_MART_YAML = PROJECT_ROOT / "dbt_project/models/marts/fct_placement_performance_daily.yml"


def accepted_publisher_platforms() -> list[str]:
    """The ``accepted_values`` of the placement mart's ``publisher_platform`` column."""
    [mart] = yaml.safe_load(PLACEMENT_MART_YAML.read_text(encoding="utf-8"))["models"]
    [column] = [c for c in mart["columns"] if c["name"] == "publisher_platform"]
    [values] = [
        test["accepted_values"]["arguments"]["values"]
        for test in column["data_tests"]
        if isinstance(test, dict) and "accepted_values" in test
    ]
    return values
