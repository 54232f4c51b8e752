"""The ``/act_{id}/insights`` edge: parameters, aggregation to the requested grain, rows."""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.meta import render
from sandbox.meta.errors import invalid_parameter, nonexisting_field
from sandbox.meta.generator import WINDOWS, DailyMetrics, Delivery, account_delivery
from sandbox.meta.restatement import RestatementModel
from sandbox.meta.scenario import ALL_PLACEMENTS, Account, Scenario

DEFAULT_LIMIT = 25
MAX_LIMIT = 5000

LEVELS = ("account", "campaign", "adset", "ad")
BREAKDOWNS = ((), ("publisher_platform",), ("publisher_platform", "platform_position"))

_LEVEL_FIELDS = {
    "account": ("account_id", "account_name", "account_currency"),
    "campaign": ("campaign_id", "campaign_name"),
    "adset": ("adset_id", "adset_name"),
    "ad": ("ad_id", "ad_name"),
}
_METRIC_FIELDS = ("impressions", "clicks", "spend", "actions", "action_values")
_DERIVED_FIELDS = ("purchase_roas", "ctr", "cpc", "cpm")
FIELDS = frozenset(
    [f for group in _LEVEL_FIELDS.values() for f in group]
    + [*_METRIC_FIELDS, *_DERIVED_FIELDS, "date_start", "date_stop"]
)
_KNOWN_WINDOWS = re.compile(
    r"^(1d_view|7d_view|28d_view|1d_click|7d_click|28d_click|1d_ev|dda|default|skan_\w+)$"
)
_LAST_N_DAYS = re.compile(r"^last_(\d+)d$")


@dataclass(frozen=True)
class InsightsQuery:
    """A validated insights request."""

    level: str
    fields: tuple[str, ...]
    breakdowns: tuple[str, ...]
    since: date
    until: date
    increment: int | str  # days, "monthly" or "all_days"
    windows: tuple[str, ...]
    limit: int


def _list_param(raw: str | None) -> list[str]:
    """A list parameter sent as JSON (``["a","b"]``) or comma-separated (``a,b``)."""
    if not raw:
        return []
    text = raw.strip()
    if text.startswith("["):
        try:
            values = json.loads(text)
        except json.JSONDecodeError as exc:
            raise invalid_parameter(f"Invalid list parameter: {raw}") from exc
        return [str(v).strip() for v in values]
    return [v.strip() for v in text.split(",") if v.strip()]


