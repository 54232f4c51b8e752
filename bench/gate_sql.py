"""The gate's expectations as plain SQL: the peer the Great Expectations gate is timed against.

Each expectation of every gate suite is translated from its configuration, so a new suite is
covered without code here; an expectation type with no translation is returned in
``untranslated`` (reported, never silently dropped).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb


@dataclass(frozen=True)
class SqlCheck:
    """One expectation as a query returning the number of violations (0 = success)."""

    dataset: str
    expectation_type: str
    sql: str


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def translate(dataset: str, expectation_type: str, kwargs: dict[str, Any]) -> str | None:
    """SQL counting the rows (or 1 for a table-level check) that violate the expectation."""
    column = kwargs.get("column")
    if expectation_type == "expect_table_columns_to_match_ordered_list":
        schema, table = dataset.split(".")
        expected = "[" + ", ".join(_literal(c) for c in kwargs["column_list"]) + "]"
        return (
            "select (list(column_name order by ordinal_position) != "
            f"{expected})::int from information_schema.columns "
            f"where table_schema = {_literal(schema)} and table_name = {_literal(table)}"
        )
    if expectation_type == "expect_column_values_to_not_be_null":
        return f"select count(*) from {dataset} where {_q(column)} is null"
    if expectation_type == "expect_compound_columns_to_be_unique":
        keys = ", ".join(_q(c) for c in kwargs["column_list"])
        return (
            f"select coalesce(sum(n), 0) from (select count(*) as n from {dataset} "
            f"group by {keys} having count(*) > 1)"
        )
    if expectation_type == "expect_column_values_to_be_between":
        bounds = []
        if kwargs.get("min_value") is not None:
            bounds.append(f"{_q(column)} < {_literal(kwargs['min_value'])}")
        if kwargs.get("max_value") is not None:
            bounds.append(f"{_q(column)} > {_literal(kwargs['max_value'])}")
        return f"select count(*) from {dataset} where {' or '.join(bounds) or 'false'}"
    if expectation_type == "expect_column_values_to_be_in_set":
        values = ", ".join(_literal(v) for v in kwargs["value_set"])
        return f"select count(*) from {dataset} where {_q(column)} not in ({values})"
    return None


def gate_checks() -> tuple[list[SqlCheck], list[str]]:
    """Every gate suite's expectations as SQL, plus the ones that have no translation."""
    from expectations.suites import GATE_SUITES

    checks, untranslated = [], []
    for suite_module in GATE_SUITES:
        suite = suite_module.build_suite()
        for expectation in suite.expectations:
            config = expectation.configuration
            kwargs = dict(config.kwargs)
            sql = translate(suite_module.DATASET, config.type, kwargs)
            if sql is None:
                untranslated.append(f"{suite_module.DATASET}: {config.type}")
            else:
                checks.append(SqlCheck(suite_module.DATASET, config.type, sql))
    return checks, untranslated


def run_checks(con: duckdb.DuckDBPyConnection, checks: list[SqlCheck]) -> list[int]:
    """Violation count of each check, in order."""
    return [int(con.execute(check.sql).fetchone()[0]) for check in checks]
