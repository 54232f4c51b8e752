"""Platform colours are fixed, so a platform looks the same in every chart and date range, and
stay apart for colour-blind readers."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from dashboards import charts

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
_VISION = {
    "normal": np.eye(3),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
_SRGB_TO_XYZ = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
)
_WHITE = np.array([0.95047, 1.0, 1.08883])


def _lab(color: str, vision: str) -> np.ndarray:
    """CIELAB of a hex colour as seen with ``vision``."""
    srgb = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    xyz = _SRGB_TO_XYZ @ np.clip(_VISION[vision] @ linear, 0, 1) / _WHITE
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_placement_colours_stay_apart_for_colour_blind_readers() -> None:
    colors = {**charts.PLATFORM_COLORS, "other": charts.OTHER_PLATFORM_COLOR}
    closest = min(
        (float(np.linalg.norm(_lab(one, vision) - _lab(two, vision))), vision, a, b)
        for (a, one), (b, two) in itertools.combinations(colors.items(), 2)
        for vision in _VISION
    )

    assert closest[0] >= 14, closest  # CIELAB distance: clearly different side by side


def test_threads_keeps_its_colour_and_ad_platforms_match_their_placement() -> None:
    assert charts.THREADS_COLOR == charts.PLATFORM_COLORS["threads"]
    assert charts.AD_PLATFORM_COLORS["meta"] == charts.PLATFORM_COLORS["facebook"]
    assert charts.AD_PLATFORM_COLORS["tiktok"] == charts.PLATFORM_COLORS["tiktok"]
    scale = charts.platform_scale(["tiktok", "meta"])
    assert scale.domain == ["meta", "tiktok"]


def test_roas_and_creator_charts_never_cut_their_labels() -> None:
    placements = pd.DataFrame(
        {
            "publisher_platform": ["audience_network", "threads"],
            "platform_position": ["rewarded_video_long_name", "threads_feed"],
            "roas": [Decimal("2.5"), None],
            "spend": [Decimal("10"), Decimal("0")],
        }
    )
    roas = charts.roas_by_placement(placements).to_dict()
    assert roas["layer"][0]["encoding"]["y"]["axis"]["labelLimit"] == 0
    assert roas["layer"][1]["mark"]["type"] == "text"

    board = pd.DataFrame(
        {
            "display_name": ["A creator with a long name", "Bo"],
            "affiliate_gmv": [Decimal("100"), Decimal("0")],
            "paid_attributed_revenue": [Decimal("50"), Decimal("20")],
            "paid_attributed_revenue_shop": [Decimal("45"), Decimal("0")],
            "deduction_spark_orders_in_order_book": [Decimal("30"), Decimal("0")],
            "creator_driven_revenue": [Decimal("120"), Decimal("20")],
        }
    )
    parts = charts.creator_revenue_parts(board, "EUR").to_dict()
    bars = parts["layer"][0]
    assert bars["encoding"]["y"]["axis"]["labelLimit"] == 0
    (values,) = [v for k, v in parts["datasets"].items() if any("part" in row for row in v)]
    deduction = [row["amount"] for row in values if row["part"] == "Shop deduction"]
    assert deduction == [-30.0, -0.0]


def test_known_platforms_keep_their_colour_and_order_others_are_grey() -> None:
    scale = charts.platform_scale(["threads", "tiktok_pangle", "facebook", "threads"])

    assert scale.domain == ["facebook", "threads", "tiktok_pangle"]
    assert scale.range == [
        charts.PLATFORM_COLORS["facebook"],
        charts.PLATFORM_COLORS["threads"],
        charts.OTHER_PLATFORM_COLOR,
    ]


def test_every_known_platform_has_its_own_colour() -> None:
    from mart_contract import accepted_publisher_platforms

    KNOWN_PUBLISHER_PLATFORMS = accepted_publisher_platforms()
    colors = [*charts.PLATFORM_COLORS.values(), charts.OTHER_PLATFORM_COLOR]

    assert len(set(colors)) == len(colors)
    # Every placement the mart may publish (the dbt contract's accepted values) has a colour,
    # none is "other".
    assert set(KNOWN_PUBLISHER_PLATFORMS) <= set(charts.PLATFORM_COLORS)


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
