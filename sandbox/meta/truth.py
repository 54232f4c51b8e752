"""Ground truth of the Meta stand-in, computed from the generator (never from the server).

Rows carry exact money as :class:`~decimal.Decimal` in account currency; pass them through
:func:`jsonable` (Decimals and dates as strings) for JSON output. Purchases are the canonical
purchase action (``omni_purchase``; its aliases carry the same numbers): ``purchases`` and
``purchase_value`` use the default attribution (7-day click + 1-day view), and
``purchases_<window>`` / ``purchase_value_<window>`` each modelled window.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sandbox.meta.generator import WINDOWS, DailyMetrics, account_delivery
from sandbox.meta.render import cents_to_decimal
from sandbox.meta.scenario import Scenario, build_scenario

_KEY_COLUMNS = (
    "date",
    "account_id",
    "account_currency",
    "campaign_id",
    "adset_id",
    "ad_id",
    "publisher_platform",
    "platform_position",
)
_TOTAL_KEYS = ("date", "account_id", "account_currency", "publisher_platform", "platform_position")


def _measures(metrics: DailyMetrics) -> dict[str, Any]:
    purchases, values = metrics.purchases, metrics.purchase_value_cents
    out: dict[str, Any] = {
        "spend": cents_to_decimal(metrics.spend_cents),
        "impressions": metrics.impressions,
        "clicks": metrics.clicks,
        "link_clicks": metrics.link_clicks,
        "purchases": purchases.default,
        "purchase_value": cents_to_decimal(values.default),
    }
    for window in WINDOWS:
        out[f"purchases_{window}"] = purchases.get(window)
        out[f"purchase_value_{window}"] = cents_to_decimal(values.get(window))
    return out


def placement_truth(
    seed: int, start: date, end: date, *, scenario: Scenario | None = None
) -> list[dict[str, Any]]:
    """Every served (date, account, campaign, ad set, ad, placement) row with its numbers.

    Args:
        seed: data seed (as given to the server).
        start: first day, inclusive (account time zone).
        end: last day, inclusive.
        scenario: the advertiser (default :func:`build_scenario`).

    Returns:
        Rows ordered by account, day, ad and placement; ``date`` is ISO ``YYYY-MM-DD``.
    """
    scenario = scenario or build_scenario()
    rows: list[dict[str, Any]] = []
    for account in scenario.accounts:
        for d in account_delivery(scenario, seed, account.account_id, start, end):
            rows.append(
                {
                    "date": d.day.isoformat(),
                    "account_id": account.account_id,
                    "account_currency": account.currency,
                    "campaign_id": d.ad.campaign_id,
                    "adset_id": d.ad.adset_id,
                    "ad_id": d.ad.id,
                    "publisher_platform": d.placement.publisher_platform,
                    "platform_position": d.placement.platform_position,
                    **_measures(d.metrics),
                }
            )
    return rows


def totals_by_day_account_placement(
    seed: int, start: date, end: date, *, scenario: Scenario | None = None
) -> list[dict[str, Any]]:
    """Truth summed per day x account x placement (same measures as :func:`placement_truth`).

    Returns:
        Rows ordered by day, account ID, platform and position.
    """
    totals: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in placement_truth(seed, start, end, scenario=scenario):
        key = tuple(row[k] for k in _TOTAL_KEYS)
        measures = {k: v for k, v in row.items() if k not in _KEY_COLUMNS}
        found = totals.get(key)
        if found is None:
            totals[key] = {**dict(zip(_TOTAL_KEYS, key, strict=True)), **measures}
        else:
            for name, value in measures.items():
                found[name] += value
    return [totals[key] for key in sorted(totals)]


def jsonable(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with Decimals as strings (``"41.87"``), ready for ``json.dumps``."""
    return [{k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()} for row in rows]


def dumps(rows: Iterable[dict[str, Any]]) -> str:
    """Rows as a JSON array (Decimals as strings)."""
    return json.dumps(jsonable(rows), indent=None, separators=(",", ":"))