def _parse_date(text: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError as exc:
        raise invalid_parameter(f"Param time_range[{name}] must be a date 'YYYY-MM-DD'") from exc


def _time_range(params: Mapping[str, str], today: date) -> tuple[date, date]:
    raw = params.get("time_range")
    if raw:
        try:
            spec = json.loads(raw)
            since, until = spec["since"], spec["until"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise invalid_parameter(
                'Param time_range must be a JSON object {"since":"YYYY-MM-DD","until":"YYYY-MM-DD"}'
            ) from exc
        start, end = _parse_date(since, "since"), _parse_date(until, "until")
        if start > end:
            raise invalid_parameter("Param time_range: since must not be after until")
        return start, end
    preset = params.get("date_preset", "last_30d")
    if preset == "today":
        return today, today
    if preset == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    match = _LAST_N_DAYS.match(preset)
    if match:
        return today - timedelta(days=int(match.group(1))), today - timedelta(days=1)
    raise invalid_parameter(f"Param date_preset must be one of today, yesterday, last_Nd: {preset}")


def _increment(raw: str | None) -> int | str:
    if raw in (None, "", "all_days"):
        return "all_days"
    if raw == "monthly":
        return raw
    if raw.isdigit() and 1 <= int(raw) <= 90:
        return int(raw)
    raise invalid_parameter("Param time_increment must be 1-90, monthly or all_days")


def page_limit(raw: str | None) -> int:
    """The ``limit`` parameter: default 25, capped at 5000."""
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        raise invalid_parameter("Param limit must be a positive integer")
    return min(int(raw), MAX_LIMIT)


def parse_query(params: Mapping[str, str], today: date) -> InsightsQuery:
    """Validate insights parameters the way the Graph API does (errors are ``MetaError``).

    Args:
        params: query parameters (last value wins).
        today: the date ``date_preset`` values are relative to.

    Returns:
        The query.
    """
    level = params.get("level", "account")
    if level not in LEVELS:
        raise invalid_parameter(f"Param level must be one of {{{', '.join(LEVELS)}}}")
    fields = tuple(dict.fromkeys(_list_param(params.get("fields")))) or ("impressions", "spend")
    for name in fields:
        if name not in FIELDS:
            raise nonexisting_field(name, "AdsInsights")
    breakdowns = tuple(_list_param(params.get("breakdowns")))
    if breakdowns not in BREAKDOWNS:
        raise invalid_parameter(
            "Current combination of data breakdown columns "
            f"(action_type, {', '.join(breakdowns)}) is invalid"
        )
    requested = _list_param(params.get("action_attribution_windows"))
    for window in requested:
        if not _KNOWN_WINDOWS.match(window):
            raise invalid_parameter(f"Invalid action_attribution_windows value: {window}")
    since, until = _time_range(params, today)
    return InsightsQuery(
        level=level,
        fields=fields,
        breakdowns=breakdowns,
        since=since,
        until=until,
        increment=_increment(params.get("time_increment")),
        windows=tuple(w for w in dict.fromkeys(requested) if w in WINDOWS),
        limit=page_limit(params.get("limit")),
    )


@dataclass(frozen=True)
class InsightsGroup:
    """One output row before rendering: its grain and summed metrics."""

    date_start: date
    date_stop: date
    delivery: Delivery  # a representative row: IDs and names of the grain
    breakdown: tuple[str, ...]
    metrics: DailyMetrics


def _bucket(query: InsightsQuery) -> Callable[[date], tuple[date, date]]:
    if query.increment == "all_days":
        return lambda day: (query.since, query.until)
    if query.increment == "monthly":

        def month(day: date) -> tuple[date, date]:
            last = calendar.monthrange(day.year, day.month)[1]
            return max(day.replace(day=1), query.since), min(day.replace(day=last), query.until)

        return month
    step = int(query.increment)

    def every(day: date) -> tuple[date, date]:
        start = query.since + timedelta(days=(day - query.since).days // step * step)
        return start, min(start + timedelta(days=step - 1), query.until)

    return every


def _grain_ids(delivery: Delivery, level: str) -> tuple[str, ...]:
    ad = delivery.ad
    return {
        "account": (),
        "campaign": (ad.campaign_id,),
        "adset": (ad.campaign_id, ad.adset_id),
        "ad": (ad.campaign_id, ad.adset_id, ad.id),
    }[level]


def _breakdown_rank() -> dict[tuple[str, ...], int]:
    rank: dict[tuple[str, ...], int] = {(): 0}
    for index, p in enumerate(ALL_PLACEMENTS):
        rank.setdefault((p.publisher_platform,), index)
        rank[(p.publisher_platform, p.platform_position)] = index
    return rank


_BREAKDOWN_RANK = _breakdown_rank()


def aggregate(
    scenario: Scenario,
    seed: int,
    account: Account,
    query: InsightsQuery,
    restatement: RestatementModel,
    pulled_at: datetime,
) -> list[InsightsGroup]:
    """Every row of the answer in stable order: time bucket, IDs, placement.

    Args:
        scenario: the advertiser.
        seed: data seed.
        account: the account whose insights edge was called.
        query: the validated request.
        restatement: maps final numbers to what a pull at ``pulled_at`` sees.
        pulled_at: when the request is answered.

    Returns:
        The groups; rows without impressions and spend never exist, so none are empty.
    """
    bucket = _bucket(query)
    width = len(query.breakdowns)
    groups: dict[tuple[Any, ...], InsightsGroup] = {}
    for row in account_delivery(scenario, seed, account.account_id, query.since, query.until):
        metrics = restatement.as_pulled(row.metrics, row.day, pulled_at, account.timezone_name)
        start, stop = bucket(row.day)
        placement = (row.placement.publisher_platform, row.placement.platform_position)
        breakdown = placement[:width]
        key = (start, _grain_ids(row, query.level), breakdown)
        found = groups.get(key)
        if found is not None:
            metrics = found.metrics + metrics
            row = found.delivery
        groups[key] = InsightsGroup(start, stop, row, breakdown, metrics)
    ordered = sorted(groups, key=lambda k: (k[0], k[1], _BREAKDOWN_RANK[k[2]]))
    return [groups[key] for key in ordered]


def _identity(group: InsightsGroup, scenario: Scenario, account: Account) -> dict[str, str]:
    ad = group.delivery.ad
    campaign = scenario.campaign(ad.campaign_id)
    adset = scenario.adset(ad.adset_id)
    return {
        "account_id": account.account_id,
        "account_name": account.name,
        "account_currency": account.currency,
        "campaign_id": campaign.id,
        "campaign_name": campaign.name,
        "adset_id": adset.id,
        "adset_name": adset.name,
        "ad_id": ad.id,
        "ad_name": ad.name,
    }


def _metric_values(metrics: DailyMetrics, windows: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "impressions": str(metrics.impressions),
        "clicks": str(metrics.clicks),
        "spend": render.money(metrics.spend_cents),
        **render.rates(metrics),
    }
    for name, build in (
        ("actions", render.actions),
        ("action_values", render.action_values),
        ("purchase_roas", render.purchase_roas),
    ):
        entries = build(metrics, windows)
        if entries:  # Meta leaves out empty action lists
            values[name] = entries
    return values


def render_row(
    group: InsightsGroup, query: InsightsQuery, scenario: Scenario, account: Account
) -> dict[str, Any]:
    """One insights row: requested fields available at the level, dates, breakdowns.

    Numbers are strings as Meta sends them; fields of a finer level than ``query.level``
    (e.g. ``ad_id`` at campaign level) and undefined rates are left out.
    """
    available = {
        f for level in LEVELS[: LEVELS.index(query.level) + 1] for f in _LEVEL_FIELDS[level]
    }
    identity = _identity(group, scenario, account)
    metrics = _metric_values(group.metrics, query.windows)
    row: dict[str, Any] = {}
    for name in query.fields:
        if name in available:
            row[name] = identity[name]
        elif name in metrics:
            row[name] = metrics[name]
    row["date_start"] = group.date_start.isoformat()
    row["date_stop"] = group.date_stop.isoformat()
    row.update(zip(query.breakdowns, group.breakdown, strict=True))
    return row
