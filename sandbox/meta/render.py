"""Meta's number formats: strings everywhere, money in major units, no trailing zeros."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.meta.generator import DailyMetrics, WindowCounts

#: The purchase action types Meta reports for the same purchases (never to be summed).
PURCHASE_ACTION_TYPES: tuple[str, ...] = (
    "offsite_conversion.fb_pixel_purchase",
    "omni_purchase",
    "purchase",
)
ROAS_ACTION_TYPE = "omni_purchase"

_SIX_PLACES = Decimal("0.000001")


def money(cents: int) -> str:
    """Minor units as Meta writes money: ``4187 -> "41.87"``, ``533950 -> "5339.5"``."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    if rest == 0:
        return f"{sign}{units}"
    return f"{sign}{units}.{rest:02d}".rstrip("0")


def cents_to_decimal(cents: int) -> Decimal:
    """Minor units as an exact two-place Decimal."""
    return Decimal(cents).scaleb(-2)


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> str:
    """A rate with up to six decimals, as Meta renders ``ctr``, ``cpc`` or ROAS."""
    value = (Decimal(numerator) / Decimal(denominator)).quantize(_SIX_PLACES, ROUND_HALF_UP)
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _entry(
    action_type: str, default: str, per_window: dict[str, str], windows: tuple[str, ...]
) -> dict[str, str]:
    entry = {"action_type": action_type, "value": default}
    entry.update((w, per_window[w]) for w in windows)
    return entry


def _all_zero(counts: WindowCounts, windows: tuple[str, ...]) -> bool:
    return counts.default == 0 and all(counts.get(w) == 0 for w in windows)


def actions(metrics: DailyMetrics, windows: tuple[str, ...]) -> list[dict[str, str]]:
    """The ``actions`` list; action types whose reported numbers are all zero are omitted."""
    out: list[dict[str, str]] = []
    link = str(metrics.link_clicks)
    if metrics.link_clicks:
        click_windows = {"1d_click": link, "7d_click": link, "28d_click": link}
        click_windows |= {"1d_view": "0", "1d_ev": "0"}
        out.append(_entry("link_click", link, click_windows, windows))
    if not _all_zero(metrics.purchases, windows):
        counts = {w: str(metrics.purchases.get(w)) for w in windows}
        default = str(metrics.purchases.default)
        out.extend(_entry(t, default, counts, windows) for t in PURCHASE_ACTION_TYPES)
    return out


def action_values(metrics: DailyMetrics, windows: tuple[str, ...]) -> list[dict[str, str]]:
    """The ``action_values`` list (purchase value in account currency)."""
    values = metrics.purchase_value_cents
    if _all_zero(values, windows):
        return []
    per_window = {w: money(values.get(w)) for w in windows}
    return [_entry(t, money(values.default), per_window, windows) for t in PURCHASE_ACTION_TYPES]


def purchase_roas(metrics: DailyMetrics, windows: tuple[str, ...]) -> list[dict[str, str]]:
    """The ``purchase_roas`` list: purchase value / spend per window."""
    values = metrics.purchase_value_cents
    if metrics.spend_cents == 0 or _all_zero(values, windows):
        return []
    spend = metrics.spend_cents
    per_window = {w: ratio(values.get(w), spend) for w in windows}
    return [_entry(ROAS_ACTION_TYPE, ratio(values.default, spend), per_window, windows)]


def rates(metrics: DailyMetrics) -> dict[str, Any]:
    """``ctr`` (%), ``cpc`` and ``cpm`` (account currency); omitted when undefined."""
    out: dict[str, Any] = {}
    if metrics.impressions:
        out["ctr"] = ratio(metrics.clicks * 100, metrics.impressions)
        out["cpm"] = ratio(metrics.spend_cents * 10, metrics.impressions)
    if metrics.clicks:
        out["cpc"] = ratio(cents_to_decimal(metrics.spend_cents), metrics.clicks)
    return out
