"""Incremental models built before any data landed fill on the next incremental run; a full
refresh then rebuilds the same rows (Meta's placement staging: only its recent days)."""

from __future__ import annotations

from pathlib import Path

import dbt_cli
import duckdb
import pytest

from bench.generate import generate
from bench.presets import get_preset
from socialmart.pipeline import prepare_raw_tables
from socialmart.settings import Settings, load_settings

pytestmark = pytest.mark.e2e

PLACEMENT_STAGING = "staging.stg_meta__ad_insights_placement"
LOOKBACK_DAYS = 28  # dbt_project.yml: incremental_lookback_days
INCREMENTAL = (
    PLACEMENT_STAGING,
    "staging.stg_meta__ad_insights",
    "marts.fct_placement_performance_daily",
    "marts.fct_ad_performance_daily",
    "marts.fct_conversion_restatements",
)
SELECT = [
    "--select",
    "+fct_placement_performance_daily +fct_ad_performance_daily +fct_conversion_restatements",
]


def _run(settings: Settings, *flags: str) -> None:
    result = dbt_cli.run_dbt(settings, ["run", *SELECT, *flags], settings.home / "dbt-target")
    assert result.returncode == 0, result.stdout[-4000:]


def _counts(settings: Settings) -> dict[str, int]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in INCREMENTAL}


def test_models_built_empty_fill_on_the_next_incremental_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
    settings = load_settings()
    prepare_raw_tables(settings)
    _run(settings)  # no data yet: every incremental model is built empty
    assert set(_counts(settings).values()) == {0}

    generate(settings.warehouse_path, get_preset("small"), seed=42)
    _run(settings)
    incremental = _counts(settings)
    assert all(incremental.values()), incremental

    recent_placements = _recent_placement_staging(settings)
    _run(settings, "--full-refresh")
    refreshed = _counts(settings)
    # Meta's placement staging keeps only the days incremental runs re-derive (the mart
    # reads every day from raw on a full refresh): the lookback before raw's newest day.
    assert (
        refreshed.pop(PLACEMENT_STAGING) == recent_placements < incremental.pop(PLACEMENT_STAGING)
    )
    assert refreshed == incremental


def _recent_placement_staging(settings: Settings) -> int:
    """Rows of Meta's placement staging from the incremental lookback before its newest day."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(
            f"select count(*) from {PLACEMENT_STAGING} where report_date >= "
            f"(select max(report_date) - interval {LOOKBACK_DAYS} day from {PLACEMENT_STAGING})"
        ).fetchone()[0]
