"""Store gate outcomes in the warehouse's audit schema.

``audit.gate_results`` holds every expectation result of both gates. ``audit.gate_runs`` is the
publish contract (``socialmart.publish`` looks up the run's latest *mart* gate there), so only
the mart gate writes it. ``audit.gate_validations`` records every gate run of either kind with
its Data Docs path; the gate creates it, so the warehouse module stays unchanged. The same
statements run on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from socialmart import warehouse

if TYPE_CHECKING:
    from expectations.engine import WarehouseConnection
    from expectations.gate import GateOutcome

MARTS_GATE = "marts"
RAW_GATE = "raw"


def record(con: WarehouseConnection, outcome: GateOutcome) -> None:
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
            json.dumps(_finite(result.details)),
        ]
        for result in outcome.results
    ]
    counts = [outcome.passed, len(outcome.errors), len(outcome.warnings)]
    con.begin()
    try:
        _insert(con, "audit.gate_results", rows)
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
        con.rollback()
        raise
    con.commit()


def _insert(con: WarehouseConnection, table: str, rows: Sequence[Sequence[Any]]) -> None:
    """Append ``rows`` to ``table`` in one statement (a multi-row ``values`` list)."""
    if not rows:
        return
    row = f"({', '.join('?' * len(rows[0]))})"
    con.execute(
        f"insert into {table} values {', '.join([row] * len(rows))}",
        [value for values in rows for value in values],
    )


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities (a pandas null in a sample) as ``None``: standard
    JSON, which PostgreSQL's ``json`` type requires."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value
