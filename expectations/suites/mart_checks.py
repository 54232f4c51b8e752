"""Turn each :class:`~expectations.suites.spec.MartSpec` into checks: SQL plus a GX suite.

A mart's contract (columns, grain, keys, amounts, currencies, row rules, known values) is
tested by dbt in the build; the gate reads those results (``expectations.gate``). These are
Great Expectations' checks on top. The heavy work stays in the warehouse: every check's SQL
reduces the mart to a small frame (aggregates, distinct values, per-group totals) and a GX
suite judges that frame, so the results are GX expectation results (stored, rendered as Data
Docs) while only a few rows leave the warehouse, whatever the mart's size. The SQL is
written once for both engines (DuckDB, PostgreSQL; ``expectations.dialect`` holds the few
differences). Per mart:

* ``<dataset>.shares``: per group, shares within [0, 1] that add up to 100 %. Each
  expectation's ``meta["columns"]`` names the mart columns it is about.
* ``<dataset>.values``: distinct values of each enumeration declared in Python (unknown
  values warn).
* ``<dataset>.<flag>``: per-row findings, e.g. creators without registry entry.
* ``<dataset>.freshness``: per source, how far the mart lags the latest requested window.
* ``<dataset>.reconciliation``: mart and staging totals per group, over each source's
  latest requested window.
* ``<dataset>.day_coverage``: per platform, no day missing between its first and last day
  (error), and platforms that end before the others (warning).
* ``<dataset>.published_volume``: rows and spend per platform x account x day against the
  previous publication (attached read-only as ``published``), over the days both cover.
* ``<dataset>.published_rows``: rows per group (platform) against the previous publication,
  for marts that only grow (dimensions) or are rewritten whole.
* ``<dataset>.account_totals``: spend per platform x account x day against the platform's
  own account-level daily totals, over each account's latest load of those totals.

The completeness checks (the last four) return one row per finding, each a sentence naming
the group and both numbers; GX requires that column to be null, so a failure lists them.

A check whose inputs do not exist (the mart itself, a staging model, a recorded load) is
not applicable and left out rather than failed: the dbt build that runs before the gate
creates every mart and staging model in the pipeline.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd

from expectations import dialect
from expectations.dialect import PUBLISHED, WarehouseConnection
from expectations.dialect import literal as _literal
from expectations.dialect import quote as _q
from expectations.suites import loads
from expectations.suites.spec import (
    ERROR,
    WARNING,
    AccountTotals,
    DayCoverage,
    MartSpec,
    PublishedRows,
    PublishedVolume,
    Reconciliation,
    Shares,
)
from socialmart.publish import PUBLICATION_TABLE

#: Default largest share of rows or spend a group may lose against the previous publication.
DEFAULT_MAX_VOLUME_DROP_RATIO = 0.2

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

    def frame(self, con: WarehouseConnection) -> pd.DataFrame:
        """Run the query (the frame has a few rows, whatever the mart's size)."""
        return dialect.frame(con, self.sql, self.params)


def evaluate(con: WarehouseConnection, check: Check) -> tuple[gx.ExpectationSuite, pd.DataFrame]:
    """The check's suite and frame, ready to validate.

    A query that fails (e.g. a mart column was renamed) becomes a failing error-level
    result of the same suite name, naming the database error, so the gate blocks with a
    stored, readable reason instead of crashing.
    """
    try:
        return check.suite(), check.frame(con)
    except dialect.of(con).errors as error:
        log.warning("%s could not be checked: %s", check.name, error)
        failed = expect(
            "ExpectColumnValuesToBeNull", column="query_error", meta={"severity": ERROR}
        )
        frame = pd.DataFrame({"query_error": [str(error).splitlines()[0]]})
        return Check(check.name, (failed,), "").suite(), frame


def checks(
    con: WarehouseConnection,
    specs: Sequence[MartSpec],
    freshness_max_days: int,
    *,
    max_volume_drop_ratio: float = DEFAULT_MAX_VOLUME_DROP_RATIO,
) -> list[Check]:
    """Every applicable check of every spec, in spec order.

    Args:
        con: Warehouse connection with the built marts (and, for the volume checks, the
            previous publication attached as :data:`PUBLISHED`, see :func:`attach_published`).
        specs: The marts to check.
        freshness_max_days: How many days a mart's last report date may lag behind the end
            of the latest requested window of its sources.
        max_volume_drop_ratio: Largest share of its rows or spend a platform x account x day
            may lose against the previous publication.
    """
    reconcile = not loads.raw_loaded_since_build(con)
    found: list[Check] = []
    for spec in specs:
        if not loads.relation_exists(con, spec.dataset):
            log.info("%s does not exist: not checked", spec.dataset)
            continue
        found += spec_checks(
            con,
            spec,
            freshness_max_days,
            reconcile=reconcile,
            max_volume_drop_ratio=max_volume_drop_ratio,
        )
    return found


@contextmanager
def attach_published(con: WarehouseConnection, path: Path) -> Iterator[bool]:
    """Make the previous publication readable as :data:`PUBLISHED` while the block runs:
    DuckDB attaches the published file ``path`` read-only; on PostgreSQL it is the schema
    :data:`PUBLISHED` of the same database, which publish swaps in (``path`` is unused).

    Yields:
        Whether a publication exists (on the first run there is nothing to compare with).
    """
    if dialect.of(con).name == "postgres":
        yield loads.relation_exists(con, f"{PUBLISHED}.{PUBLICATION_TABLE}")
        return
    if not path.exists():
        yield False
        return
    try:
        con.execute(f"attach {_literal(str(path))} as {PUBLISHED} (read_only)")
    except dialect.DUCKDB.errors as error:  # unreadable: compare nothing rather than crash the gate
        log.warning("previous publication %s not readable, volume not compared: %s", path, error)
        yield False
        return
    try:
        yield True
    finally:
        con.execute(f"detach {PUBLISHED}")


def spec_checks(
    con: WarehouseConnection,
    spec: MartSpec,
    freshness_max_days: int,
    *,
    reconcile: bool = True,
    max_volume_drop_ratio: float = DEFAULT_MAX_VOLUME_DROP_RATIO,
) -> list[Check]:
    """The applicable checks of one (existing) mart; see the module docstring."""
    found = [shares_check(spec, spec.shares)] if spec.shares is not None else []
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
    return found + completeness_checks(
        con, spec, reconcile=reconcile, max_volume_drop_ratio=max_volume_drop_ratio
    )


def completeness_checks(
    con: WarehouseConnection,
    spec: MartSpec,
    *,
    reconcile: bool = True,
    max_volume_drop_ratio: float = DEFAULT_MAX_VOLUME_DROP_RATIO,
) -> list[Check]:
    """The applicable completeness checks of one mart: day coverage, volume and rows against
    the previous publication, account-level totals (deferred like the reconciliation)."""
    found: list[Check] = []
    if spec.day_coverage is not None:
        found.append(day_coverage_check(spec, spec.day_coverage, _quiet_days_sql(con, spec)))
    previous = dialect.of(con).published(spec.name)
    volume = spec.published_volume
    if volume is not None and _published_has(
        con, spec.name, {*volume.by, volume.date_column, volume.measure}
    ):
        found.append(published_volume_check(spec, volume, max_volume_drop_ratio, previous))
    rows = spec.published_rows
    if rows is not None and _published_has(con, spec.name, set(rows.by)):
        found.append(published_rows_check(spec, rows, max_volume_drop_ratio, previous))
    if reconcile and spec.account_totals is not None:
        totals = account_totals_check(con, spec, spec.account_totals)
        if totals is not None:
            found.append(totals)
    return found


def _positions(count: int) -> str:
    """``1, 2, ..., count``: the first ``count`` selected columns, for ``order by``."""
    return ", ".join(str(position) for position in range(1, count + 1))


def _columns(names: Sequence[str]) -> str:
    return ", ".join(_q(name) for name in names)


def _meta(severity: str, columns: Sequence[str]) -> dict[str, object]:
    return {"severity": severity, "columns": list(columns)}


def shares_check(spec: MartSpec, shares: Shares) -> Check:
    """Per group, the lowest and highest share total and share (error outside [0, 1] or off
    100 % by more than ``shares.tolerance``), as one row."""
    dataset = spec.dataset
    group = _columns(shares.group_by)
    share = (
        _q(shares.share)
        if shares.share
        else f"cast(coalesce({_q(shares.measure)}, 0) as double precision)"
        f" / nullif(sum(coalesce({_q(shares.measure)}, 0)) over (partition by {group}), 0)"
    )
    sql = f"""
        select coalesce(min(share_total), 1) as min_share_total,
            coalesce(max(share_total), 1) as max_share_total,
            coalesce(min(min_share), 0) as min_share,
            coalesce(max(max_share), 0) as max_share
        from (
            -- to 12 places: a sum of doubles differs in its last bits with the order summed
            select cast(sum(share) as decimal(38, 12)) as share_total,
                min(share) as min_share, max(share) as max_share
            from (select {group}, {share} as share from {dataset}) as shares
            group by {group}
            having count(share) > 0
        ) as groups"""
    columns = [shares.share or shares.measure, *shares.group_by]
    high = 1 + shares.tolerance
    bounds = (
        ("ExpectColumnMinToBeBetween", "min_share_total", {"min_value": 1 - shares.tolerance}),
        ("ExpectColumnMaxToBeBetween", "max_share_total", {"max_value": high}),
        ("ExpectColumnMinToBeBetween", "min_share", {"min_value": 0}),
        ("ExpectColumnMaxToBeBetween", "max_share", {"max_value": high}),
    )
    expectations = tuple(
        expect(kind, column=column, **bound, meta=_meta(ERROR, columns))
        for kind, column, bound in bounds
    )
    return Check(f"{dataset}.shares", expectations, sql)


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


def freshness_check(con: WarehouseConnection, spec: MartSpec, max_days: int) -> Check | None:
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
        "select *, greatest(requested_end - max_report_date, 0) as lag_days "
        f"from ({' union all '.join(selects)}) as sources"
    )
    return Check(f"{spec.dataset}.freshness", expectations, sql, params)


