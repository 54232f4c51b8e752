"""TikTok's value formats: metrics are strings, money with fixed decimals, ``"-"`` for none."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sandbox.tiktok.delivery import AdDay, GmvDay
from sandbox.tiktok.generator import AdMetrics

NULL = "-"


def money(cents: int, places: int = 2) -> str:
    """Minor units as a fixed-point string: ``2000 -> "20.00"`` (``places=3``: ``"20.000"``)."""
    return f"{Decimal(cents).scaleb(-2):.{places}f}"


def count(value: int | None) -> str:
    return NULL if value is None else str(value)


def ratio(numerator: int, denominator: int) -> str:
    """A two-decimal rate, ``"-"`` when the denominator is zero (as TikTok shows it)."""
    return NULL if denominator == 0 else f"{Decimal(numerator) / Decimal(denominator):.2f}"


def stat_time_day(day: date) -> str:
    return f"{day.isoformat()} 00:00:00"


def ad_metric_values(row: AdDay, currency: str) -> dict[str, Any]:
    """Every metric and attribute the stand-in serves for an ad row, rendered."""
    m, ad = row.metrics, row.ad
    return {
        "spend": money(m.spend_cents, 3),
        "impressions": count(m.impressions),
        "clicks": count(m.clicks),
        "conversion": count(m.conversion),
        "complete_payment": count(m.complete_payment),
        "total_complete_payment_rate": money(m.payment_value_cents),
        "cost_per_conversion": ratio(m.spend_cents, m.conversion * 100),
        "video_play_actions": count(m.video_play_actions),
        "video_watched_2s": count(m.video_watched_2s),
        "video_views_p100": count(m.video_views_p100),
        "ad_name": ad.name,
        "currency": currency,
    }


def advertiser_metric_values(metrics: AdMetrics) -> dict[str, str]:
    """The advertiser-level report's metrics for one day's summed ad metrics, rendered."""
    return {
        "spend": money(metrics.spend_cents, 3),
        "impressions": count(metrics.impressions),
        "clicks": count(metrics.clicks),
    }


def gmv_metric_values(row: GmvDay) -> dict[str, str]:
    """Every GMV Max metric the stand-in serves, rendered (``orders`` "-" when none)."""
    m = row.metrics
    return {
        "cost": money(m.cost_cents),
        "net_cost": money(m.net_cost_cents),
        "orders": count(m.orders or None),
        "cost_per_order": ratio(m.cost_cents, m.orders * 100),
        "gross_revenue": money(m.gross_revenue_cents),
        "roi": ratio(m.gross_revenue_cents, m.cost_cents),
        "product_impressions": count(m.product_impressions),
        "product_clicks": count(m.product_clicks),
    }
