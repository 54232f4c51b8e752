"""Altair charts for the dashboard pages, with one fixed colour per publisher platform."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import altair as alt
import pandas as pd

# Stable colours so a placement looks the same on every page and in every date range. Picked
# from the colour-blind-safe sets of Okabe & Ito and Paul Tol so that every pair of known
# placements (and "other") stays at least 14 CIELAB units apart for normal vision and under
# simulated protanopia, deuteranopia and tritanopia (Machado et al. 2009, full severity);
# tests/dashboards/test_charts.py checks this. Threads is vermillion on every page: the series
# the product exists for. The ad platforms reuse their main placement's colour.
PLATFORM_COLORS: dict[str, str] = {
    "facebook": "#0077BB",
    "instagram": "#CC79A7",
    "threads": "#D55E00",
    "messenger": "#33BBEE",
    "audience_network": "#117733",
    "whatsapp": "#DDCC77",
    "tiktok": "#882255",
    "pangle": "#004488",
    "global_app_bundle": "#DDAA33",
    "topbuzz": "#F97B72",
    "helo": "#EE3377",
    # TikTok Upgraded Smart+ subplacements (2026): dark tones are what stays apart from the rest.
    "lemon8": "#222255",
    "pine_drama": "#663333",
}
# Ad platforms (fct_ad_performance_daily.platform), coloured like their main placement.
AD_PLATFORM_COLORS: dict[str, str] = {"meta": "#0077BB", "tiktok": "#882255"}
THREADS_COLOR = PLATFORM_COLORS["threads"]
OTHER_PLATFORM_COLOR = "#BBBBBB"
# Shares and other neutral quantities: a slate grey, neither "good" green nor "bad" red.
NEUTRAL_COLOR = "#5B6B7B"
# Parts of creator revenue: what adds up (GMV, paid revenue), what is taken off (the Shop
# deduction, drawn below zero) and the net result.
REVENUE_PART_COLORS: dict[str, str] = {
    "Affiliate GMV": "#0077BB",
    "Paid-ad revenue": "#33BBEE",
    "Shop deduction": "#999999",
}
NET_COLOR = "#222222"


def platform_scale(platforms: Iterable[str]) -> alt.Scale:
    """A colour scale over ``platforms``: known ones first in a fixed order, others grey.

    Args:
        platforms: The publisher platforms present in the data.

    Returns:
        An explicit domain/range scale, so no platform is coloured by position. Unknown
        platforms share the "other" grey.
    """
    present = set(platforms)
    palette = {"meta": AD_PLATFORM_COLORS["meta"]} | PLATFORM_COLORS
    known = [name for name in palette if name in present]
    others = sorted(present - set(palette))
    domain = known + others
    colors = [palette[name] for name in known] + [OTHER_PLATFORM_COLOR] * len(others)
    return alt.Scale(domain=domain, range=colors)


def spend_over_time(daily: pd.DataFrame, currency: str, *, stacked: bool = True) -> alt.Chart:
    """Daily spend per publisher platform in one currency, as stacked bars or as lines.

    Lines keep small platforms such as Threads readable next to large ones; stacked bars
    show the daily total.

    Args:
        daily: Rows of ``spend.spend_by_platform_daily`` (``report_date``,
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
    # Room at the right for the value at the end of the longest bar (labels are never cut).
    widest = float(frame["roas"].max()) if len(frame) else 1.0
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                "roas:Q",
                title="ROAS (revenue / spend)",
                scale=alt.Scale(domainMax=max(widest, 0.01) * 1.2),
            ),
            y=alt.Y(
                "placement:N",
                title=None,
                sort=frame.sort_values("roas", ascending=False)["placement"].tolist(),
                axis=alt.Axis(labelLimit=0),
            ),
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
    labels = bars.mark_text(align="left", dx=4).encode(
        text=alt.Text("roas:Q", format=",.2f"), color=alt.value(NET_COLOR)
    )
    return bars + labels


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


