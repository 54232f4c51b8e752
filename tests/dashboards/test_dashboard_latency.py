"""The dashboard latency benchmark hook runs every page query (it is timed only in bench/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_marts import write_every_mart

from bench.dashboard_latency import dashboard_calls, measure


def test_measure_covers_every_page_query_and_returns_percentiles(marts_path: Path) -> None:
    write_every_mart(marts_path)

    result = measure(marts_path.parent, repeats=2)

    assert set(result) == {"queries", "p50_ms", "p95_ms", "samples", "setup_ms"}
    assert result["setup_ms"] > 0
    names = set(result["queries"])
    assert names == set(dashboard_calls(marts_path.parent))
    for query in (
        "advantage_plus.campaigns[all]",
        "advantage_plus.daily_share[30d]",
        "creators.daily[all]",
        "performance.breakdown[account,campaign][all]",
        "spend.platform_totals[30d]",
        "health.gate_failures",
        "publication.filter_accounts",
    ):
        assert query in names
    assert result["samples"] == 2 * len(names)
    for timing in result["queries"].values():
        assert 0 < timing["p50_ms"] <= timing["p95_ms"]
        assert timing["first_ms"] > 0


def test_measure_without_marts_reports_an_error(tmp_path: Path) -> None:
    assert "error" in measure(tmp_path, repeats=1)
    with pytest.raises(ValueError, match="repeats"):
        measure(tmp_path, repeats=0)
