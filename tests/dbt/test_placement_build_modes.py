"""The placement mart reads every day from raw on a build without its table, the staged days
on an incremental run, and raw again when the staging table lacks days of its window; each
way it equals the hand-written floor (bench/floor.py) in every row and column."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import dbt_cli
import duckdb
import pytest

from bench import floor, reconcile
from bench.generate import generate
from bench.presets import get_preset
from socialmart.settings import Settings, load_settings

pytestmark = pytest.mark.e2e

PRESET = get_preset("small")
SEED = 42
MART = "marts.fct_placement_performance_daily"
STAGING = "staging.stg_meta__ad_insights_placement"
LOOKBACK_DAYS = 28  # dbt_project.yml: incremental_lookback_days
COMPILED_MART = Path("compiled/socialmart/models/marts/fct_placement_performance_daily.sql")


def _run(settings: Settings, select: str, *flags: str) -> str:
    """``dbt run --select <select>``; the relation the mart's compiled SQL read its rows from."""
    target = settings.home / "dbt-target"
    result = dbt_cli.run_dbt(settings, ["run", "--select", select, *flags], target)
    assert result.returncode == 0, result.stdout[-4000:]
    read = re.search(
        r"select \* from \S*\.\"?int_placement_performance_daily_(\w+)",
        (target / COMPILED_MART).read_text("utf-8"),
    )
    assert read, "the mart's compiled SQL names the relation it reads"
    return read.group(1)


def _differing_from_floor(settings: Settings) -> int:
    with duckdb.connect(str(settings.warehouse_path)) as con:
        floor.build_placement(con, "EUR", settings.fx.carry_forward_days, "omni_purchase")
        return reconcile.floor_mismatches(
            con, MART, f"{floor.SCHEMA}.fct_placement_performance_daily"
        )


def _staged_days(settings: Settings) -> tuple:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(f"select min(report_date), max(report_date) from {STAGING}").fetchone()


def test_each_build_mode_reads_the_right_rows_and_equals_the_floor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
    monkeypatch.delenv("SOCIALMART_WAREHOUSE_PATH", raising=False)
    settings = load_settings()
    generate(settings.warehouse_path, PRESET, SEED)
    newest = PRESET.first_day + timedelta(days=PRESET.days - 1)

    # First build: every day from raw, written once; staging holds only the lookback.
    assert _run(settings, "+fct_placement_performance_daily") == "from_raw"
    assert _differing_from_floor(settings) == 0
    staged_from, staged_to = _staged_days(settings)
    assert (staged_to - staged_from).days == LOOKBACK_DAYS and staged_to == newest

    # A new day: an incremental run reads the staged days.
    generate(settings.warehouse_path, PRESET, SEED, day_from=PRESET.days, day_to=PRESET.days + 1)
    assert _run(settings, "+fct_placement_performance_daily") == "unioned"
    assert _differing_from_floor(settings) == 0

    # Staging rebuilt on its own after another day: it starts after the mart's window does,
    # so the mart's next incremental run reads its window from raw (nothing is lost).
    generate(
        settings.warehouse_path, PRESET, SEED, day_from=PRESET.days + 1, day_to=PRESET.days + 2
    )
    _run(settings, "stg_meta__ad_insights_placement", "--full-refresh")
    assert _run(settings, "fct_placement_performance_daily") == "from_raw"
    assert _differing_from_floor(settings) == 0

    # A full refresh of the chain: from raw again, the same rows.
    assert _run(settings, "+fct_placement_performance_daily", "--full-refresh") == "from_raw"
    assert _differing_from_floor(settings) == 0
