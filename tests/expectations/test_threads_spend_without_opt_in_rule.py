"""The mart gate knows rpt_advantage_plus_placement_split's threads_spend_without_opt_in:
part of a Threads row's spend, never more, and zero on every other placement."""

from __future__ import annotations

from mart_tables import spec_table

from expectations.gate import run_gate
from expectations.suites import marts
from socialmart.settings import Settings

DATASET = "marts.rpt_advantage_plus_placement_split"


def _rows(threads_amount: str, facebook_amount: str) -> list[dict]:
    week = {"ad_account_id": "111", "account_currency": "EUR", "campaign_id": "c1"}
    week |= {"week_start_date": "2026-10-05", "campaign_spend": "10.00"}
    return [
        week
        | {"publisher_platform": "facebook", "platform_position": "feed", "spend": "6.00"}
        | {"spend_share": "0.6", "threads_spend_without_opt_in": facebook_amount},
        week
        | {"publisher_platform": "threads", "platform_position": "threads_feed", "spend": "4.00"}
        | {"spend_share": "0.4", "threads_spend_without_opt_in": threads_amount},
    ]


def test_the_gate_checks_threads_spend_without_opt_in(settings: Settings, write_table) -> None:
    spec = marts.RPT_ADVANTAGE_PLUS_PLACEMENT_SPLIT
    assert "threads_spend_without_opt_in" in spec.non_negative
    columns = spec_table(spec, spend_share="decimal(18, 6)")
    assert "threads_spend_without_opt_in" in columns

    write_table(DATASET, columns, _rows("4.00", "0"))
    assert run_gate(settings, "run-1").passed

    for run, (threads_amount, facebook_amount) in enumerate(
        (("4.01", "0"), ("4.00", "1.00")), start=2
    ):
        write_table(DATASET, columns, _rows(threads_amount, facebook_amount))
        outcome = run_gate(settings, f"run-{run}")
        [failure] = outcome.errors
        assert failure.suite == DATASET
        assert failure.columns[0] == "threads_spend_without_opt_in"
        assert "threads_spend_without_opt_in_outside_threads_spend_rows: 1" in str(
            failure.observed_value
        )
