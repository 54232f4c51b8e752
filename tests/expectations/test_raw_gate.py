"""The raw gate: contracts built from the stream specs, on the latest load of each account."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from gate_raw_rows import placement_row

from connectors.common.land import METADATA_COLUMNS, load_spool
from connectors.common.spool import SpoolWriter
from connectors.common.streams import get_stream
from expectations.gate import GateFailed, run_raw_gate
from expectations.suites import raw_contract
from socialmart import pipeline, warehouse
from socialmart.settings import Settings

STREAM = ("meta", "ad_insights_placement")
SUITE = "raw.meta__ad_insights_placement"


def _fetch(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _failed(outcome, suite: str = SUITE) -> set[tuple[str, str, tuple[str, ...]]]:
    return {
        (r.severity, r.expectation_type, r.columns)
        for r in outcome.results
        if not r.success and r.suite == suite
    }


def test_annotations_name_declared_columns_of_registered_streams() -> None:
    tables = {spec.raw_table: spec for spec in raw_contract.all_streams()}
    assert len(tables) >= 20
    # the suites carry the facts declared on each spec's columns
    for spec in tables.values():
        suite = raw_contract.rows_suite(spec)
        numeric = {
            e.column
            for e in suite.expectations
            if e.expectation_type
            in ("expect_column_values_to_match_regex", "expect_column_values_to_be_between")
        }
        assert numeric == set(spec.numeric_columns), spec.raw_table
        warned = {e.column for e in suite.expectations if e.meta == raw_contract.WARNING}
        assert warned == set(spec.known_values), spec.raw_table
    assert raw_contract.currency_columns(get_stream("tiktok_shop", "affiliate_orders"))[:1] == (
        "price_currency",
    )


def test_clean_load_passes_and_every_stream_is_validated(settings: Settings, write_raw) -> None:
    write_raw(*STREAM, [placement_row(), placement_row(ad_id="302")], run_id="r1", account="111")
    outcome = run_raw_gate(settings, "r1")
    assert outcome.passed and outcome.gate == "raw" and not outcome.warnings, outcome.summary()
    suites = {r.suite for r in outcome.results}
    tables = {f"raw.{spec.raw_table}" for spec in raw_contract.all_streams()}
    assert suites == {"raw.columns", "raw.loads", "raw.volume", "raw.schema_drift", *tables}
    # recorded with its own gate kind; gate_runs stays the mart gate's publish contract
    assert _fetch(
        settings.warehouse_path, "select run_id, gate, passed from audit.gate_validations"
    ) == [("r1", "raw", True)]
    assert _fetch(settings.warehouse_path, "select count(*) from audit.gate_runs") == [(0,)]
    assert _fetch(settings.published_health_path, "select gate from gate_validations") == [("raw",)]


def test_contract_breaks_are_errors_naming_the_column(settings: Settings, write_raw) -> None:
    rows = [
        placement_row(spend="-1.00"),
        placement_row(ad_id="302", account_currency="EURO"),
        placement_row(ad_id="303", date_start=date(2026, 6, 9)),
        placement_row(ad_id=None, clicks="1,234"),
    ]
    write_raw(*STREAM, rows, run_id="r1", account="111")
    outcome = run_raw_gate(settings, "r1")
    assert not outcome.passed
    assert _failed(outcome) == {
        ("error", "expect_column_values_to_match_regex", ("spend",)),
        ("error", "expect_column_values_to_match_regex", ("clicks",)),
        ("error", "expect_column_values_to_be_in_set", ("account_currency",)),
        (
            "error",
            "expect_column_pair_values_a_to_be_greater_than_b",
            ("_window_end", "date_start"),
        ),
        ("error", "expect_column_values_to_not_be_null", ("ad_id",)),
    }
    message = outcome.summary()
    assert '"-1.00"' in message and '"EURO"' in message and '"1,234"' in message
    with pytest.raises(GateFailed, match="Raw gate FAILED"):
        pipeline.validate_raw(settings, "r2")


def test_new_placement_and_collapsing_volume_only_warn(settings: Settings, write_raw) -> None:
    write_raw(*STREAM, [placement_row()], run_id="r1", account="111", rows_seen=100)
    write_raw(
        *STREAM,
        [placement_row(publisher_platform="oculus", platform_position="vr_feed")],
        run_id="r2",
        account="111",
        rows_seen=40,
    )
    outcome = run_raw_gate(settings, "r2")
    assert outcome.passed, outcome.summary()
    warned = {(r.suite, r.columns, r.observed_value) for r in outcome.warnings}
    assert warned == {
        (SUITE, ("publisher_platform",), '1 of 1 rows unexpected, e.g. ["oculus"]'),
        (
            "raw.volume",
            ("collapsed_load",),
            "1 of 1 rows unexpected, e.g. "
            '["meta/ad_insights_placement account 111: 40 rows, previous load 100"]',
        ),
    }


def test_volume_compares_windows_of_the_same_length(settings: Settings, write_raw) -> None:
    long_window = (date(2026, 5, 1), date(2026, 6, 3))
    write_raw(*STREAM, [], run_id="r1", account="111", window=long_window, rows_seen=1000)
    write_raw(*STREAM, [placement_row()], run_id="r2", account="111", rows_seen=40)
    assert not run_raw_gate(settings, "r2").warnings


def test_only_the_latest_load_is_judged(settings: Settings, write_raw) -> None:
    write_raw(*STREAM, [placement_row(spend="-5")], run_id="r1", account="111")
    write_raw(*STREAM, [placement_row(spend="5")], run_id="r2", account="111")
    write_raw(*STREAM, [placement_row(account_id="222")], run_id="r2", account="222")
    outcome = run_raw_gate(settings, "r2")
    assert outcome.passed, outcome.summary()


def test_a_column_with_another_type_breaks_the_contract(settings: Settings) -> None:
    spec = get_stream("fx", "ecb_rates")
    columns = {**spec.columns, **METADATA_COLUMNS, "rate": "DOUBLE"}
    with warehouse.connect(settings) as con:
        con.execute("create schema if not exists raw")
        body = ", ".join(f"{name} {kind}" for name, kind in columns.items())
        con.execute(f"create table raw.{spec.raw_table} ({body})")
    outcome = run_raw_gate(settings, "r1")
    [failure] = outcome.errors
    assert failure.suite == "raw.columns"
    assert '["fx__ecb_rates.rate VARCHAR (found DOUBLE)"]' in failure.observed_value


def test_rows_the_loader_quarantined_block_the_gate_and_never_reach_raw(
    settings: Settings, tmp_path: Path
) -> None:
    """Issue 13: a row dated outside its load's window used to be committed, then published
    by the next full refresh. Now it stays in quarantine, and the gate names it."""
    window = (date(2026, 6, 1), date(2026, 6, 2))
    writer = SpoolWriter(tmp_path, "r1", *STREAM, "111", *window)
    writer.write_page(
        [
            {**placement_row(), "date_start": "2026-06-02", "date_stop": "2026-06-02"},
            {**placement_row(ad_id="302"), "date_start": "2026-06-09", "date_stop": "2026-06-09"},
        ]
    )
    writer.commit(request_count=1)
    with warehouse.connect(settings) as con:
        [report] = load_spool(con, tmp_path / "r1", "r1")
        assert (report.rows_inserted, report.rows_quarantined) == (1, 1)
    outcome = run_raw_gate(settings, "r1")
    assert _failed(outcome) == {
        (
            "error",
            "expect_column_pair_values_a_to_be_greater_than_b",
            ("_window_end", "date_start"),
        )
    }
    assert "2026-06-09" in outcome.summary()
    assert _fetch(
        settings.warehouse_path, "select count(*) from raw.meta__ad_insights_placement"
    ) == [(1,)]
    assert _fetch(
        settings.warehouse_path,
        "select ad_id, _reject_reason from quarantine.meta__ad_insights_placement",
    ) == [("302", "date_start outside the requested window")]
