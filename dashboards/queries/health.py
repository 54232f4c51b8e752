"""Read-only queries on the published health file, for the data-health page.

The health file (``Settings.published_health_path``) is replaced atomically by the gates and by
publish; it holds copies of the audit tables (``gate_runs``, ``gate_results``,
``gate_validations``, ``publish_log``, ``dbt_builds``), ``source_freshness``,
``schema_drift`` (response fields no stream declares) and ``api_versions`` (the configured
Meta API versions and their sunset dates). Every
function reads it through ``dashboards.reader.open_marts``: a cursor on the file version the path
names now, attached read-only, so the pipeline can swap it at any time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from dashboards.reader import open_marts as open_readonly
from dashboards.reader import query

RESTATEMENT_MART = "fct_conversion_restatements"

GATE_COLUMNS = [
    "run_id",
    "validated_at",
    "gate",
    "passed",
    "error_count",
    "warning_count",
    "data_docs_path",
]
FAILURE_COLUMNS = [
    "validated_at",
    "run_id",
    "gate",
    "severity",
    "suite",
    "expectation_type",
    "column_names",
    "observed_value",
]
FRESHNESS_COLUMNS = [
    "source",
    "stream",
    "accounts",
    "last_loaded_at",
    "latest_window_end",
    "last_rows_seen",
    "last_rows_quarantined",
    "last_tombstones_withheld",
    "hours_since_load",
]
DRIFT_COLUMNS = ["source", "stream", "field", "first_seen_at", "last_seen_at"]
API_VERSION_COLUMNS = [
    "api",
    "setting",
    "version",
    "status",
    "expires",
    "days_left",
    "recommended",
    "checked_on",
    "message",
]
SKIPPED_COLUMNS = ["source", "reason", "skipped_runs", "last_skipped_at", "last_loaded_at"]


@dataclass(frozen=True)
class LastPublication:
    """The latest publication recorded in ``publish_log``."""

    run_id: str
    published_at: datetime
    row_counts: dict[str, int]


def _tables(path: Path) -> set[str]:
    with open_readonly(path) as con:
        rows = con.execute(
            "select table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
    return {name for (name,) in rows}


def _query(path: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    with open_readonly(path) as con:
        return con.execute(sql, params or []).df()


def is_available(path: Path) -> bool:
    """Whether a health file exists (a gate or publish has run at least once)."""
    return path.is_file()


def last_publication(path: Path) -> LastPublication | None:
    """The latest publication, or ``None`` when nothing was ever published."""
    if not is_available(path) or "publish_log" not in _tables(path):
        return None
    with open_readonly(path) as con:
        row = con.execute(
            "select run_id, published_at, row_counts from publish_log "
            "order by published_at desc limit 1"
        ).fetchone()
    if row is None:
        return None
    run_id, published_at, row_counts = row
    return LastPublication(run_id, published_at, json.loads(row_counts))


def gate_history(path: Path, limit: int = 20) -> pd.DataFrame:
    """The latest gate runs of both gates (raw and marts), newest first.

    Falls back to ``gate_runs`` (mart gate only) for health files written before gate kinds
    were recorded.
    """
    if not is_available(path):
        return pd.DataFrame(columns=GATE_COLUMNS)
    tables = _tables(path)
    if "gate_validations" in tables:
        source = "select * from gate_validations"
    elif "gate_runs" in tables:
        source = (
            "select run_id, validated_at, 'marts' as gate, passed, error_count, "
            "warning_count, null::varchar as data_docs_path from gate_runs"
        )
    else:
        return pd.DataFrame(columns=GATE_COLUMNS)
    return _query(
        path,
        f"select {', '.join(GATE_COLUMNS)} from ({source}) order by validated_at desc limit ?",
        [limit],
    )


def gate_run_key(gate: str, run_id: str) -> str:
    """A gate run as the Documentation page's URL names it (``?gate_run=<gate>:<run id>``)."""
    return f"{gate}:{run_id}"


def gate_failures(path: Path, runs: int = 5) -> pd.DataFrame:
    """Failed expectations (errors and warnings) of the latest ``runs`` gate runs."""
    history = gate_history(path, runs)
    if history.empty:
        return pd.DataFrame(columns=FAILURE_COLUMNS)
    return _query(
        path,
        """
        select r.validated_at, r.run_id,
            case when r.suite like 'raw.%' then 'raw' else 'marts' end as gate,
            r.severity, r.suite, r.expectation_type, r.column_names, r.observed_value
        from gate_results as r
        where not r.success and r.validated_at >= ?
        order by r.validated_at desc, r.severity, r.suite
        """,
        [history["validated_at"].min()],
    )


