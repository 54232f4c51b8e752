"""Streamlit building blocks shared by the dashboard pages.

Every page starts the same way: find the published marts, explain an empty state, show when
the data was published, and take the reader's selection from the shared sidebar filters
(``dashboards.filters``). Amounts are shown with their currency.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboards import data, filters
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


def need_selection() -> data.Selection | None:
    """The shared filters' selection; explains the empty state when there is none.

    Returns:
        The selection, or None (after telling the reader why) when no dated mart is published.
    """
    selection = filters.current()
    if selection is None:
        path = marts_path()
        st.info(
            "**No dated marts have been published yet.**\n\n"
            f"Nothing with report dates exists in `{path}`. Run `make demo` to pull the "
            "stand-in data through the pipeline and publish it (in the Docker stack: trigger "
            "the `socialmart_pipeline` DAG in Airflow), then rerun this page (press **R**).",
            icon=":material/info:",
        )
    return selection


def show_missing_table(table: str, path: Path) -> None:
    """Explain that the published file lacks a mart this page needs."""
    st.info(
        f"**The published marts have no `{table}` table.**\n\n`{path}` was published before "
        "this mart existed or without it. Run `make demo` (or the pipeline) to publish a "
        "complete file, then rerun this page (press **R**).",
        icon=":material/info:",
    )


def show_no_rows(what: str) -> None:
    """Explain that the filters leave nothing to show, and what to change."""
    st.info(
        f"**No {what} for the selected filters.** Widen the report dates or clear the "
        "platform and account filters in the sidebar.",
        icon=":material/filter_alt_off:",
    )


def money(value: Decimal | float | None, currency: str) -> str:
    """An amount with its currency, e.g. ``EUR 1,234.50``; ``n/a`` when unknown."""
    if value is None or pd.isna(value):
        return f"{currency} n/a"
    return f"{currency} {value:,.2f}"


def ratio(value: Decimal | float | None) -> str:
    """A ratio such as ROAS with two decimals, e.g. ``1.66``; ``n/a`` without a denominator."""
    if value is None or pd.isna(value):
        return "n/a"
    return f"{value:,.2f}"


def money_column(label: str, currency: str | None = None) -> st.column_config.NumberColumn:
    """A money column with cents; the currency goes into the header when it is one for all."""
    title = f"{label} ({currency})" if currency else label
    return st.column_config.NumberColumn(title, format="%,.2f")


def amount(value: Decimal) -> str:
    """An exact money amount with thousands separators and cents, e.g. ``1,234.50``."""
    return f"{value:,.2f}"


def number_column(label: str, decimals: int = 0) -> st.column_config.NumberColumn:
    """A right-aligned number column with thousands separators."""
    return st.column_config.NumberColumn(label, format=f"%,.{decimals}f")