def _revenue_parts(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    parts = frame.assign(
        **{
            "Affiliate GMV": frame["affiliate_gmv"].astype(float),
            "Paid-ad revenue": frame["paid_attributed_revenue"].astype(float),
            "Shop deduction": -frame["deduction_spark_orders_in_order_book"].astype(float),
        }
    )[[key, *REVENUE_PART_COLORS]]
    return parts.melt(key, var_name="part", value_name="amount").fillna({"amount": 0.0})


def _part_color(**options: object) -> alt.Color:
    """Colour by revenue part, in the parts' fixed colours."""
    scale = alt.Scale(domain=list(REVENUE_PART_COLORS), range=list(REVENUE_PART_COLORS.values()))
    return alt.Color("part:N", title="Part", scale=scale, **options)


def _part_tooltips(key: alt.Tooltip, currency: str) -> list[alt.Tooltip]:
    """What hovering a revenue part shows: whose or which day's (``key``), part, amount."""
    return [
        key,
        alt.Tooltip("part:N", title="Part"),
        alt.Tooltip("sum(amount):Q", title=currency, format=",.2f"),
    ]


def _net_tooltip(currency: str) -> alt.Tooltip:
    return alt.Tooltip("net:Q", title=f"Creator-driven revenue ({currency})", format=",.2f")


def creator_revenue_parts(board: pd.DataFrame, currency: str) -> alt.LayerChart:
    """Each creator's revenue parts as a bar: GMV and paid-ad revenue to the right of zero, the
    Shop deduction (Spark Ads revenue whose orders the loaded order book holds, already GMV) to
    the left, net marked.

    Args:
        board: Rows of ``creators.leaderboard`` (``display_name``, ``affiliate_gmv``,
            ``paid_attributed_revenue``, ``deduction_spark_orders_in_order_book``,
            ``creator_driven_revenue``), in the order to show.
        currency: The reporting currency, for the axis title.

    Returns:
        Diverging stacked bars per creator with a net tick and label, tooltips on every part.
    """
    order = board["display_name"].tolist()
    parts = _revenue_parts(board, "display_name")
    net = board.assign(net=board["creator_driven_revenue"].astype(float))[["display_name", "net"]]
    title = f"Amount ({currency})"
    y = alt.Y("display_name:N", title=None, sort=order, axis=alt.Axis(labelLimit=0))
    gross = parts[parts["amount"] > 0].groupby("display_name", as_index=False)["amount"].sum()
    # Room at the right for the net label after the longest bar.
    widest = float(gross["amount"].max()) if len(gross) else 1.0
    bars = (
        alt.Chart(parts)
        .mark_bar()
        .encode(
            x=alt.X(
                "sum(amount):Q",
                title=title,
                stack="zero",
                scale=alt.Scale(domainMax=max(widest, 0.01) * 1.25),
            ),
            y=y,
            color=_part_color(sort=list(REVENUE_PART_COLORS)),
            tooltip=_part_tooltips(alt.Tooltip("display_name:N", title="Creator"), currency),
        )
    )
    ticks = (
        alt.Chart(net)
        .mark_tick(color=NET_COLOR, thickness=3, size=26)
        .encode(
            x="net:Q",
            y=y,
            tooltip=[
                alt.Tooltip("display_name:N", title="Creator"),
                _net_tooltip(currency),
            ],
        )
    )
    labels = (
        alt.Chart(net.merge(gross, on="display_name", how="left").fillna({"amount": 0.0}))
        .mark_text(align="left", dx=6, color=NET_COLOR)
        .encode(
            x="amount:Q",
            y=y,
            text=alt.Text("net:Q", format=",.2f"),
        )
    )
    return bars + ticks + labels


def creator_revenue_daily(days: pd.DataFrame, currency: str) -> alt.LayerChart:
    """One creator's revenue parts per day (stacked bars, the deduction below zero) with the
    net creator-driven revenue as a line.

    Args:
        days: Rows of ``creators.daily``.
        currency: The reporting currency, for the axis title.

    Returns:
        The chart, with tooltips.
    """
    frame = days.assign(report_date=pd.to_datetime(days["report_date"]))
    parts = _revenue_parts(frame, "report_date")
    net = frame.assign(net=frame["creator_driven_revenue"].astype(float))[["report_date", "net"]]
    title = f"Amount ({currency})"
    x = alt.X("yearmonthdate(report_date):T", title="Report date")
    bars = (
        alt.Chart(parts)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("sum(amount):Q", title=title, stack="zero"),
            color=_part_color(),
            tooltip=_part_tooltips(
                alt.Tooltip("yearmonthdate(report_date):T", title="Date"), currency
            ),
        )
    )
    line = (
        alt.Chart(net)
        .mark_line(point=True, color=NET_COLOR)
        .encode(
            x=x,
            y="net:Q",
            tooltip=[
                alt.Tooltip("yearmonthdate(report_date):T", title="Date"),
                _net_tooltip(currency),
            ],
        )
    )
    return bars + line
