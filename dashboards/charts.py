"""Altair charts for the dashboard pages, with one fixed colour per publisher platform."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

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
    # Ad platforms (fct_ad_performance_daily.platform).
    "meta": "#0866FF",
    "tiktok": "#FE2C55",
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


def placement_share_over_time(
    daily: pd.DataFrame, first_threads_day: date | None
) -> alt.LayerChart | alt.Chart:
    """One campaign's daily spend share per publisher platform, stacked to 100 %.

    Threads is drawn at full strength and the others faded, so its sliver stands out; a
    rule marks the first day Threads received spend when it falls inside the dates shown.

    Args:
        daily: Rows of ``advantage_plus.daily_share`` (``report_date``,
            ``publisher_platform``, ``spend``, ``spend_share``).
        first_threads_day: The campaign's first day with Threads spend, if any.

    Returns:
        The chart, with a tooltip per bar segment.
    """
    frame = daily.assign(
        report_date=pd.to_datetime(daily["report_date"]),
        spend=daily["spend"].astype(float),
        spend_share=daily["spend_share"].astype(float),
        is_threads=daily["publisher_platform"] == "threads",
    )
    scale = platform_scale(frame["publisher_platform"])
    rank = {name: position for position, name in enumerate(scale.domain)}
    frame = frame.assign(platform_rank=frame["publisher_platform"].map(rank))
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdate(report_date):T", title="Report date"),
            y=alt.Y(
                "spend_share:Q",
                title="Share of the day's spend",
                stack="normalize",
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color("publisher_platform:N", title="Platform", scale=scale),
            opacity=alt.condition("datum.is_threads", alt.value(1.0), alt.value(0.45)),
            order=alt.Order("platform_rank:Q"),
            tooltip=[
                alt.Tooltip("yearmonthdate(report_date):T", title="Date"),
                alt.Tooltip("publisher_platform:N", title="Platform"),
                alt.Tooltip("spend_share:Q", title="Share", format=".2%"),
                alt.Tooltip("spend:Q", title="Spend", format=",.2f"),
            ],
        )
    )
    if first_threads_day is None or frame.empty:
        return bars
    shown = frame["report_date"]
    first = pd.Timestamp(first_threads_day)
    if not shown.min() <= first <= shown.max():
        return bars
    marker = pd.DataFrame({"day": [first], "label": [f"Threads from {first_threads_day}"]})
    rule = (
        alt.Chart(marker)
        .mark_rule(color=PLATFORM_COLORS["threads"], size=2)
        .encode(x="yearmonthdate(day):T")
    )
    text = (
        alt.Chart(marker)
        .mark_text(align="left", dx=4, dy=-6, color=PLATFORM_COLORS["threads"])
        .encode(x="yearmonthdate(day):T", y=alt.value(0), text="label:N")
    )
    return bars + rule + text


def roas_by_placement(placements: pd.DataFrame) -> alt.Chart:
    """ROAS per placement as horizontal bars coloured by publisher platform.

    Args:
        placements: Rows of ``advantage_plus.placements``.

    Returns:
        The chart; placements without spend (no ROAS) are left out.
    """
    frame = placements.dropna(subset=["roas"]).assign(
        roas=lambda rows: rows["roas"].astype(float),
        spend=lambda rows: rows["spend"].astype(float),
        placement=lambda rows: rows["publisher_platform"] + " · " + rows["platform_position"],
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("roas:Q", title="ROAS (revenue / spend)"),
            y=alt.Y("placement:N", title=None, sort="-x"),
            color=alt.Color(
                "publisher_platform:N",
                title="Platform",
                scale=platform_scale(frame["publisher_platform"]),
            ),
            tooltip=[
                alt.Tooltip("placement:N", title="Placement"),
                alt.Tooltip("roas:Q", title="ROAS", format=",.2f"),
                alt.Tooltip("spend:Q", title="Spend", format=",.2f"),
            ],
        )
    )


def amounts_over_time(daily: pd.DataFrame, columns: dict[str, str], currency: str) -> alt.Chart:
    """Several amounts of one series per day as lines, e.g. a creator's revenue and cost.

    Args:
        daily: One row per ``report_date`` with the amount columns.
        columns: Column -> label to draw.
        currency: The currency of every amount, for the axis title.

    Returns:
        One line per amount, with tooltips.
    """
    frame = daily.assign(report_date=pd.to_datetime(daily["report_date"]))[
        ["report_date", *columns]
    ].melt("report_date", var_name="column", value_name="amount")
    frame = frame.assign(amount=frame["amount"].astype(float), measure=frame["column"].map(columns))
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonthdate(report_date):T", title="Report date"),
            y=alt.Y("amount:Q", title=f"Amount ({currency})"),
            color=alt.Color("measure:N", title=None, sort=list(columns.values())),
            tooltip=[
                alt.Tooltip("yearmonthdate(report_date):T", title="Date"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("amount:Q", title=currency, format=",.2f"),
            ],
        )
    )
