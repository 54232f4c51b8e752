"""Store gate outcomes in the warehouse's audit schema.

``audit.gate_results`` holds every expectation result of both gates. ``audit.gate_runs`` is the
publish contract (``socialmart.publish`` looks up the run's latest *mart* gate there), so only
the mart gate writes it. ``audit.gate_validations`` records every gate run of either kind with
its Data Docs path; the gate creates it, so the warehouse module stays unchanged.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import duckdb

from socialmart import warehouse

if TYPE_CHECKING:
    from expectations.gate import GateOutcome

MARTS_GATE = "marts"
RAW_GATE = "raw"


def record(con: duckdb.DuckDBPyConnection, outcome: GateOutcome) -> None:
    """Append ``outcome`` to the audit tables in one transaction.

    Args:
        con: Warehouse connection (audit schema present).
        outcome: A finished gate run.
    """
    warehouse.ensure_writer_table(con, "gate_validations")
    rows = [
        [
            outcome.run_id,
            outcome.validated_at,
            result.suite,
            result.expectation_type,
            ", ".join(result.columns) or None,
            result.severity,
            result.success,
            result.observed_value,
            json.dumps(result.details),
        ]
        for result in outcome.results
    ]
    counts = [outcome.passed, len(outcome.errors), len(outcome.warnings)]
    con.execute("begin transaction")
    try:
        if rows:
            con.executemany(
                "insert into audit.gate_results values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
        if outcome.gate == MARTS_GATE:
            con.execute(
                "insert into audit.gate_runs values (?, ?, ?, ?, ?)",
                [outcome.run_id, outcome.validated_at, *counts],
            )
        con.execute(
            "insert into audit.gate_validations values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                outcome.run_id,
                outcome.validated_at,
                outcome.gate,
                outcome.passed,
                len(outcome.results),
                *counts[1:],
                str(outcome.data_docs_path) if outcome.data_docs_path else None,
            ],
        )
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
