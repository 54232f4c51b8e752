"""Filters every page shares (dates, platforms, ad accounts), kept in the page URL.

The sidebar widgets are rendered by the entry point (``app.py``) on every run, so their state
survives page switches. Each run writes the reader's choices into the URL's query parameters
(``start``, ``end``, ``platform``, ``account``; values equal to "everything" are left out),
and a session that opens such a URL starts from them: a copied page URL reproduces the view.
Page-local choices (currency, campaign, creator, ...) use :func:`choice`, which does the
same with its own parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path

import streamlit as st

from dashboards import reader
from dashboards.queries import publication

SELECTION_KEY = "filters_selection"
_URL_SEED_KEY = "filters_url_seed"
_DATES_KEY = "filter_dates"
_PLATFORMS_KEY = "filter_platforms"
_ACCOUNTS_KEY = "filter_accounts"


def _url_seed(param: str) -> list[str] | None:
    """The values ``param`` had in the URL the session was opened with; each is used once.

    The URL is captured on the session's first run, before this module rewrites it.
    """
    if _URL_SEED_KEY not in st.session_state:
        st.session_state[_URL_SEED_KEY] = {
            name: st.query_params.get_all(name) for name in st.query_params
        }
    return st.session_state[_URL_SEED_KEY].pop(param, None)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _clamp(day: date, span: tuple[date, date]) -> date:
    return min(max(day, span[0]), span[1])


def _seed_dates(span: tuple[date, date]) -> None:
    starts, ends = _url_seed("start") or [], _url_seed("end") or []
    current = st.session_state.get(_DATES_KEY)
    if current is None:
        start = (_parse_date(starts[0]) if starts else None) or span[0]
        end = (_parse_date(ends[0]) if ends else None) or span[1]
        current = (start, end)
    # A new publication may have moved the dates the widget allows.
    days = [_clamp(day, span) for day in current]
    st.session_state[_DATES_KEY] = tuple(sorted(days)) if days else span


def _seed_multiselect(key: str, param: str, options: Sequence[str]) -> None:
    seeded = _url_seed(param)
    current = st.session_state.get(key, seeded or [])
    st.session_state[key] = [value for value in current if value in options]


def _picked_dates(span: tuple[date, date]) -> tuple[date, date]:
    picked = st.sidebar.date_input(
        "Report dates", key=_DATES_KEY, min_value=span[0], max_value=span[1]
    )
    # While the reader is still picking, the widget holds only the first day.
    if isinstance(picked, tuple | list):
        start = picked[0] if picked else span[0]
        end = picked[1] if len(picked) > 1 else start
        return start, end
    return picked, picked


def _write_url(selection: reader.Selection, span: tuple[date, date]) -> None:
    params: dict[str, str | list[str]] = {}
    if selection.start != span[0]:
        params["start"] = selection.start.isoformat()
    if selection.end != span[1]:
        params["end"] = selection.end.isoformat()
    if selection.platforms:
        params["platform"] = list(selection.platforms)
    if selection.account_ids:
        params["account"] = list(selection.account_ids)
    st.query_params.from_dict(params)


def render(path: Path) -> reader.Selection | None:
    """Draw the shared filters in the sidebar and remember the reader's selection.

    Args:
        path: The published marts file (for the dates, platforms and accounts on offer).

    Returns:
        The selection (no platform or account picked means all of them), also kept for
        :func:`current`; None when nothing dated is published (the page explains that).
    """
    span = publication.date_span(path)
    if span is None:
        st.session_state.pop(SELECTION_KEY, None)
        return None
    accounts = publication.filter_accounts(path)
    platforms = sorted(set(accounts["platform"]))
    st.sidebar.header("Filters")
    _seed_dates(span)
    start, end = _picked_dates(span)
    _seed_multiselect(_PLATFORMS_KEY, "platform", platforms)
    picked_platforms = st.sidebar.multiselect(
        "Platforms", options=platforms, key=_PLATFORMS_KEY, placeholder="All platforms"
    )
    shown = accounts[accounts["platform"].isin(picked_platforms or platforms)]
    account_ids = shown["ad_account_id"].drop_duplicates().tolist()
    labels = {
        row.ad_account_id: f"{row.ad_account_id} ({row.platform}, {row.account_currency})"
        for row in shown.itertuples()
    }
    _seed_multiselect(_ACCOUNTS_KEY, "account", account_ids)
    picked_accounts = st.sidebar.multiselect(
        "Ad accounts",
        options=account_ids,
        key=_ACCOUNTS_KEY,
        format_func=labels.__getitem__,
        placeholder="All accounts",
    )
    selection = reader.Selection(
        start=start,
        end=end,
        account_ids=tuple(picked_accounts),
        platforms=tuple(picked_platforms),
    )
    _write_url(selection, span)
    st.session_state[SELECTION_KEY] = selection
    return selection


def current() -> reader.Selection | None:
    """The selection the sidebar filters made on this run (None when nothing is published)."""
    return st.session_state.get(SELECTION_KEY)


def choice(
    label: str,
    labels: Mapping[str, str],
    *,
    param: str,
    widget: Callable[..., str] = st.radio,
    **widget_args: object,
) -> str:
    """A page-local single choice whose value is kept in the URL as ``param``.

    Args:
        label: The widget's label.
        labels: The values to choose from, each with what the reader sees; the first is the
            default (left out of the URL).
        param: The query parameter holding the choice.
        widget: ``st.radio`` (default) or ``st.selectbox``.
        **widget_args: Further arguments of the widget (e.g. ``horizontal=True``).

    Returns:
        The chosen option.
    """
    key = f"choice_{param}"
    options = list(labels)
    seeded = _url_seed(param)
    if key not in st.session_state and seeded and seeded[0] in options:
        st.session_state[key] = seeded[0]
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    value = widget(label, options, key=key, format_func=labels.__getitem__, **widget_args)
    if value == options[0]:
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = value
    return value
