"""Ground truth of the Meta stand-in, computed from the generator (never from the server).

Rows carry exact money as :class:`~decimal.Decimal` in account currency; pass them through
:func:`jsonable` (Decimals and dates as strings) for JSON output. Purchases are the canonical
purchase action (``omni_purchase``; its aliases carry the same numbers): ``purchases`` and
``purchase_value`` use the default attribution (7-day click + 1-day view), and
``purchases_<window>`` / ``purchase_value_<window>`` each modelled window (``1d_ev``:
engaged-view, from the scenario's ``engage_through_from`` day on engage-through).

Conversions are the final (settled) values by default; pass ``as_of`` (a pull time) and the
server's restatement horizon to get what a pull at that time saw instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sandbox.meta.generator import WINDOWS, DailyMetrics, account_delivery
from sandbox.meta.render import cents_to_decimal
from sandbox.meta.restatement import DEFAULT_HORIZON_DAYS, model_for
from sandbox.meta.scenario import Scenario, configured_scenario

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
_AD_KEYS = ("date", "account_id", "account_currency", "campaign_id", "adset_id", "ad_id")


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
    seed: int,
    start: date,
    end: date,
    *,
    scenario: Scenario | None = None,
    as_of: datetime | None = None,
    restatement_days: int = DEFAULT_HORIZON_DAYS,
) -> list[dict[str, Any]]:
    """Every served (date, account, campaign, ad set, ad, placement) row with its numbers.

    Args:
        seed: data seed (as given to the server).
        start: first day, inclusive (account time zone).
        end: last day, inclusive.
        scenario: the advertiser (default :func:`configured_scenario`).
        as_of: pull time whose (not yet restated) conversions to report; None = final.
        restatement_days: the server's restatement horizon (used with ``as_of``).

    Returns:
        Rows ordered by account, day, ad and placement; ``date`` is ISO ``YYYY-MM-DD``.
    """
    scenario = scenario or configured_scenario()
    model = None if as_of is None else model_for(restatement_days)
    rows: list[dict[str, Any]] = []
    for account in scenario.accounts:
        for d in account_delivery(scenario, seed, account.account_id, start, end):
            metrics = d.metrics
            if model is not None and as_of is not None:
                metrics = model.as_pulled(metrics, d.day, as_of, account.timezone_name)
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
                    **_measures(metrics),
                }
            )
    return rows


def ad_truth(
    seed: int,
    start: date,
    end: date,
    *,
    scenario: Scenario | None = None,
    as_of: datetime | None = None,
    restatement_days: int = DEFAULT_HORIZON_DAYS,
) -> list[dict[str, Any]]:
    """Truth of the base report (no breakdowns): one row per day x ad, placements summed.

    Arguments as :func:`placement_truth`. Rows are ordered by day, account and ad.
    """
    rows = placement_truth(
        seed, start, end, scenario=scenario, as_of=as_of, restatement_days=restatement_days
    )
    return _sum_by(rows, _AD_KEYS, _KEY_COLUMNS)


def entity_truth(scenario: Scenario | None = None) -> dict[str, list[dict[str, Any]]]:
    """What the scenario contains, per entity stream: ids, parents and statuses.

    Returns:
        ``{"ad_accounts"|"campaigns"|"adsets"|"ads"|"adcreatives": rows}``; every object of
        every account, archived and deleted ones included.
    """
    scenario = scenario or configured_scenario()
    return {
        "ad_accounts": [
            {
                "account_id": a.account_id,
                "id": a.id,
                "currency": a.currency,
                "timezone_name": a.timezone_name,
            }
            for a in scenario.accounts
        ],
        "campaigns": [
            {"account_id": c.account_id, "id": c.id, "effective_status": c.status, "kind": c.kind}
            for c in scenario.campaigns
        ],
        "adsets": [
            {
                "account_id": s.account_id,
                "id": s.id,
                "campaign_id": s.campaign_id,
                "effective_status": s.effective_status,
            }
            for s in scenario.adsets
        ],
        "ads": [
            {
                "account_id": a.account_id,
                "id": a.id,
                "adset_id": a.adset_id,
                "creative_id": a.creative_id,
                "effective_status": a.effective_status,
            }
            for a in scenario.ads
        ],
        "adcreatives": [
            {
                "account_id": c.account_id,
                "id": c.id,
                "creator_handles": [x.handle for x in c.creators],
                "source_instagram_media_id": c.source_instagram_media_id,
            }
            for c in scenario.creatives
        ],
    }


def totals_by_day_account_placement(
    seed: int,
    start: date,
    end: date,
    *,
    scenario: Scenario | None = None,
    as_of: datetime | None = None,
    restatement_days: int = DEFAULT_HORIZON_DAYS,
) -> list[dict[str, Any]]:
    """Truth summed per day x account x placement (same measures as :func:`placement_truth`).

    Returns:
        Rows ordered by day, account ID, platform and position.
    """
    rows = placement_truth(
        seed, start, end, scenario=scenario, as_of=as_of, restatement_days=restatement_days
    )
    return _sum_by(rows, _TOTAL_KEYS, _KEY_COLUMNS)


def _sum_by(
    rows: Iterable[dict[str, Any]], keys: tuple[str, ...], grain: tuple[str, ...]
) -> list[dict[str, Any]]:
    totals: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        measures = {k: v for k, v in row.items() if k not in grain}
        found = totals.get(key)
        if found is None:
            totals[key] = {**dict(zip(keys, key, strict=True)), **measures}
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
