"""Streamlit building blocks shared by the dashboard pages.

Every page starts the same way: find the published marts, explain an empty state, show when
the data was published, and read the reader's date and account filters from the sidebar.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboards import data
from socialmart.settings import load_settings

_UNAVAILABLE = {
    data.MartsStatus.MISSING: (
        "No marts have been published yet.",
        "Nothing exists at `{path}`. Run `make demo` to pull the stand-in data through the "
        "pipeline and publish it (in the Docker stack: trigger the `socialmart_pipeline` DAG "
        "in Airflow), then rerun this page (press **R**).",
    ),
    data.MartsStatus.NO_MART: (
        "The published marts file has no placement mart.",
        "`{path}` exists but holds no `" + data.MART_TABLE + "` table. Run `make demo` (or the "
        "pipeline) to publish a complete file.",
    ),
    data.MartsStatus.EMPTY: (
        "The published placement mart has no rows yet.",
        "The last publication in `{path}` contains no ad delivery. Run `make demo`, or check "
        "that the pipeline's date range and ad accounts have spend.",
    ),
}


def marts_path() -> Path:
    """The published marts file of the current settings (read on every rerun)."""
    return load_settings().published_marts_path


def show_unavailable(status: data.MartsStatus, path: Path) -> None:
    """Explain why there is nothing to show and how to get data.

    Args:
        status: Any status except ``READY``.
        path: The published marts file the page looked for.
    """
    headline, advice = _UNAVAILABLE[status]
    st.info(f"**{headline}**\n\n{advice.format(path=path)}", icon=":material/info:")


def show_publication(path: Path, last_date: date | None) -> None:
    """One caption line on when and by which run the marts were published.

    Args:
        path: The published marts file.
        last_date: The last report date in the data, if known.
    """
    publication = data.latest_publication(path)
    if publication is None:
        return
    through = f" · data through {last_date.isoformat()}" if last_date else ""
    when = (
        publication.published_at.strftime("%Y-%m-%d %H:%M %Z").strip()
        if publication.published_at
        else "at an unknown time"
    )
    if not publication.recorded:
        st.caption(f"Marts file last replaced {when} (no publication record in it){through}")
        return
    run = f" by run `{publication.run_id}`" if publication.run_id else ""
    st.caption(f"Marts published {when}{run}{through}")
    if publication.row_counts:
        with st.expander("Published tables"):
            counts = pd.Series(dict(publication.row_counts), name="rows").rename_axis("table")
            st.dataframe(counts.to_frame(), column_config={"rows": number_column("Rows")})


def _account_label(accounts: pd.DataFrame) -> Callable[[str], str]:
    currency = dict(zip(accounts["ad_account_id"], accounts["account_currency"], strict=True))
    return lambda account_id: f"{account_id} ({currency[account_id]})"


def _date_range(bounds: tuple[date, date]) -> tuple[date, date]:
    first, last = bounds
    picked = st.sidebar.date_input(
        "Report dates", value=(first, last), min_value=first, max_value=last
    )
    # While the reader is still picking, the widget holds only the first day.
    if isinstance(picked, tuple | list):
        start = picked[0] if picked else first
        end = picked[1] if len(picked) > 1 else start
        return start, end
    return picked, picked


def sidebar_selection(path: Path, bounds: tuple[date, date]) -> data.Selection:
    """Date-range and account filters in the sidebar.

    Args:
        path: The published marts file (for the list of accounts).
        bounds: First and last report date available.

    Returns:
        The reader's selection; no account picked means every account.
    """
    st.sidebar.header("Filters")
    start, end = _date_range(bounds)
    accounts = data.accounts(path).drop_duplicates("ad_account_id")
    picked = st.sidebar.multiselect(
        "Ad accounts",
        options=accounts["ad_account_id"].tolist(),
        format_func=_account_label(accounts),
        placeholder="All accounts",
    )
    return data.Selection(start=start, end=end, account_ids=tuple(picked))


def amount(value: Decimal) -> str:
    """An exact money amount with thousands separators and cents, e.g. ``1,234.50``."""
    return f"{value:,.2f}"


def number_column(label: str, decimals: int = 0) -> st.column_config.NumberColumn:
    """A right-aligned number column with thousands separators."""
    return st.column_config.NumberColumn(label, format=f"%,.{decimals}f")
