"""The declarative shape of a mart's GX checks: what to check, never how.

A mart's contract (columns and types, grain, keys, non-negative amounts, one currency per
group, row rules, known enumeration values) is declared once, in its dbt YAML, and tested by
the build; the gate reads those results. A :class:`MartSpec` names what Great Expectations
checks on top: shares, values dbt does not list, per-row findings, freshness,
reconciliation with staging and completeness against the platforms and the previous
publication; ``expectations.suites.mart_checks`` turns every spec into SQL that aggregates
in the warehouse plus the GX expectations that judge the result. Column names and SQL fragments
are trusted code, never user input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Shares:
    """Shares within each group lie in [0, 1] and add up to 100 %.

    Attributes:
        group_by: The columns of one group (e.g. campaign and day).
        share: A column holding each row's share; when empty, each row's share is
            ``measure`` over the group's total ``measure``.
        measure: The amount a share is computed from (used when ``share`` is empty).
        tolerance: Allowed distance of a group's total from 1 (rounded shares).
    """

    group_by: tuple[str, ...]
    share: str = ""
    measure: str = ""
    tolerance: float = 1e-9


@dataclass(frozen=True)
class StagingSide:
    """One staging relation a mart measure is compared with.

    Attributes:
        relation: Qualified staging relation, e.g. ``staging.stg_meta__ad_insights``.
        columns: SQL expression over ``relation`` for each of the reconciliation's
            ``by`` columns (a literal for a constant, e.g. ``'meta'``).
        measure: SQL expression over ``relation`` summed into the staging total.
        date: SQL expression over ``relation`` for the report date (window filter).
        mart_filter: SQL condition selecting the mart rows this side accounts for.
        where: Extra SQL condition on ``relation`` rows (e.g. cancelled orders out).
        load: ``(source, stream)`` whose latest load window limits the comparison.
        requires: Further relations the SQL reads (the check is skipped without them).
        holds_every_day: False for a staging table that holds only the days incremental
            runs re-derive (Meta's placement staging): days before its earliest are not
            compared (the mart computed them from raw; an empty table limits nothing).
    """

    relation: str
    columns: dict[str, str]
    measure: str
    date: str
    mart_filter: str = "true"
    where: str = "true"
    load: tuple[str, str] | None = None
    requires: tuple[str, ...] = ()
    holds_every_day: bool = True


@dataclass(frozen=True)
class Reconciliation:
    """A mart total equals the staging total per group (error).

    Attributes:
        measure: The mart column summed.
        by: Group columns (mart names); every side maps each of them.
        date_column: The mart's report-date column (window filter).
        sides: The staging relations that together account for the mart's rows.
        count_rows: Also compare row counts (one mart row per staging row).
    """

    measure: str
    by: tuple[str, ...]
    date_column: str
    sides: tuple[StagingSide, ...]
    count_rows: bool = False


@dataclass(frozen=True)
class FreshnessSource:
    """A source load the mart must keep up with: its rows, by ``mart_filter``, must reach
    within the allowed lag of the latest requested window's end of ``(source, stream)``."""

    label: str
    source: str
    stream: str
    mart_filter: str = "true"


@dataclass(frozen=True)
class Flag:
    """A per-row finding, e.g. a creator without registry entry.

    Attributes:
        name: The finding's column name in the check's frame.
        sql: SQL over the mart, null for a fine row, otherwise what to show (a handle).
        severity: ``error`` blocks publish, ``warning`` is shown and published.
    """

    name: str
    sql: str
    severity: str = WARNING


@dataclass(frozen=True)
class DayCoverage:
    """Each ``by`` value (a platform) has rows on every day between its first and last day
    (a hole is an error), and all values end on the same day (else a warning).

    Attributes:
        date_column: The report-date column.
        by: The column whose values each need contiguous days.
        quiet_days_from_totals: A missing day is no hole when the mart's
            ``account_totals`` were loaded for it and show no spend (the platform really had
            no delivery that day).
    """

    date_column: str
    by: str = "platform"
    quiet_days_from_totals: bool = False


@dataclass(frozen=True)
class PublishedVolume:
    """Rows and ``measure`` per group and day must not drop against the previous
    publication by more than the gate's ``max_volume_drop_ratio`` (error), over the days
    both publications cover per ``by[0]`` (the platform).

    Attributes:
        by: Group columns, the first naming the source (``platform``, ``ad_account_id``).
        date_column: The report-date column.
        measure: The amount compared besides the row count (``spend``).
    """

    by: tuple[str, ...]
    date_column: str
    measure: str


@dataclass(frozen=True)
class PublishedRows:
    """Rows per group must not drop against the previous publication by more than the gate's
    ``max_volume_drop_ratio`` (error): for marts that only grow, such as dimensions that keep
    deleted entities, or whose history a build rewrites whole.

    Attributes:
        by: Group columns (``platform``).
    """

    by: tuple[str, ...]


@dataclass(frozen=True)
class PlatformTotals:
    """One platform's own account-level daily totals a mart's ad rows must add up to
    (error): catches an object type the ad-level pull misses.

    Attributes:
        platform: The mart's ``platform`` value, e.g. ``meta``.
        relation: Staging relation of the account-level totals.
        account: Its account id column.
        date: Its report-date column.
        measure: Its amount column (account currency).
        load: ``(source, stream)`` whose latest load window per account limits the
            comparison.
        mart_filter: SQL condition selecting the mart rows the totals cover (e.g. TikTok's
            GMV Max rows out: its account-level report leaves them out too).
    """

    platform: str
    relation: str
    account: str
    date: str
    measure: str
    load: tuple[str, str]
    mart_filter: str = "true"


@dataclass(frozen=True)
class AccountTotals:
    """A mart's ``measure`` per platform x account x day equals each platform's own
    account-level total (error; difference above ``tolerance``).

    Attributes:
        measure: The mart column summed (account currency).
        account: The mart's account id column.
        date_column: The mart's report-date column.
        platforms: The platforms' totals.
        tolerance: Largest difference that passes (one cent).
    """

    measure: str
    account: str
    date_column: str
    platforms: tuple[PlatformTotals, ...]
    tolerance: str = "0.01"


@dataclass(frozen=True)
class MartSpec:
    """Everything the gate checks on one mart.

    Attributes:
        dataset: Qualified mart, e.g. ``marts.dim_ads``.
        known_values: Enumerations whose unknown values warn, for value lists declared in
            Python (ISO 4217 currencies); the others are dbt ``accepted_values`` tests.
        shares: Shares that must add up to 100 % per group.
        reconciliation: A total that must equal staging.
        freshness_date: The report-date column freshness is measured on.
        freshness: The loads the mart must keep up with (warning).
        flags: Per-row findings, listed one row per mart row: for small marts only
            (dimensions, change reports).
        day_coverage: Days that must be contiguous per platform.
        published_volume: Volume that must not drop against the previous publication.
        published_rows: Rows that must not drop against the previous publication.
        account_totals: The platforms' own account-level daily totals to match.
    """

    dataset: str
    known_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    shares: Shares | None = None
    reconciliation: Reconciliation | None = None
    freshness_date: str = ""
    freshness: tuple[FreshnessSource, ...] = ()
    flags: tuple[Flag, ...] = ()
    day_coverage: DayCoverage | None = None
    published_volume: PublishedVolume | None = None
    published_rows: PublishedRows | None = None
    account_totals: AccountTotals | None = None

    @property
    def name(self) -> str:
        """The mart's table name."""
        return self.dataset.split(".")[-1]
