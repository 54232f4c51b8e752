"""Data health: publication, gates, skipped sources, freshness, API changes and versions,
restatements.

Reads only the published health file, never the warehouse or the marts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboards import components
from dashboards.queries import health
from socialmart import docs
from socialmart.settings import load_settings

_GATE_COLUMNS = {
    "run_id": st.column_config.TextColumn("Run"),
    "validated_at": st.column_config.DatetimeColumn(
        "Validated (UTC)", format="YYYY-MM-DD HH:mm", timezone="UTC"
    ),
    "gate": st.column_config.TextColumn("Gate"),
    "passed": st.column_config.CheckboxColumn("Passed"),
    "error_count": st.column_config.NumberColumn("Errors", format="%,d"),
    "warning_count": st.column_config.NumberColumn("Warnings", format="%,d"),
    "data_docs_path": st.column_config.LinkColumn("Data Docs", display_text="open"),
}
_FAILURE_COLUMNS = {
    "validated_at": "Validated (UTC)",
    "suite": "Suite",
    "expectation_type": "Expectation",
    "column_names": "Columns",
    "observed_value": "Observed",
}
_FRESHNESS_COLUMNS = {
    "source": st.column_config.TextColumn("Source"),
    "stream": st.column_config.TextColumn("Stream"),
    "accounts": st.column_config.NumberColumn("Accounts", format="%,d"),
    "latest_window_end": st.column_config.DateColumn("Data up to"),
    "last_rows_seen": st.column_config.NumberColumn(
        "Rows", format="%,d", help="Rows the latest load of each account returned"
    ),
    "last_rows_quarantined": st.column_config.NumberColumn(
        "Quarantined",
        format="%,d",
        help="Rows that broke the raw contract: kept in quarantine, not loaded",
    ),
    "last_tombstones_withheld": st.column_config.NumberColumn(
        "Withheld",
        format="%,d",
        help="Keys a suspect (empty or much shorter) pull no longer returned: not deleted",
    ),
    "hours_since_load": st.column_config.NumberColumn(
        "Hours ago", format="%,.1f", help="Hours since the latest load"
    ),
}

_DRIFT_COLUMNS = {
    "source": st.column_config.TextColumn("Source"),
    "stream": st.column_config.TextColumn("Stream"),
    "field": st.column_config.TextColumn("Undeclared field"),
    "first_seen_at": st.column_config.DatetimeColumn("First seen (UTC)"),
    "last_seen_at": st.column_config.DatetimeColumn("Last seen (UTC)"),
}


_API_VERSION_COLUMNS = {
    "api": st.column_config.TextColumn("API"),
    "setting": st.column_config.TextColumn("Setting"),
    "version": st.column_config.TextColumn("Version"),
    "status": st.column_config.TextColumn("Status"),
    "expires": st.column_config.DateColumn("Sunset", help="First day the version stops working"),
    "days_left": st.column_config.NumberColumn("Days left"),
    "recommended": st.column_config.TextColumn("Longest-lived version"),
    "checked_on": st.column_config.DateColumn("Checked on"),
    "message": st.column_config.TextColumn("What to do"),
}


def _show_publication(path, stale_since: datetime | None) -> None:
    publication = health.last_publication(path)
    if publication is None:
        st.warning("Nothing has been published yet.", icon=":material/warning:")
    else:
        st.metric("Last publish (UTC)", f"{publication.published_at:%Y-%m-%d %H:%M}")
        st.caption(f"Run `{publication.run_id}`")
    if stale_since is not None:
        st.error(
            f"**The published marts are older than the latest gate failure** "
            f"({stale_since:%Y-%m-%d %H:%M} UTC). Readers see the last good publication; "
            "the failing expectations are listed below.",
            icon=":material/error:",
        )


def _show_docs() -> None:
    # A relative link to the Documentation page (dashboards/views/docs.py, url path "docs"):
    # it works wherever the app is served, and this page also runs on its own.
    built = docs.dbt_docs_path(load_settings()).is_file()
    later = "" if built else " (the dbt docs once `make docs` has run)"
    st.markdown(f"[Documentation: the gates' Data Docs and the dbt docs](docs){later}")


def _section(title: str, frame: pd.DataFrame, if_empty: str, *, note: bool = False) -> bool:
    """Head a section with ``title``; when ``frame`` has no rows, say ``if_empty`` (an info
    box, or a caption with ``note``) and return False."""
    st.subheader(title)
    if not frame.empty:
        return True
    if note:
        st.caption(if_empty)
    else:
        st.info(if_empty, icon=":material/info:")
    return False


def _show_gates(path) -> None:
    history = health.gate_history(path)
    if not _section("Gate results", history, "No gate has run yet."):
        return
    # The Documentation page shows the run's Data Docs (browsers block file:// links).
    docs_links = [
        f"docs?{urlencode({'gate_run': health.gate_run_key(gate, run)})}" if docs_path else None
        for run, gate, docs_path in history[["run_id", "gate", "data_docs_path"]].itertuples(
            index=False
        )
    ]
    components.table(history.assign(data_docs_path=docs_links), _GATE_COLUMNS)
    failures = health.gate_failures(path)
    if failures.empty:
        st.success("No failed expectations in the latest gate runs.")
        return
    for severity in ("error", "warning"):
        subset = failures[failures["severity"] == severity]
        if not subset.empty:
            st.markdown(f"**{severity.capitalize()}s** ({len(subset)})")
            components.text_table(subset, _FAILURE_COLUMNS)


def _show_freshness(path) -> None:
    freshness = health.source_freshness(path, datetime.now(UTC))
    if not _section("Freshness per source", freshness, "No load has been recorded yet."):
        return
    components.table(freshness, _FRESHNESS_COLUMNS)


def _show_skipped_sources(path) -> None:
    skipped = health.skipped_sources(path)
    if skipped.empty:
        return
    st.subheader("Skipped sources")
    for row in skipped.itertuples():
        last_data = (
            f"its data was last loaded {row.last_loaded_at:%Y-%m-%d %H:%M} UTC"
            if row.last_loaded_at is not None and not pd.isna(row.last_loaded_at)
            else "it has never been loaded"
        )
        st.warning(
            f"**{row.source}**: {row.skipped_runs:,} run(s) skipped since its last load, the "
            f"latest at {row.last_skipped_at:%Y-%m-%d %H:%M} UTC; {last_data}. {row.reason}",
            icon=":material/block:",
        )


def _show_schema_drift(path) -> None:
    drift = health.schema_drift(path)
    if not _section(
        "API changes", drift, "No API returned a field its stream does not declare.", note=True
    ):
        return
    st.warning(
        f"{len(drift)} response field(s) are not stored: declare them in "
        "`connectors/<source>/streams.py` to keep them.",
        icon=":material/warning:",
    )
    st.dataframe(drift, column_config=_DRIFT_COLUMNS, hide_index=True)


def _show_api_versions(path) -> None:
    versions = health.api_versions(path)
    if not _section(
        "API versions",
        versions,
        "No API version check recorded yet (written with the health file).",
        note=True,
    ):
        return
    attention = versions[versions["status"] != "ok"]
    for message in attention["message"]:
        st.warning(message, icon=":material/warning:")
    if attention.empty:
        st.caption("Every configured Meta API version has 90 days or more before its sunset.")
    # The "what to do" messages are shown above for every version that needs attention.
    components.table(versions, _API_VERSION_COLUMNS | {"message": None})


def _show_restatements(path) -> None:
    st.subheader("Restatements")
    summary = health.restatement_summary(components.marts_path())
    if summary is None:
        st.info(
            f"Restatement size will show here once `{health.RESTATEMENT_MART}` is published "
            "(how much conversions moved after they were first reported).",
            icon=":material/info:",
        )
    else:
        components.metrics(
            [
                ("Restated conversion rows", f"{summary.restated_rows:,}"),
                ("Conversion rows compared", f"{summary.rows:,}"),
            ]
        )
        st.caption(
            "A row is one ad, day and attribution window; it is restated when the latest "
            "report differs from the first one."
        )


def main() -> None:
    """Render the page."""
    st.title("Data health")
    path = components.health_path()
    if not health.is_available(path):
        st.info(
            f"**No health data yet.** {components.where(path)} is written by the quality gate "
            "and by publish: run `make demo` (or the pipeline), then rerun this page "
            "(press **R**).",
            icon=":material/info:",
        )
        return
    _show_publication(path, health.gate_failure_after_publication(path))
    _show_docs()
    _show_gates(path)
    _show_skipped_sources(path)
    _show_freshness(path)
    _show_schema_drift(path)
    _show_api_versions(path)
    _show_restatements(path)


main()
