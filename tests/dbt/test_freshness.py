"""``dbt source freshness``: every source is checked, thresholds come from the settings."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from dbt_cli import run_dbt

from socialmart.settings import Settings

SOURCES = {"source.socialmart.meta.ad_insights_placement", "source.socialmart.fx.ecb_rates"}


def _freshness(settings: Settings, target_dir: Path, env: dict[str, str]) -> dict[str, str]:
    run_dbt(settings, ["source", "freshness"], target_dir, env=env)
    results = json.loads((target_dir / "sources.json").read_text())["results"]
    return {result["unique_id"]: result["status"] for result in results}


def test_every_source_has_freshness_and_thresholds_follow_the_settings(
    raw_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One target folder while the vars stay the same: dbt then parses only once.
    target_dir = raw_settings.dbt_target_dir
    manifest = json.loads(
        run_dbt(raw_settings, ["parse"], target_dir).returncode == 0
        and (target_dir / "manifest.json").read_text()
    )
    for unique_id, node in manifest["sources"].items():
        assert node["loaded_at_field"] == "_pulled_at", unique_id
        assert node["freshness"]["error_after"]["count"], unique_id
    assert set(manifest["sources"]) >= SOURCES

    # The fixture rows were pulled in June 2026 or earlier than "now": stale.
    statuses = _freshness(raw_settings, target_dir, {})
    assert {statuses[source] for source in SOURCES} == {"error"}

    with duckdb.connect(str(raw_settings.warehouse_path)) as con:
        con.execute(
            "update raw.meta__ad_insights_placement set _pulled_at = now() - interval 40 hour"
        )
        con.execute("update raw.fx__ecb_rates set _pulled_at = now() - interval 1 hour")
    statuses = _freshness(raw_settings, target_dir, {})
    assert statuses["source.socialmart.meta.ad_insights_placement"] == "warn"  # 40 h > 36 h
    assert statuses["source.socialmart.fx.ecb_rates"] == "pass"

    relaxed = replace(
        raw_settings,
        dbt=replace(raw_settings.dbt, freshness_warn_hours=48, freshness_error_hours=96),
    )
    statuses = _freshness(relaxed, tmp_path / "relaxed", {})
    assert statuses["source.socialmart.meta.ad_insights_placement"] == "pass"
