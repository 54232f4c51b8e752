"""Turn each :class:`~expectations.suites.spec.MartSpec` into checks: SQL plus a GX suite.

The heavy work stays in DuckDB: every check's SQL reduces the mart to a small frame
(aggregates, distinct values, per-group totals) and a GX suite judges that frame, so the
results are GX expectation results (stored, rendered as Data Docs) while only a few rows
leave DuckDB, whatever the mart's size. Per mart:

* ``<dataset>``: one row of aggregates from one scan plus a grouping per uniqueness,
  currency and share check: null key rows, minimum of each non-negative column, duplicate
  grain rows, currencies per group, share totals. Each expectation's ``meta["columns"]``
  names the mart columns it is about.
* ``<dataset>.columns``: the ordered column contract (a zero-row frame).
* ``<dataset>.values``: distinct values of each enumeration (unknown values warn).
* ``<dataset>.<flag>``: per-row findings, e.g. creators without registry entry.
* ``<dataset>.freshness``: per source, how far the mart lags the latest requested window.
* ``<dataset>.reconciliation``: mart and staging totals per group, over each source's
  latest requested window.

A check whose inputs do not exist (the mart itself, a staging model, a recorded load) is
not applicable and left out rather than failed: the dbt build that runs before the gate
creates every mart and staging model in the pipeline.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd

from expectations.suites import loads
from expectations.suites.spec import (
    ERROR,
    WARNING,
    CurrencyGroup,
    MartSpec,
    Reconciliation,
    Shares,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Expect:
    """One GX expectation as plain data; built into GX's object only to be validated.

    Attributes:
        kind: GX's expectation class name, e.g. ``ExpectColumnMaxToBeBetween``.
        kwargs: Its arguments (the validated frame's columns, bounds, value sets).
        meta: ``severity`` and, for an aggregate, the mart ``columns`` it was computed from.
    """

    kind: str
    kwargs: dict[str, Any]
    meta: dict[str, Any]

    @property
    def expectation_type(self) -> str:
        """GX's snake-case type, e.g. ``expect_column_max_to_be_between``."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.kind).lower()

    @property
    def severity(self) -> str:
        """``error`` or ``warning``."""
        return str(self.meta["severity"])

    def build(self) -> gxe.Expectation:
        """GX's expectation object."""
        return getattr(gxe, self.kind)(**self.kwargs, meta=self.meta)


def expect(kind: str, *, meta: dict[str, Any], **kwargs: Any) -> Expect:
    """An :class:`Expect` written like GX's constructor: ``expect("ExpectX", column=...)``."""
    return Expect(kind, kwargs, meta)


@dataclass(frozen=True)
class Check:
    """A query that reduces a mart to a small frame, and the expectations that judge it."""

    name: str
    expectations: tuple[Expect, ...]
    sql: str
    params: dict[str, object] = field(default_factory=dict)

    def suite(self) -> gx.ExpectationSuite:
        """The GX suite, named after the check."""
        return gx.ExpectationSuite(
            name=self.name, expectations=[expectation.build() for expectation in self.expectations]
        )

    def frame(self, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        """Run the query (the frame has a few rows, whatever the mart's size)."""
        return con.execute(self.sql, self.params).df()


def evaluate(
    con: duckdb.DuckDBPyConnection, check: Check
) -> tuple[gx.ExpectationSuite, pd.DataFrame]:
    """The check's suite and frame, ready to validate.

    A query that fails (e.g. a mart column was renamed) becomes a failing error-level
    result of the same suite name, naming the database error, so the gate blocks with a
    stored, readable reason instead of crashing.
    """
    try:
        return check.suite(), check.frame(con)
    except duckdb.Error as error:
        log.warning("%s could not be checked: %s", check.name, error)
        failed = expect(
            "ExpectColumnValuesToBeNull", column="query_error", meta={"severity": ERROR}
        )
        frame = pd.DataFrame({"query_error": [str(error).splitlines()[0]]})
        return Check(check.name, (failed,), "").suite(), frame


def checks(
    con: duckdb.DuckDBPyConnection, specs: Sequence[MartSpec], freshness_max_days: int
) -> list[Check]:
    """Every applicable check of every spec, in spec order.

    Args:
        con: Warehouse connection with the built marts.
        specs: The marts to check.
        freshness_max_days: How many days a mart's last report date may lag behind the end
            of the latest requested window of its sources.
    """
    reconcile = not loads.raw_loaded_since_build(con)
    found: list[Check] = []
    for spec in specs:
        if not loads.relation_exists(con, spec.dataset):
            log.info("%s does not exist: not checked", spec.dataset)
            continue
        found += spec_checks(con, spec, freshness_max_days, reconcile=reconcile)
    return found


def spec_checks(
    con: duckdb.DuckDBPyConnection,
    spec: MartSpec,
    freshness_max_days: int,
    *,
    reconcile: bool = True,
) -> list[Check]:
    """The applicable checks of one (existing) mart; see the module docstring."""
    found = [profile_check(spec)]
    if spec.columns:
        found.append(columns_check(spec))
    if spec.known_values:
        found.append(values_check(spec))
    found += [flag_check(spec, flag.name, flag.sql, flag.severity) for flag in spec.flags]
    freshness = freshness_check(con, spec, freshness_max_days)
    if freshness is not None:
        found.append(freshness)
    if reconcile and spec.reconciliation is not None:
        reconciliation = reconciliation_check(con, spec, spec.reconciliation)
        if reconciliation is not None:
            found.append(reconciliation)
    return found


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _columns(names: Sequence[str]) -> str:
    return ", ".join(_q(name) for name in names)


def _meta(severity: str, columns: Sequence[str]) -> dict[str, object]:
    return {"severity": severity, "columns": list(columns)}


def profile_check(spec: MartSpec) -> Check:
    """Null keys, negative amounts, broken rules, duplicate grain rows, mixed currencies and
    share totals, as one row of aggregates."""
    aggregates = ["count(*) as row_count"]
    expectations: list[Expect] = []
    for key in dict.fromkeys((*spec.grain, *spec.keys)):
        aggregates.append(f"count(*) filter (where {_q(key)} is null) as {_q(f'null_{key}_rows')}")
        expectations.append(
            expect(
                "ExpectColumnMaxToBeBetween",
                column=f"null_{key}_rows",
                min_value=0,
                max_value=0,
                meta=_meta(ERROR, [key]),
            )
        )
    for column in spec.non_negative:
        aggregates.append(f"coalesce(min({_q(column)}), 0) as {_q(f'min_{column}')}")
        expectations.append(
            expect(
                "ExpectColumnMinToBeBetween",
                column=f"min_{column}",
                min_value=0,
                meta=_meta(ERROR, [column]),
            )
        )
    for rule in spec.rules:
        aggregates.append(
            f"count(*) filter (where not ({rule.condition})) as {_q(f'{rule.name}_rows')}"
        )
        expectations.append(
            expect(
                "ExpectColumnMaxToBeBetween",
                column=f"{rule.name}_rows",
                min_value=0,
                max_value=0,
                meta=_meta(rule.severity, rule.columns),
            )
        )
    parts = [f"select {', '.join(aggregates)} from {spec.dataset}"]
    parts.append(
        "select cast(coalesce(sum(rows_per_key - 1), 0) as bigint) as duplicate_grain_rows from ("
        f"select count(*) as rows_per_key from {spec.dataset} "
        f"group by {_columns(spec.grain)} having count(*) > 1)"
    )
    expectations.append(
        expect(
            "ExpectColumnMaxToBeBetween",
            column="duplicate_grain_rows",
            min_value=0,
            max_value=0,
            meta=_meta(ERROR, spec.grain),
        )
    )
    for group in spec.currencies:
        sql, expectation = _currency_part(spec.dataset, group)
        parts.append(sql)
        expectations.append(expectation)
    if spec.shares is not None:
        sql, share_expectations = _shares_part(spec.dataset, spec.shares)
        parts.append(sql)
        expectations += share_expectations
    ctes = ",\n".join(f"part_{i} as ({sql})" for i, sql in enumerate(parts))
    joined = ", ".join(f"part_{i}" for i in range(len(parts)))
    return Check(spec.dataset, tuple(expectations), f"with {ctes}\nselect * from {joined}")


def _currency_part(dataset: str, group: CurrencyGroup) -> tuple[str, Expect]:
    name = f"{group.column}_count_per_{'_'.join(group.group_by) or 'mart'}"
    grouping = f" group by {_columns(group.group_by)}" if group.group_by else ""
    sql = (
        f"select coalesce(max(currencies), 0) as {_q(name)} from ("
        f"select count(distinct {_q(group.column)}) as currencies from {dataset}{grouping})"
    )
    expectation = expect(
        "ExpectColumnMaxToBeBetween",
        column=name,
        min_value=0,
        max_value=1,
        meta=_meta(ERROR, [group.column, *group.group_by]),
    )
    return sql, expectation


def _shares_part(dataset: str, shares: Shares) -> tuple[str, list[Expect]]:
    group = _columns(shares.group_by)
    share = (
        _q(shares.share)
        if shares.share
        else f"cast(coalesce({_q(shares.measure)}, 0) as double)"
        f" / nullif(sum(coalesce({_q(shares.measure)}, 0)) over (partition by {group}), 0)"
    )
    sql = f"""
        select coalesce(min(share_total), 1) as min_share_total,
            coalesce(max(share_total), 1) as max_share_total,
            coalesce(min(min_share), 0) as min_share,
            coalesce(max(max_share), 0) as max_share
        from (
            select sum(share) as share_total, min(share) as min_share, max(share) as max_share
            from (select {group}, {share} as share from {dataset})
            group by {group}
            having count(share) > 0
        )"""
    columns = [shares.share or shares.measure, *shares.group_by]
    high = 1 + shares.tolerance
    expectations = [
        expect(
            "ExpectColumnMinToBeBetween",
            column="min_share_total",
            min_value=1 - shares.tolerance,
            meta=_meta(ERROR, columns),
        ),
        expect(
            "ExpectColumnMaxToBeBetween",
            column="max_share_total",
            max_value=high,
            meta=_meta(ERROR, columns),
        ),
        expect(
            "ExpectColumnMinToBeBetween",
            column="min_share",
            min_value=0,
            meta=_meta(ERROR, columns),
        ),
        expect(
            "ExpectColumnMaxToBeBetween",
            column="max_share",
            max_value=high,
            meta=_meta(ERROR, columns),
        ),
    ]
    return sql, expectations


def columns_check(spec: MartSpec) -> Check:
    """The mart's columns, names and order, are the declared contract (error)."""
    return Check(
        f"{spec.dataset}.columns",
        (
            expect(
                "ExpectTableColumnsToMatchOrderedList",
                column_list=list(spec.columns),
                meta={"severity": ERROR},
            ),
        ),
        f"select * from {spec.dataset} limit 0",
    )


def values_check(spec: MartSpec) -> Check:
    """Each enumeration's distinct values are known; a new one (a new placement) warns."""
    sets = ", ".join(f"({_q(column)})" for column in spec.known_values)
    return Check(
        f"{spec.dataset}.values",
        tuple(
            expect(
                "ExpectColumnValuesToBeInSet",
                column=column,
                value_set=list(values),
                meta={"severity": WARNING},
            )
            for column, values in spec.known_values.items()
        ),
        f"select {_columns(list(spec.known_values))} from {spec.dataset} "
        f"group by grouping sets ({sets})",
    )


def flag_check(spec: MartSpec, name: str, sql: str, severity: str) -> Check:
    """Rows the flag's SQL describes (non-null) are reported with ``severity``."""
    return Check(
        f"{spec.dataset}.{name}",
        (expect("ExpectColumnValuesToBeNull", column=name, meta={"severity": severity}),),
        f"select {sql} as {_q(name)} from {spec.dataset}",
    )


def freshness_check(con: duckdb.DuckDBPyConnection, spec: MartSpec, max_days: int) -> Check | None:
    """Per source with a recorded load: the mart's last report date and its lag behind the
    latest requested window's end (warning); ``None`` when no source has a load."""
    selects, params = [], {}
    for i, source in enumerate(spec.freshness):
        window = loads.latest_window(con, source.source, source.stream)
        if window is None:
            continue
        params[f"end_{i}"] = window[1]
        selects.append(
            f"select {_literal(source.label)} as source, max({_q(spec.freshness_date)}) "
            f"as max_report_date, cast($end_{i} as date) as requested_end "
            f"from {spec.dataset} where {source.mart_filter}"
        )
    if not selects:
        return None
    expectations = (
        expect(
            "ExpectColumnValuesToNotBeNull", column="max_report_date", meta={"severity": WARNING}
        ),
        expect(
            "ExpectColumnValuesToBeBetween",
            column="lag_days",
            min_value=0,
            max_value=max_days,
            meta={"severity": WARNING},
        ),
    )
    sql = (
        "select *, greatest(date_diff('day', max_report_date, requested_end), 0) as lag_days "
        f"from ({' union all '.join(selects)})"
    )
    return Check(f"{spec.dataset}.freshness", expectations, sql, params)


def reconciliation_check(
    con: duckdb.DuckDBPyConnection, spec: MartSpec, reconciliation: Reconciliation
) -> Check | None:
    """Mart and staging totals (and row counts) per group over each side's latest requested
    window, as exact text (error); ``None`` when a staging relation is missing.

    Each side compares the mart rows its ``mart_filter`` selects (filters of one
    reconciliation are disjoint) with its staging relation; without a recorded load of the
    side's source every date is compared.
    """
    sides = reconciliation.sides
    if not all(
        loads.relation_exists(con, relation)
        for side in sides
        for relation in (side.relation, *side.requires)
    ):
        return None
    by = _columns(reconciliation.by)
    mart_selects, staging_selects, params = [], [], {}
    for i, side in enumerate(sides):
        window = loads.latest_window(con, *side.load) if side.load else None
        params[f"start_{i}"], params[f"end_{i}"] = window or (None, None)
        in_window = (
            "({date} >= cast($start_{i} as date) or $start_{i} is null) "
            "and ({date} <= cast($end_{i} as date) or $end_{i} is null)"
        )
        mart_date = in_window.format(date=_q(reconciliation.date_column), i=i)
        mart_selects.append(
            f"select {by}, {_q(reconciliation.measure)} as measure from {spec.dataset} "
            f"where ({side.mart_filter}) and {mart_date}"
        )
        mapped = ", ".join(f"{side.columns[name]} as {_q(name)}" for name in reconciliation.by)
        staging_date = in_window.format(date=f"({side.date})", i=i)
        staging_selects.append(
            f"select {mapped}, {side.measure} as measure from {side.relation} "
            f"where ({side.where}) and {staging_date}"
        )
    measure = reconciliation.measure
    joined = " and ".join(
        f"mart.{_q(name)} is not distinct from staging.{_q(name)}" for name in reconciliation.by
    )
    keys = ", ".join(
        f"coalesce(mart.{_q(name)}, staging.{_q(name)}) as {_q(name)}" for name in reconciliation.by
    )
    sql = f"""
        with mart as (
            select {by}, sum(measure) as total, count(*) as row_count
            from ({" union all ".join(mart_selects)}) group by all
        ),
        staging as (
            select {by}, sum(measure) as total, count(*) as row_count
            from ({" union all ".join(staging_selects)}) group by all
        )
        select {keys},
            -- same scale on both sides, compared as exact text
            cast(cast(coalesce(mart.total, 0) as decimal(38, 6)) as varchar)
                as {_q(f"mart_{measure}")},
            cast(cast(coalesce(staging.total, 0) as decimal(38, 6)) as varchar)
                as {_q(f"staging_{measure}")},
            coalesce(mart.row_count, 0) as mart_rows,
            coalesce(staging.row_count, 0) as staging_rows
        from mart full outer join staging on {joined}
        order by all
    """
    expectations = [
        expect(
            "ExpectColumnPairValuesToBeEqual",
            column_A=f"mart_{measure}",
            column_B=f"staging_{measure}",
            meta={"severity": ERROR},
        )
    ]
    if reconciliation.count_rows:
        expectations.append(
            expect(
                "ExpectColumnPairValuesToBeEqual",
                column_A="mart_rows",
                column_B="staging_rows",
                meta={"severity": ERROR},
            )
        )
    return Check(f"{spec.dataset}.reconciliation", tuple(expectations), sql, params)