def source_freshness(path: Path, now: datetime) -> pd.DataFrame:
    """Per source and stream: the latest load and how many hours ago it happened.

    Args:
        path: The health file.
        now: The reference time (timezone-aware).
    """
    if not is_available(path) or "source_freshness" not in _tables(path):
        return pd.DataFrame(columns=FRESHNESS_COLUMNS)
    return _query(
        path,
        """
        select source, stream, accounts, last_loaded_at, latest_window_end, last_rows_seen,
            last_rows_quarantined, last_tombstones_withheld,
            round(epoch(cast(? as timestamptz) - last_loaded_at) / 3600.0, 1)
                as hours_since_load
        from source_freshness
        order by source, stream
        """,
        [now],
    )


def schema_drift(path: Path) -> pd.DataFrame:
    """Response fields no stream declares, newest first (empty before any was seen)."""
    if not is_available(path) or "schema_drift" not in _tables(path):
        return pd.DataFrame(columns=DRIFT_COLUMNS)
    return _query(
        path,
        f"select {', '.join(DRIFT_COLUMNS)} from schema_drift "
        "order by last_seen_at desc, source, stream, field",
    )


def skipped_sources(path: Path) -> pd.DataFrame:
    """Sources whose runs since their last load were skipped for want of accounts."""
    if not is_available(path) or "skipped_sources" not in _tables(path):
        return pd.DataFrame(columns=SKIPPED_COLUMNS)
    return _query(path, f"select {', '.join(SKIPPED_COLUMNS)} from skipped_sources order by source")


def api_versions(path: Path) -> pd.DataFrame:
    """The configured Meta API versions as of the last health refresh, worst status first.

    Empty for health files written before versions were recorded.
    """
    if not is_available(path) or "api_versions" not in _tables(path):
        return pd.DataFrame(columns=API_VERSION_COLUMNS)
    return _query(
        path,
        f"select {', '.join(API_VERSION_COLUMNS)} from api_versions order by "
        "case status when 'expired' then 0 when 'expiring' then 1 when 'unknown' then 2 "
        "else 3 end, api",
    )


def gate_failure_after_publication(path: Path) -> datetime | None:
    """When the latest gate run that blocked happened, if that is newer than the last
    publication (so readers see marts older than a known failure); else ``None``."""
    history = gate_history(path, 1000)
    failed = history[~history["passed"].astype(bool)]
    if failed.empty:
        return None
    latest_failure = failed["validated_at"].max()
    publication = last_publication(path)
    if publication is not None and publication.published_at >= latest_failure:
        return None
    return latest_failure.to_pydatetime()


def restatement_rows(path: Path) -> int | None:
    """Rows of the restatement mart in the last publication; ``None`` when not published.

    These are the rows compared (one per ad, day and attribution window), not restated rows:
    ``restatement_summary`` counts those.
    """
    publication = last_publication(path)
    if publication is None:
        return None
    return publication.row_counts.get(RESTATEMENT_MART)


@dataclass(frozen=True)
class RestatementSummary:
    """How much the published restatement mart says conversions moved after first report."""

    rows: int
    restated_rows: int
    purchases_change: float


def restatement_summary(marts_path: Path) -> RestatementSummary | None:
    """Rows compared and rows restated (latest version differs from the first) in the
    published restatement mart; ``None`` when the mart is not published.

    Args:
        marts_path: The published marts file (the restatement mart lives there, not in the
            health file).
    """
    frame = query(
        marts_path,
        [RESTATEMENT_MART],
        f"""
        select count(*) as rows,
            count(*) filter (where is_restated) as restated_rows,
            coalesce(sum(purchases_change), 0) as purchases_change
        from {RESTATEMENT_MART}
        """,
        {},
        ["rows", "restated_rows", "purchases_change"],
    )
    if frame.empty:
        return None
    row = frame.iloc[0]
    return RestatementSummary(
        int(row["rows"]), int(row["restated_rows"]), float(row["purchases_change"])
    )
