"""The fx source against the running ECB stand-in: exact landing, faults, re-runs."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from connector_testkit import stand_in_settings

from connectors.common.land import load_spool
from connectors.sources import SOURCE_NAMES, get_source
from sandbox.fx.api import HISTORY_PATH
from sandbox.fx.truth import published_rates
from sandbox.server import RunningSandbox
from socialmart import pipeline
from socialmart.settings import SANDBOX_META_TOKEN, Settings, load_settings

SEED = 42
START, END = date(2026, 3, 30), date(2026, 4, 12)  # Easter 2026 inside
LATEST_SQL = """
select strftime("date", '%Y-%m-%d'), currency, rate from raw.fx__ecb_rates
qualify row_number() over (partition by provider, "date", currency
                           order by _pulled_at desc, _sync_id desc) = 1
    and not _is_deleted
order by 1, 2
"""
FAULTS = [
    {"kind": "http_503", "match": "eurofxref", "nth": 1, "times": 1},
    {"kind": "truncated", "match": "eurofxref", "nth": 2, "times": 1},
    {"kind": "reset", "match": "eurofxref", "nth": 3, "times": 1},
]


@pytest.fixture
def fx_settings(
    stand_in: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    return stand_in_settings(
        monkeypatch,
        tmp_path,
        FX_RATES_URL=f"{stand_in.base_url}/www.ecb.europa.eu{HISTORY_PATH}",
        HTTP_BACKOFF_MAX_SECONDS="0.02",
    )


def _sync(settings: Settings, run_id: str) -> list:
    get_source("fx").extract_account(settings, "ecb", START, END, run_id)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        return load_spool(con, settings.spool_dir / run_id, run_id)


def _latest(settings: Settings) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(LATEST_SQL).fetchall()


def _truth() -> list[tuple]:
    """Rates published from the furthest day a rate carries forward into START, to END."""
    pull_start = START - timedelta(days=load_settings().fx.carry_forward_days)
    rates = published_rates(SEED, pull_start, END)
    return sorted((r["date"], r["currency"], r["rate"]) for r in rates)


def test_registered_as_a_source() -> None:
    source = get_source("fx")
    assert "fx" in SOURCE_NAMES
    assert [spec.raw_table for spec in source.streams] == ["fx__ecb_rates"]
    assert source.accounts(load_settings()) == ["ecb"]


def test_sync_with_faults_lands_exactly_the_truth(
    fx_settings: Settings, stand_in: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    (report,) = _sync(fx_settings, "run-1")
    faults = [r.fault for r in stand_in.requests]
    assert faults == ["http_503", "truncated", "reset", None]  # each fault was retried
    truth = _truth()
    assert _latest(fx_settings) == truth
    assert report.rows_inserted == len(truth) and report.tombstones_inserted == 0
    days = {day for day, _, _ in truth}
    assert "2026-04-03" not in days and "2026-04-04" not in days  # Good Friday, Saturday
    assert SANDBOX_META_TOKEN not in caplog.text
    assert "access_token" not in caplog.text


def test_three_runs_of_a_window_change_nothing(fx_settings: Settings) -> None:
    _sync(fx_settings, "run-1")
    with duckdb.connect(str(fx_settings.warehouse_path), read_only=True) as con:
        before = con.execute(
            "select * exclude (_sync_id, _pulled_at) from raw.fx__ecb_rates order by all"
        ).fetchall()
    for run_id in ("run-2", "run-3"):
        (report,) = _sync(fx_settings, run_id)
        assert (report.rows_inserted, report.tombstones_inserted) == (0, 0)
    with duckdb.connect(str(fx_settings.warehouse_path), read_only=True) as con:
        after = con.execute(
            "select * exclude (_sync_id, _pulled_at) from raw.fx__ecb_rates order by all"
        ).fetchall()
    assert after == before
    assert _latest(fx_settings) == _truth()


def test_an_interrupted_extract_is_not_loaded_and_a_rerun_completes(
    fx_settings: Settings,
) -> None:
    (manifest,) = get_source("fx").extract_account(fx_settings, "ecb", START, END, "run-k")
    manifest.unlink()  # killed before the manifest was committed
    with duckdb.connect(str(fx_settings.warehouse_path)) as con:
        assert load_spool(con, fx_settings.spool_dir / "run-k", "run-k") == []
    _sync(fx_settings, "run-k")
    assert _latest(fx_settings) == _truth()


def test_a_wrong_url_stops_the_source_with_the_fix(
    fx_settings: Settings, stand_in: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FX_RATES_URL", f"{stand_in.base_url}/www.ecb.europa.eu/rates.csv")
    settings = load_settings()
    window = pipeline.Window(START, END)
    outcome = pipeline.extract(settings, window, "run-bad", sources=("fx",))
    (failure,) = outcome.failures
    assert (failure.source, failure.account) == ("fx", "ecb")
    assert "HTTP 404" in failure.error and "FX_RATES_URL" in failure.error
    assert not list(settings.spool_dir.rglob("manifest.json"))


def test_spool_holds_only_the_records(fx_settings: Settings) -> None:
    (manifest,) = get_source("fx").extract_account(fx_settings, "ecb", START, END, "run-s")
    for page in manifest.parent.glob("page-*.json"):
        text = page.read_text()
        assert "http" not in text and "127.0.0.1" not in text
