"""Platform colours are fixed, so a platform looks the same in every chart and date range."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from dashboards import charts


def test_known_platforms_keep_their_colour_and_order_others_are_grey() -> None:
    scale = charts.platform_scale(["threads", "tiktok_pangle", "facebook", "threads"])

    assert scale.domain == ["facebook", "threads", "tiktok_pangle"]
    assert scale.range == [
        charts.PLATFORM_COLORS["facebook"],
        charts.PLATFORM_COLORS["threads"],
        charts.OTHER_PLATFORM_COLOR,
    ]


def test_every_known_platform_has_its_own_colour() -> None:
    colors = [*charts.PLATFORM_COLORS.values(), charts.OTHER_PLATFORM_COLOR]

    assert len(set(colors)) == len(colors)


def test_chart_data_is_plotted_as_floats_with_dates() -> None:
    daily = pd.DataFrame(
        {
            "report_date": [date(2026, 10, 1), date(2026, 10, 1)],
            "publisher_platform": ["facebook", "threads"],
            "spend": [Decimal("1.10"), Decimal("0.20")],
        }
    )

    chart = charts.spend_over_time(daily, "EUR").to_dict()

    (values,) = chart["datasets"].values()
    assert [row["spend"] for row in values] == [1.1, 0.2]
    assert chart["encoding"]["y"]["title"] == "Spend (EUR)"
    assert chart["encoding"]["color"]["scale"]["domain"] == ["facebook", "threads"]
