"""The mart specs against the dbt models, and the benchmark's SQL peer against the gate."""

from __future__ import annotations

import duckdb
import yaml
from mart_tables import spec_columns

from bench import gate_sql
from expectations.gate import run_gate
from expectations.suites.marts import MART_SPECS
from socialmart.settings import PROJECT_ROOT, Settings

MARTS_DIR = PROJECT_ROOT / "dbt_project" / "models" / "marts"
# Not published for readers: MetricFlow's date spine.
UNCHECKED = {"metricflow_time_spine"}


def _model_columns() -> dict[str, set[str]]:
    """Mart model -> the columns its YAML documents."""
    models = {}
    for path in MARTS_DIR.rglob("*.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            models[model["name"]] = {column["name"] for column in model.get("columns", [])}
    return models


def test_every_published_mart_has_a_spec() -> None:
    models = {path.stem for path in MARTS_DIR.rglob("*.sql")} - UNCHECKED
    assert {spec.name for spec in MART_SPECS} == models


def test_every_column_a_spec_names_is_a_column_of_its_mart() -> None:
    models = _model_columns()
    unknown = {
        spec.name: sorted(set(spec_columns(spec)) - models[spec.name]) for spec in MART_SPECS
    }
    assert {name: columns for name, columns in unknown.items() if columns} == {}


def test_the_sql_peer_judges_every_mart_as_the_gate_does(
    settings: Settings, write_mart, good_rows
) -> None:
    broken = [good_rows[0] | {"spend": "-1.00"}, good_rows[1], good_rows[1]]
    write_mart([*broken, good_rows[2] | {"publisher_platform": "oculus"}])
    outcome = run_gate(settings, "run-1")
    checks, untranslated = gate_sql.gate_checks()
    assert untranslated == []
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        failed = gate_sql.run_checks(con, checks)
    expected = [
        sum(1 for r in outcome.errors if r.suite.split(".")[:2] == spec.dataset.split("."))
        for spec in MART_SPECS
    ]
    assert failed == expected
    # the negative share; the negative spend and the duplicate grain row are dbt's tests,
    # the unknown placement a dbt warning
    assert failed[0] == 1


def _accepted_values() -> dict[tuple[str, str], set[str]]:
    """(mart, column) -> the values of its dbt accepted_values test."""
    accepted = {}
    for path in MARTS_DIR.rglob("*.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            for column in model.get("columns", []):
                for test in column.get("data_tests", []):
                    if isinstance(test, dict) and "accepted_values" in test:
                        values = test["accepted_values"]["arguments"]["values"]
                        accepted[(model["name"], column["name"])] = set(values)
    return accepted


def test_an_enumeration_is_declared_once_in_dbt_or_in_a_spec() -> None:
    accepted = _accepted_values()
    assert accepted  # dbt lists the marts' platforms, placements, windows
    repeated = sorted(
        (spec.name, column)
        for spec in MART_SPECS
        for column in spec.known_values
        if (spec.name, column) in accepted
    )
    assert repeated == []