def reconciliation_check(
    con: WarehouseConnection, spec: MartSpec, reconciliation: Reconciliation
) -> Check | None:
    """Mart and staging totals (and row counts) per group over each side's latest requested
    window, as exact text (error); ``None`` when a staging relation is missing.

    Each side compares the mart rows its ``mart_filter`` selects (filters of one
    reconciliation are disjoint) with its staging relation; without a recorded load of the
    side's source every date is compared (every date the relation holds, for a side that
    does not hold every day).
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
        if not side.holds_every_day:
            in_window += (
                " and {date} >= coalesce("
                f"(select min({side.date}) from {side.relation}), cast('1900-01-01' as date))"
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
    # One grouping of both sides instead of a full join: a group missing on one side still
    # shows (zero), null keys are one group (PostgreSQL refuses a full join on "is not
    # distinct from"), and each side keeps its own sum type.
    sql = f"""
        with sides as (
            select {by}, measure as mart_measure, null as staging_measure, 'mart' as side
            from ({" union all ".join(mart_selects)}) as mart_side
            union all
            select {by}, null, measure, 'staging'
            from ({" union all ".join(staging_selects)}) as staging_side
        )
        select {by},
            -- same scale on both sides, compared as exact text
            cast(cast(coalesce(sum(mart_measure), 0) as decimal(38, 6)) as varchar)
                as {_q(f"mart_{measure}")},
            cast(cast(coalesce(sum(staging_measure), 0) as decimal(38, 6)) as varchar)
                as {_q(f"staging_{measure}")},
            count(*) filter (where side = 'mart') as mart_rows,
            count(*) filter (where side = 'staging') as staging_rows
        from sides
        group by {by}
        order by {_positions(len(reconciliation.by))}
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


