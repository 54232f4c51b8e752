"""Altair charts for the dashboard pages, with one fixed colour per publisher platform."""

from __future__ import annotations

from collections.abc import Iterable

import altair as alt
import pandas as pd

# Stable colours so a platform looks the same on every page and in every date range. Threads
# gets a strong orange rather than its black brand colour: black vanishes in the dark theme.
PLATFORM_COLORS: dict[str, str] = {
    "facebook": "#1877F2",
    "instagram": "#C13584",
    "threads": "#FF8A00",
    "messenger": "#7B3FE4",
    "audience_network": "#2CA02C",
    "whatsapp": "#25D366",
}
OTHER_PLATFORM_COLOR = "#8C8C8C"


def platform_scale(platforms: Iterable[str]) -> alt.Scale:
    """A colour scale over ``platforms``: known ones first in a fixed order, others grey.

    Args:
        platforms: The publisher platforms present in the data.

    Returns:
        An explicit domain/range scale, so no platform is coloured by position.
    """
    present = set(platforms)
    known = [name for name in PLATFORM_COLORS if name in present]
    others = sorted(present - set(PLATFORM_COLORS))
    domain = known + others
    colors = [PLATFORM_COLORS[name] for name in known] + [OTHER_PLATFORM_COLOR] * len(others)
    return alt.Scale(domain=domain, range=colors)


def spend_over_time(daily: pd.DataFrame, currency: str, *, stacked: bool = True) -> alt.Chart:
    """Daily spend per publisher platform in one currency, as stacked bars or as lines.

    Lines keep small platforms such as Threads readable next to large ones; stacked bars
    show the daily total.

    Args:
        daily: Rows of ``data.spend_by_platform_daily`` (``report_date``,
            ``publisher_platform``, ``spend``).
        currency: The currency every ``spend`` value is in, for the axis title.
        stacked: Stacked bars if True, one line per platform if False.

    Returns:
        The chart, with a tooltip per bar segment or point.
    """
    frame = daily.assign(
        report_date=pd.to_datetime(daily["report_date"]),
        spend=daily["spend"].astype(float),
    )
    scale = platform_scale(frame["publisher_platform"])
    rank = {name: position for position, name in enumerate(scale.domain)}
    frame = frame.assign(platform_rank=frame["publisher_platform"].map(rank))
    title = f"Spend ({currency})"
    chart = alt.Chart(frame).mark_bar() if stacked else alt.Chart(frame).mark_line(point=True)
    return chart.encode(
        x=alt.X("yearmonthdate(report_date):T", title="Report date"),
        y=alt.Y("sum(spend):Q", title=title, stack="zero" if stacked else None),
        color=alt.Color("publisher_platform:N", title="Platform", scale=scale),
        order=alt.Order("platform_rank:Q"),
        tooltip=[
            alt.Tooltip("yearmonthdate(report_date):T", title="Date"),
            alt.Tooltip("publisher_platform:N", title="Platform"),
            alt.Tooltip("sum(spend):Q", title=title, format=",.2f"),
        ],
    )
