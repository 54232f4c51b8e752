"""The quality gates: raw contracts before dbt, marts before publish (write-audit-publish).

``run_raw_gate`` validates the latest load of every raw table (contracts from the stream
specs); ``run_gate`` decides whether the built marts may be published from two results: the
marts' contract as dbt tested it in the build that produced them (columns and types, grain,
keys, amounts, currencies, row rules, enumerations, placement rows against the ad totals:
``audit.mart_test_results``, see
``socialmart.transform``) and Great Expectations' checks of what dbt is not made for (shares,
freshness, reconciliation with staging, volumes and completeness against the platforms and
the last publication). A dbt test is one result of
the gate like an expectation: an error-severity failure blocks, a ``warn`` one is recorded
and published with the data. Every result is stored in
``audit.gate_results`` (see ``expectations.store``), rendered as GX Data Docs under
``<home>/data_docs/`` and the published health file is refreshed either way, so the
data-health view shows why a run was blocked. Error-level failures block (the transform,
resp. publish), warning-level failures are recorded and the data still goes on. A blocked
gate also POSTs to ``ALERT_WEBHOOK_URL`` when set (and a passing gate does when a
placement's share jumped in the newest week).

Both gates run on the warehouse ``SOCIALMART_WAREHOUSE`` selects: the embedded DuckDB file or
the shared PostgreSQL warehouse (same checks, same SQL; ``expectations.dialect``), where the
previous publication is the schema ``published`` and the health refresh is
``socialmart.publish_postgres``'s.

Great Expectations is imported only when a gate runs, so importing this module (for
``GateFailed`` or ``enforce``) stays cheap.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from expectations.store import MARTS_GATE, RAW_GATE, record
from socialmart import engines, publish
from socialmart.settings import Settings

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

    from expectations.dialect import WarehouseConnection
    from expectations.validation import ExpectationResult
    from socialmart.transform import MartTestResult

log = logging.getLogger(__name__)

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class GateOutcome:
    """All expectation results of one gate run."""

    run_id: str
    validated_at: datetime
    results: tuple[ExpectationResult, ...]
    gate: str = MARTS_GATE
    data_docs_path: Path | None = None

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
            f"{self.gate.capitalize()} gate {verdict} for run {self.run_id}: "
            f"{len(self.results)} expectations, "
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
    """Judge the built marts by the build's dbt tests and GX, store both, refresh the health
    file.

    Each GX check reduces a mart to a small frame in the warehouse (``expectations.suites.
    mart_checks``) and GX judges the frame, so the gate reads a few rows per check whatever
    the marts' size.

    Args:
        settings: Warehouse, published health file and gate thresholds.
        run_id: The pipeline run being validated.

    Returns:
        The outcome; call :func:`enforce` to turn a failure into an exception.
    """
    from expectations.suites import mart_checks
    from expectations.suites.marts import MART_SPECS

    with engines.connect(settings) as con:
        # The previous publication, read-only, for the volume checks (none on a first run).
        with mart_checks.attach_published(con, settings.published_marts_path):
            checks = mart_checks.checks(
                con,
                MART_SPECS,
                settings.gate.freshness_max_days,
                max_volume_drop_ratio=settings.gate.max_volume_drop_ratio,
            )
            pairs = [mart_checks.evaluate(con, check) for check in checks]
        return _validate_and_record(con, settings, run_id, MARTS_GATE, pairs, dbt_test_results(con))


def dbt_test_results(con: WarehouseConnection) -> tuple[ExpectationResult, ...]:
    """The marts' dbt tests of the latest build as gate results, suite ``<mart>.dbt``.

    Tests dbt skipped (their mart was not rebuilt because something upstream failed) judged
    nothing and are left out; that upstream failure is itself a result, or failed the build.
    """
    from expectations.validation import ExpectationResult
    from socialmart.transform import latest_build_mart_tests

    started_at, tests = latest_build_mart_tests(con)
    if started_at is None:
        log.info("no dbt build recorded: the gate judges the marts by GX alone")
    return tuple(
        ExpectationResult(
            suite=f"{publish.MARTS_SCHEMA}.{test.model}.dbt",
            expectation_type=f"dbt.{test.test_name}",
            columns=test.column_names,
            severity=WARNING if test.severity == "warn" and test.status != "error" else ERROR,
            success=test.status == "pass",
            observed_value=_dbt_observed(test),
            details={
                "unique_id": test.unique_id,
                "status": test.status,
                "kwargs": test.kwargs,
                "build_started_at": started_at.isoformat() if started_at else None,
            },
        )
        for test in tests
        if test.status != "skipped"
    )


def _dbt_observed(test: MartTestResult) -> str:
    """What a dbt test saw: its failing rows (and expression), or why it could not run."""
    from expectations.validation import MAX_OBSERVED_CHARS

    if test.status == "error":
        return f"could not be evaluated: {test.message}"
    expression = test.kwargs.get("expression")
    where = f" where not ({' '.join(str(expression).split())})" if expression else ""
    sample = f", e.g. {json.dumps(test.failing_rows, default=str)}" if test.failing_rows else ""
    return f"{test.failures or 0} failing row(s){where}{sample}"[:MAX_OBSERVED_CHARS]


def run_raw_gate(settings: Settings, run_id: str) -> GateOutcome:
    """Validate the latest load of every raw table before dbt runs.

    Missing raw tables (a source never loaded) are created first, empty, as the transform
    step does, so their contracts are checked against the declared columns.

    Args:
        settings: Warehouse, published health file and gate thresholds.
        run_id: The pipeline run the results are recorded under.

    Returns:
        The outcome; call :func:`enforce` to turn a failure into an exception.
    """
    from expectations.suites import raw_contract

    warehouse = engines.engine(settings)
    with warehouse.connect(settings) as con:
        for spec in raw_contract.all_streams():
            warehouse.land.ensure_raw_table(con, spec)
        pairs = raw_contract.validations(con, settings.gate.volume_min_ratio)
        return _validate_and_record(con, settings, run_id, RAW_GATE, pairs)


def _validate_and_record(
    con: WarehouseConnection,
    settings: Settings,
    run_id: str,
    gate: str,
    pairs: Sequence[tuple[gx.ExpectationSuite, pd.DataFrame]],
    decided: Sequence[ExpectationResult] = (),
) -> GateOutcome:
    """Run the suites, render Data Docs, store them with the results ``decided`` elsewhere
    (the build's dbt tests), refresh the health file, alert when blocked."""
    from expectations import alerts, data_docs
    from expectations.validation import new_context, run_suite

    validated_at = datetime.now(UTC)
    context = new_context()
    validations = [run_suite(suite, frame, context) for suite, frame in pairs]
    docs = data_docs.render(
        data_docs.docs_dir(settings.home, run_id, gate, validated_at),
        f"socialmart {gate} gate, run {run_id}, {validated_at:%Y-%m-%d %H:%M:%S} UTC",
        validations,
        run=(f"{gate} gate, run {run_id}", validated_at),
    )
    results = (
        *decided,
        *(result for validation in validations for result in validation.results),
    )
    outcome = GateOutcome(run_id, validated_at, results, gate=gate, data_docs_path=docs)
    record(con, outcome)
    engines.engine(settings).publishing.refresh_health(con, settings)
    log.info("%s gate Data Docs: %s", gate, docs)
    if not outcome.passed:
        alerts.send_blocked_alert(settings.gate.alert_webhook_url, outcome)
    else:
        alerts.send_drift_alert(settings.gate.alert_webhook_url, outcome)
    return outcome