# --- completeness: findings as sentences ---------------------------------------------------


def _finding_check(name: str, sql: str, severity: str = ERROR, **params: object) -> Check:
    """A check whose frame holds one ``finding`` sentence per problem (none: passes)."""
    expectation = expect(
        "ExpectColumnValuesToBeNull", column="finding", meta={"severity": severity}
    )
    return Check(name, (expectation,), sql, dict(params))


def _text(sql: str) -> str:
    """SQL rendering a value as text, ``none`` for null."""
    return f"coalesce(cast({sql} as varchar), 'none')"


def _label(columns: Sequence[str], alias: str = "") -> str:
    """SQL for ``platform meta, ad_account_id 111``: the columns named with their values."""
    prefix = f"{alias}." if alias else ""
    parts = [f"'{name} ' || {_text(prefix + _q(name))}" for name in columns]
    return " || ', ' || ".join(parts)


def _amount(sql: str) -> str:
    """SQL rendering an amount as text to the cent (``0.00``, not ``0``, for a zero)."""
    return f"cast(cast({sql} as decimal(38, 2)) as varchar)"


def _days(start: str, end: str) -> str:
    """A FROM item: one row per day from ``start`` to ``end`` (SQL dates), column ``day``."""
    return (
        f"generate_series(cast({start} as timestamp), cast({end} as timestamp),"
        " interval '1 day') as days (day)"
    )


