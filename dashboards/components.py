"""Streamlit building blocks shared by the dashboard pages.

Every page starts the same way: find the published marts, explain an empty state, show when
the data was published, and take the reader's selection from the shared sidebar filters
(``dashboards.filters``). Amounts are shown with their currency.

With ``SOCIALMART_WAREHOUSE=postgres`` the published files are the dashboards' copy of the
PostgreSQL publication (``dashboards.pg_snapshot``), brought up to date each time a page asks
for them; when it cannot be read, the page says why and which settings to fix, and stops.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboards import charts, filters, pg_snapshot, reader
from dashboards.queries import publication
from socialmart.settings import Settings, load_settings

_UNAVAILABLE = {
    publication.MartsStatus.MISSING: (
        "No marts have been published yet.",
        "Nothing exists at {path}. Run `make demo` to pull the stand-in data through the "
        "pipeline and publish it (in the Docker stack: trigger the `socialmart_pipeline` DAG "
        "in Airflow), then rerun this page (press **R**).",
    ),
    publication.MartsStatus.NO_MART: (
        "The published marts file has no placement mart.",
        "{path} exists but holds no `" + reader.MART_TABLE + "` table. Run `make demo` (or the "
        "pipeline) to publish a complete file.",
    ),
    publication.MartsStatus.EMPTY: (
        "The published placement mart has no rows yet.",
        "The last publication in {path} contains no ad delivery. Run `make demo`, or check "
        "that the pipeline's date range and ad accounts have spend.",
    ),
}


def marts_path() -> Path:
    """The published marts file of the current settings (read on every rerun).

    On PostgreSQL, the copy of the publication, brought up to date first.
    """
    settings = load_settings()
    if settings.warehouse != "postgres":
        return settings.published_marts_path
    return _snapshot(settings, health=False).marts


def health_path() -> Path:
    """The published health file of the current settings (on PostgreSQL, its copy)."""
    settings = load_settings()
    if settings.warehouse != "postgres":
        return settings.published_health_path
    return _snapshot(settings, health=True).health


def _snapshot(settings: Settings, *, health: bool) -> pg_snapshot.SnapshotFiles:
    try:
        return pg_snapshot.refresh(settings, health=health)
    except pg_snapshot.PublicationUnreadable as error:
        st.error(
            f"**The dashboards cannot read the PostgreSQL publication.**\n\n{error}",
            icon=":material/error:",
        )
        st.stop()


def where(path: Path) -> str:
    """Where the reader should look for ``path``'s data, for messages: the file, or on
    PostgreSQL the schema its copy comes from."""
    settings = load_settings()
    if settings.warehouse != "postgres":
        return f"`{path}`"
    pg = settings.postgres
    files = pg_snapshot.snapshot_files(settings)
    schema = pg_snapshot.HEALTH_SCHEMA if path == files.health else pg_snapshot.PUBLISHED_SCHEMA
    return f"schema `{schema}` of PostgreSQL `{pg.host}:{pg.port}/{pg.dbname}`"


def show_unavailable(status: publication.MartsStatus, path: Path) -> None:
    """Explain why there is nothing to show and how to get data.

    Args:
        status: Any status except ``READY``.
        path: The published marts file the page looked for.
    """
    headline, advice = _UNAVAILABLE[status]
    st.info(f"**{headline}**\n\n{advice.format(path=where(path))}", icon=":material/info:")


def show_publication(path: Path, last_date: date | None) -> None:
    """One caption line on when and by which run the marts were published.

    Args:
        path: The published marts file.
        last_date: The last report date in the data, if known.
    """
    latest = publication.latest_publication(path)
    if latest is None:
        return
    through = f" · data through {last_date.isoformat()}" if last_date else ""
    when = (
        latest.published_at.strftime("%Y-%m-%d %H:%M %Z").strip()
        if latest.published_at
        else "at an unknown time"
    )
    if not latest.recorded:
        st.caption(f"Marts file last replaced {when} (no publication record in it){through}")
        return
    run = f" by run `{latest.run_id}`" if latest.run_id else ""
    st.caption(f"Marts published {when}{run}{through}")
    if latest.row_counts:
        with st.expander("Published tables"):
            counts = pd.Series(dict(latest.row_counts), name="rows").rename_axis("table")
            st.dataframe(counts.to_frame(), column_config={"rows": number_column("Rows")})


def need_selection() -> reader.Selection | None:
    """The shared filters' selection; explains the empty state when there is none.

    Returns:
        The selection, or None (after telling the reader why) when no dated mart is published.
    """
    selection = filters.current()
    if selection is None:
        path = marts_path()
        st.info(
            "**No dated marts have been published yet.**\n\n"
            f"Nothing with report dates exists in {where(path)}. Run `make demo` to pull the "
            "stand-in data through the pipeline and publish it (in the Docker stack: trigger "
            "the `socialmart_pipeline` DAG in Airflow), then rerun this page (press **R**).",
            icon=":material/info:",
        )
    return selection


def open_page(title: str, tables: list[str] | None = None) -> tuple[Path, reader.Selection] | None:
    """How every page of the published marts starts: its title, the publication line and
    the reader's selection.

    Args:
        title: The page's title.
        tables: The marts the page reads; None: the placement mart, whose report dates the
            publication line then states.

    Returns:
        The published file and the selection, or None when the page has nothing to show
        (after telling the reader why and what to do).
    """
    st.title(title)
    path = marts_path()
    last_date = None
    if tables is None:
        status = publication.marts_status(path)
        if status is not publication.MartsStatus.READY:
            show_unavailable(status, path)
            return None
        bounds = publication.date_bounds(path)
        last_date = bounds[1] if bounds else None
    elif missing := publication.missing_tables(path, tables):
        show_missing_table(missing[0], path)
        return None
    show_publication(path, last_date)
    selection = need_selection()
    return None if selection is None else (path, selection)


def show_missing_table(table: str, path: Path) -> None:
    """Explain that the published file lacks a mart this page needs."""
    st.info(
        f"**The published marts have no `{table}` table.**\n\n{where(path)} was published before "
        "this mart existed or without it. Run `make demo` (or the pipeline) to publish a "
        "complete file, then rerun this page (press **R**).",
        icon=":material/info:",
    )


def warn_without_rate(frame: pd.DataFrame, rows_left_out: str) -> None:
    """Warn that ``frame["rows_without_rate"]`` rows lack an FX rate (``rows_left_out``: what
    they are and what that means, after their number), if any do."""
    unconverted = int(frame["rows_without_rate"].sum())
    if unconverted:
        st.warning(f"{unconverted} {rows_left_out}", icon=":material/currency_exchange:")


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


def share(value: Decimal | float | None) -> str:
    """A share (0..1) as a percentage with one decimal, e.g. ``25.4%``; ``n/a`` when unknown."""
    if value is None or pd.isna(value):
        return "n/a"
    return f"{float(value):.1%}"


def metrics(items: list[tuple[str, str]]) -> None:
    """A row of metrics that wraps instead of cutting values: each takes the width it needs.

    Args:
        items: (label, value) pairs, values already formatted.
    """
    row = st.container(horizontal=True, gap="large")
    for label, value in items:
        row.metric(label, value, width="content")


def table(frame: pd.DataFrame, columns: dict, **kwargs) -> None:
    """A table with every row shown (no inner scrolling), an em dash for missing values and
    only the configured columns, in their order.

    Args:
        frame: The rows.
        columns: Column name -> ``st.column_config`` entry; columns the frame lacks are skipped.
        **kwargs: Passed on to ``st.dataframe``.
    """
    shown = [column for column in columns if column in frame.columns]
    st.dataframe(
        frame[shown],
        column_config={column: _fit_text(frame[column], columns[column]) for column in shown},
        hide_index=True,
        height="content",
        placeholder="—",
        **kwargs,
    )


def text_table(frame: pd.DataFrame, labels: dict[str, str]) -> None:
    """A table of long texts (messages, expectation names) that wraps instead of cutting.

    Args:
        frame: The rows.
        labels: Column name -> header; columns the frame lacks are skipped. Timestamps are
            shown to the minute, missing values as an em dash.
    """
    shown = [column for column in labels if column in frame.columns]
    rows = frame[shown].copy()
    for column in shown:
        if pd.api.types.is_datetime64_any_dtype(rows[column]):
            rows[column] = rows[column].dt.strftime("%Y-%m-%d %H:%M")
        rows[column] = rows[column].map(lambda value: "—" if _missing(value) else _breakable(value))
    st.table(rows.rename(columns=labels), hide_index=True)


def _breakable(value) -> str:
    """The text with a zero-width space after ``_`` and ``.`` in long words, so identifiers
    such as column names wrap inside their cell instead of running out of it."""
    return re.sub(r"(\S{24,})", lambda word: re.sub(r"([_.])", "\\1\u200b", word[1]), str(value))


# Streamlit (glide-data-grid) sizes a column by its first rows only, so a longer text further
# down is cut: such a text column gets the width of its longest value (about 7 px per character
# of the 14 px font). Columns whose longest text is among the first rows keep the grid's exact
# measurement.
_SIZED_ROWS = 10
_PX_PER_CHAR = 7
_CELL_PADDING_PX = 18


def _fit_text(values: pd.Series, config: dict | None) -> dict | None:
    if (
        config is None
        or config.get("width") is not None
        or config.get("type_config", {}).get("type") not in (None, "text")
    ):
        return config
    if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
        return config
    lengths = values.map(lambda value: 0 if _missing(value) else len(str(value)))
    measured = max([len(config.get("label") or ""), *lengths.head(_SIZED_ROWS)], default=0)
    longest = int(lengths.max()) if len(lengths) else 0
    if longest <= measured:
        return config
    return config | {"width": longest * _PX_PER_CHAR + _CELL_PADDING_PX}


def _missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_percent(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Shares (0..1) as percentages (0..100) for ``share_column``."""
    present = [column for column in columns if column in frame.columns]
    return frame.assign(**{column: frame[column].astype(float) * 100 for column in present})


def share_column(label: str) -> st.column_config.ProgressColumn:
    """A share already in percent (``as_percent``), one decimal, as a neutral grey bar."""
    return st.column_config.ProgressColumn(
        label,
        format="%.1f%%",
        min_value=0.0,
        max_value=100.0,
        color=charts.NEUTRAL_COLOR,
    )


def money_column(label: str, currency: str | None = None) -> st.column_config.NumberColumn:
    """A money column with cents; the currency goes into the header when it is one for all."""
    title = f"{label} ({currency})" if currency else label
    return st.column_config.NumberColumn(title, format="%,.2f")


def amount(value: Decimal | float | None) -> str:
    """An exact money amount with thousands separators and cents, e.g. ``1,234.50``; ``n/a``
    when unknown (the currency goes into the label, so values stay short)."""
    if value is None or pd.isna(value):
        return "n/a"
    return f"{value:,.2f}"


def number_column(label: str, decimals: int = 0) -> st.column_config.NumberColumn:
    """A right-aligned number column with thousands separators."""
    return st.column_config.NumberColumn(label, format=f"%,.{decimals}f")
