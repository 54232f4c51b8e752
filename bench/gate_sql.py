"""The gate's checks without Great Expectations: the peer the GX gate is timed against.

The gate reduces each mart to a small frame in DuckDB and lets GX judge the frame
(``expectations.suites.mart_checks``). This peer plans and runs the very same queries, built
from the same specs, and judges every error-level expectation's bounds in plain Python
(never building a GX object), so the ratio between the two is what GX (and storing results,
Data Docs, the health file) adds on top of the SQL. An expectation type without a Python
judge is returned in ``untranslated`` (reported, never silently dropped).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    from expectations.suites.mart_checks import Check
    from expectations.suites.spec import MartSpec

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class SqlCheck:
    """The checks of one mart (planned against the warehouse when they run)."""

    spec: MartSpec
    freshness_max_days: int


def _values(rows: Rows, column: str) -> list[Any]:
    return [row[column] for row in rows if row[column] is not None]


def _outside(value: Any, kwargs: dict[str, Any]) -> bool:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    return (low is not None and value < low) or (high is not None and value > high)


def _aggregate_outside(pick: Callable[[list[Any]], Any]) -> Callable[[Rows, dict], bool]:
    def judge(rows: Rows, kwargs: dict[str, Any]) -> bool:
        values = _values(rows, kwargs["column"])
        return bool(values) and _outside(pick(values), kwargs)

    return judge


# Whether one expectation fails on the check's rows.
JUDGES: dict[str, Callable[[Rows, dict[str, Any]], bool]] = {
    "expect_column_max_to_be_between": _aggregate_outside(max),
    "expect_column_min_to_be_between": _aggregate_outside(min),
    "expect_column_values_to_be_between": lambda rows, kw: any(
        _outside(value, kw) for value in _values(rows, kw["column"])
    ),
    "expect_column_values_to_not_be_null": lambda rows, kw: any(
        row[kw["column"]] is None for row in rows
    ),
    "expect_column_values_to_be_null": lambda rows, kw: bool(_values(rows, kw["column"])),
    "expect_column_values_to_be_in_set": lambda rows, kw: any(
        value not in set(kw["value_set"]) for value in _values(rows, kw["column"])
    ),
    "expect_column_pair_values_to_be_equal": lambda rows, kw: any(
        row[kw["column_A"]] != row[kw["column_B"]] for row in rows
    ),
}


def gate_checks() -> tuple[list[SqlCheck], list[str]]:
    """One check per gated mart, plus the expectation types that have no Python judge
    (found on each spec's checks as built without a warehouse)."""
    from expectations.suites import mart_checks
    from expectations.suites.marts import MART_SPECS
    from socialmart.settings import load_settings

    max_days = load_settings().gate.freshness_max_days
    untranslated = []
    with duckdb.connect() as empty:
        for spec in MART_SPECS:
            for check in mart_checks.spec_checks(empty, spec, max_days):
                untranslated += [
                    f"{check.name}: {expectation.expectation_type}"
                    for expectation in check.expectations
                    if expectation.expectation_type not in JUDGES
                ]
    return [SqlCheck(spec, max_days) for spec in MART_SPECS], untranslated


def run_checks(con: duckdb.DuckDBPyConnection, checks: Sequence[SqlCheck]) -> list[int]:
    """Per mart, how many error-level expectations fail (0 = it would publish); a mart
    that does not exist is not checked (0), as in the gate."""
    from expectations.suites import mart_checks

    return [
        sum(
            _failed_errors(con, check)
            for check in mart_checks.checks(con, [sql.spec], sql.freshness_max_days)
        )
        for sql in checks
    ]


def _failed_errors(con: duckdb.DuckDBPyConnection, check: Check) -> int:
    """Failing error-level expectations of one check; a query that fails is one."""
    try:
        cursor = con.execute(check.sql, check.params)
    except duckdb.Error:
        return 1
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    failed = 0
    for expectation in check.expectations:
        if expectation.severity != "error":
            continue
        failed += JUDGES[expectation.expectation_type](rows, expectation.kwargs)
    return failed