def _day_span(first: str, last: str) -> str:
    """SQL for ``2026-06-01`` or ``2026-06-01..2026-06-03``."""
    return (
        f"case when {first} = {last} then cast({first} as varchar) "
        f"else cast({first} as varchar) || '..' || cast({last} as varchar) end"
    )


def _quiet_days_sql(con: WarehouseConnection, spec: MartSpec) -> str:
    """SQL of ``(value, day)`` pairs a platform's own account-level totals show without
    spend, on days a load of those totals covered; empty when not applicable."""
    if (
        spec.day_coverage is None
        or not spec.day_coverage.quiet_days_from_totals
        or spec.account_totals is None
        or not loads.relation_exists(con, "raw._loads")
    ):
        return ""
    selects = []
    for platform in spec.account_totals.platforms:
        if not loads.relation_exists(con, platform.relation):
            continue
        source, stream = (_literal(part) for part in platform.load)
        selects.append(
            f"select {_literal(platform.platform)} as value, cast(loaded.day as date) as day"
            " from (select distinct days.day"
            f" from raw._loads, {_days('window_start', 'window_end')}"
            f" where source = {source} and stream = {stream}) as loaded"
            f" where not exists (select 1 from {platform.relation} as totals"
            f" where cast(totals.{_q(platform.date)} as date) = cast(loaded.day as date)"
            f" and totals.{_q(platform.measure)} > 0)"
        )
    return " union all ".join(selects)


def day_coverage_check(spec: MartSpec, coverage: DayCoverage, quiet_days: str = "") -> Check:
    """Per ``coverage.by`` value: the days missing between its first and last day (error),
    and whether it ends before the value that ends last (warning). ``quiet_days`` is SQL of
    ``(value, day)`` pairs that are no hole (the platform had no spend at all that day)."""
    value, day = _q(coverage.by), _q(coverage.date_column)
    quiet = quiet_days or "select null as value, cast(null as date) as day where false"
    sql = f"""
        with days as (
            select distinct {value} as value, {day} as day from {spec.dataset}
            where {value} is not null and {day} is not null
        ),
        quiet as ({quiet}),
        spans as (
            select value, min(day) as first_day, max(day) as last_day, count(*) as day_count
            from days group by value
        ),
        calendar as (
            select spans.value, cast(days.day as date) as day
            from spans, {_days("first_day", "last_day")}
        ),
        missing as (
            select value, day,
                day - cast(row_number() over (partition by value order by day) as integer)
                    as island
            from calendar
            where not exists (
                select 1 from days where days.value = calendar.value and days.day = calendar.day
            )
            and not exists (
                select 1 from quiet where quiet.value = calendar.value and quiet.day = calendar.day
            )
        ),
        holes as (
            select value, sum(n) as missing_days,
                string_agg(span, ', ' order by first_missing) as spans
            from (
                select value, min(day) as first_missing, count(*) as n,
                    {_day_span("min(day)", "max(day)")} as span
                from missing group by value, island
            ) as islands group by value
        ),
        latest as (
            select max(last_day) as last_day,
                string_agg(cast(value as varchar), ', ' order by value)
                    filter (where last_day = (select max(last_day) from spans)) as platforms
            from spans
        )
        select spans.value as {value}, spans.first_day, spans.last_day,
            case when holes.value is not null then
                {_literal(coverage.by + " ")} || spans.value || ' has no rows on '
                || holes.missing_days || ' day(s) between ' || spans.first_day || ' and '
                || spans.last_day || ': ' || holes.spans
            end as finding,
            case when spans.last_day < latest.last_day then
                {_literal(coverage.by + " ")} || spans.value || ' ends on ' || spans.last_day
                || ', ' || (latest.last_day - spans.last_day)
                || ' day(s) before ' || latest.platforms || ' (' || latest.last_day || ')'
            end as ends_early
        from spans cross join latest left join holes using (value)
        order by spans.value
    """
    expectations = (
        expect("ExpectColumnValuesToBeNull", column="finding", meta={"severity": ERROR}),
        expect("ExpectColumnValuesToBeNull", column="ends_early", meta={"severity": WARNING}),
    )
    return Check(f"{spec.dataset}.day_coverage", expectations, sql)


