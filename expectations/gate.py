"""The write-audit-publish gate: validate the built marts before they may be published.

Every expectation result is stored in ``audit.gate_results`` and each gate run in
``audit.gate_runs``; the published health file is refreshed either way, so the
data-health view shows why a run was blocked. Error-level failures block publish,
warning-level failures are recorded and the data still publishes.

Great Expectations is imported only when the gate runs, so importing this module (for
``GateFailed`` or ``enforce``) stays cheap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import duckdb

from socialmart import publish, warehouse
from socialmart.settings import Settings

if TYPE_CHECKING:
    from expectations.validation import ExpectationResult

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class GateOutcome:
    """All expectation results of one gate run."""

    run_id: str
    validated_at: datetime
    results: tuple[ExpectationResult, ...]

    @property
    def errors(self) -> list[ExpectationResult]:
        """Failed error-level expectations (they block publish)."""
        return [r for r in self.results if not r.success and r.severity != WARNING]

    @property
    def warnings(self) -> list[ExpectationResult]:
        """Failed warning-level expectations (recorded, published with the data)."""
        return [r for r in self.results if not r.success and r.severity == WARNING]

    @property
    def passed(self) -> bool:
        """True when no error-level expectation failed."""
        return not self.errors

    def summary(self) -> str:
        """Readable report naming each failing expectation, its columns and observed value."""
        verdict = "passed" if self.passed else "FAILED"
        lines = [
            f"Gate {verdict} for run {self.run_id}: {len(self.results)} expectations, "
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        ]
        lines += [f"  ERROR   {result.describe()}" for result in self.errors]
        lines += [f"  WARNING {result.describe()}" for result in self.warnings]
        return "\n".join(lines)


class GateFailed(Exception):
    """Error-level expectations failed; publishing is blocked."""

    def __init__(self, outcome: GateOutcome) -> None:
        super().__init__(outcome.summary())
        self.outcome = outcome


def enforce(outcome: GateOutcome) -> None:
    """Raise :class:`GateFailed` unless ``outcome`` passed.

    Raises:
        GateFailed: At least one error-level expectation failed.
    """
    if not outcome.passed:
        raise GateFailed(outcome)


def run_gate(settings: Settings, run_id: str) -> GateOutcome:
    """Validate every gated dataset, store the results and refresh the health file.

    Args:
        settings: Warehouse and published health file locations.
        run_id: The pipeline run being validated.

    Returns:
        The outcome; call :func:`enforce` to turn a failure into an exception.
    """
    from expectations.suites import GATE_SUITES
    from expectations.validation import validate_frame

    with warehouse.connect(settings) as con:
        validated_at = datetime.now(UTC)
        results: list[ExpectationResult] = []
        for suite_module in GATE_SUITES:
            frame = con.sql(f"select * from {suite_module.DATASET}").df()
            results += validate_frame(suite_module.build_suite(), frame)
        outcome = GateOutcome(run_id, validated_at, tuple(results))
        _store(con, outcome)
        publish.refresh_health(con, settings)
    return outcome


def _store(con: duckdb.DuckDBPyConnection, outcome: GateOutcome) -> None:
    """Append the outcome to audit.gate_results and audit.gate_runs in one transaction."""
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
    con.execute("begin transaction")
    try:
        if rows:
            con.executemany(
                "insert into audit.gate_results values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
        con.execute(
            "insert into audit.gate_runs values (?, ?, ?, ?, ?)",
            [
                outcome.run_id,
                outcome.validated_at,
                outcome.passed,
                len(outcome.errors),
                len(outcome.warnings),
            ],
        )
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