def _published_has(con: WarehouseConnection, table: str, needed: set[str]) -> bool:
    """Whether the attached previous publication holds ``table`` with every column the
    comparison reads (an older publication may predate a column: nothing to compare)."""
    rows = con.execute(dialect.of(con).published_columns, [table]).fetchall()
    missing = needed - {name for (name,) in rows}
    if rows and missing:
        log.info("the previous publication's %s lacks %s: volume not compared", table, missing)
    return bool(rows) and not missing


def published_volume_check(
    spec: MartSpec, volume: PublishedVolume, max_drop: float, previous: str
) -> Check:
    """Rows and ``volume.measure`` per group and day against the previous publication
    (``previous``: its copy of the mart; error when either fell by more than ``max_drop``),
    over the days of each source (``volume.by[0]``) that both publications cover; a source
    the mart lost entirely is compared over all its published days. Consecutive failing days
    are reported as one range with summed numbers."""
    by, source, day = _columns(volume.by), _q(volume.by[0]), _q(volume.date_column)
    measure = _q(volume.measure)
    on_group = " and ".join(f"p.{_q(c)} is not distinct from c.{_q(c)}" for c in volume.by)
    sql = f"""
        with current_days as (
            select {by}, {day} as day, count(*) as row_count,
                coalesce(sum({measure}), 0) as total
            from {spec.dataset} group by {by}, {day}
        ),
        previous_days as (
            select {by}, {day} as day, count(*) as row_count,
                coalesce(sum({measure}), 0) as total
            from {previous} group by {by}, {day}
        ),
        current_spans as (
            select {source}, min(day) as first_day, max(day) as last_day
            from current_days group by {source}
        ),
        previous_spans as (
            select {source}, min(day) as first_day, max(day) as last_day
            from previous_days group by {source}
        ),
        common as (
            select p.{source},
                greatest(p.first_day, coalesce(c.first_day, p.first_day)) as first_day,
                least(p.last_day, coalesce(c.last_day, p.last_day)) as last_day
            from previous_spans p left join current_spans c
                on p.{source} is not distinct from c.{source}
        ),
        dropped as (
            select {", ".join(f"p.{_q(c)}" for c in volume.by)}, p.day,
                p.row_count as previous_rows, coalesce(c.row_count, 0) as current_rows,
                p.total as previous_total, coalesce(c.total, 0) as current_total
            from previous_days p
            join common s on p.{source} is not distinct from s.{source}
                and p.day between s.first_day and s.last_day
            left join current_days c on {on_group} and p.day = c.day
            where coalesce(c.row_count, 0) < p.row_count * (1 - $max_drop)
                or coalesce(c.total, 0) < p.total * (1 - $max_drop)
        ),
        ranges as (
            select {by}, min(day) as first_day, max(day) as last_day,
                sum(previous_rows) as previous_rows, sum(current_rows) as current_rows,
                sum(previous_total) as previous_total, sum(current_total) as current_total
            from (
                select *, day - cast(row_number() over (
                    partition by {by} order by day) as integer) as island
                from dropped
            ) as islands group by {by}, island
        )
        select {_label(volume.by)} || ', ' || {_literal(volume.date_column + " ")}
            || {_day_span("first_day", "last_day")} || ': '
            || current_rows || ' rows (' || {_literal(volume.measure + " ")}
            || {_amount("current_total")} || ') now against ' || previous_rows || ' rows ('
            || {_literal(volume.measure + " ")} || {_amount("previous_total")}
            || ') in the previous publication, a drop of more than '
            || {_literal(f"{max_drop:.0%}")} as finding
        from ranges order by 1
    """
    return _finding_check(f"{spec.dataset}.published_volume", sql, max_drop=max_drop)


def published_rows_check(
    spec: MartSpec, published: PublishedRows, max_drop: float, previous: str
) -> Check:
    """Rows per ``published.by`` group against the previous publication (``previous``: its
    copy of the mart; error when they fell by more than ``max_drop``; a group the mart lost
    entirely counts as zero rows)."""
    by = _columns(published.by)
    joined = " and ".join(f"p.{_q(c)} is not distinct from c.{_q(c)}" for c in published.by)
    sql = f"""
        with current_rows as (
            select {by}, count(*) as row_count from {spec.dataset} group by {by}
        ),
        previous_rows as (
            select {by}, count(*) as row_count from {previous} group by {by}
        )
        select {_label(published.by, "p")} || ': ' || coalesce(c.row_count, 0)
            || ' rows now against ' || p.row_count
            || ' in the previous publication, a drop of more than '
            || {_literal(f"{max_drop:.0%}")} as finding
        from previous_rows p left join current_rows c on {joined}
        where coalesce(c.row_count, 0) < p.row_count * (1 - $max_drop)
        order by 1
    """
    return _finding_check(f"{spec.dataset}.published_rows", sql, max_drop=max_drop)


def account_totals_check(
    con: WarehouseConnection, spec: MartSpec, totals: AccountTotals
) -> Check | None:
    """The mart's ``totals.measure`` per platform x account x day equals each platform's
    own account-level total (error above ``totals.tolerance``), over each account's latest
    load window of those totals; ``None`` when no platform's totals relation exists."""
    platforms = [p for p in totals.platforms if loads.relation_exists(con, p.relation)]
    if not platforms or not loads.relation_exists(con, "raw._loads"):
        return None
    account, day, measure = _q(totals.account), _q(totals.date_column), _q(totals.measure)
    windows, mart_selects, platform_selects, params = [], [], [], {}
    for i, platform in enumerate(platforms):
        params[f"source_{i}"], params[f"stream_{i}"] = platform.load
        params[f"platform_{i}"] = platform.platform
        windows.append(
            f"select cast($platform_{i} as varchar) as platform, account_id, window_start,"
            " window_end from (select account_id, window_start, window_end, row_number() over"
            " (partition by account_id order by loaded_at desc) as latest from raw._loads"
            f" where source = $source_{i} and stream = $stream_{i}) as loads where latest = 1"
        )
        mart_selects.append(
            f"select platform, cast({account} as varchar) as account_id, {day} as day,"
            f" {measure} as amount from {spec.dataset}"
            f" where platform = $platform_{i} and ({platform.mart_filter})"
        )
        platform_selects.append(
            f"select cast($platform_{i} as varchar) as platform,"
            f" cast({platform.account} as varchar) as account_id,"
            f" cast({platform.date} as date) as day, {platform.measure} as amount"
            f" from {platform.relation}"
        )
    sql = f"""
        with windows as ({" union all ".join(windows)}),
        mart as (
            select platform, account_id, day, sum(amount) as amount
            from ({" union all ".join(mart_selects)}) as sides group by platform, account_id, day
        ),
        platform_totals as (
            select platform, account_id, day, sum(amount) as amount
            from ({" union all ".join(platform_selects)}) as sides
            group by platform, account_id, day
        ),
        compared as (
            select coalesce(m.platform, t.platform) as platform,
                coalesce(m.account_id, t.account_id) as account_id,
                coalesce(m.day, t.day) as day,
                coalesce(m.amount, 0) as mart_amount, t.amount as platform_amount
            from mart m full outer join platform_totals t
                on m.platform = t.platform and m.account_id = t.account_id and m.day = t.day
        )
        select compared.platform || ' account ' || compared.account_id || ' on '
            || compared.day || ': ad-level {totals.measure} ' || {_amount("mart_amount")}
            || ', the platform''s account-level total '
            || coalesce({_amount("platform_amount")}, 'missing')
            || case when mart_amount < coalesce(platform_amount, 0)
                then ': an object type the ad-level pull misses'
                else ': ad-level rows the platform does not count (duplicated ad rows, or'
                    || ' the account-level pull failed)'
            end as finding
        from compared join windows w
            on w.platform = compared.platform and w.account_id = compared.account_id
            and compared.day between w.window_start and w.window_end
        where abs(mart_amount - coalesce(platform_amount, 0)) > {totals.tolerance}
            or platform_amount is null and mart_amount <> 0
        order by compared.platform, compared.account_id, compared.day
    """
    return _finding_check(f"{spec.dataset}.account_totals", sql, **params)
