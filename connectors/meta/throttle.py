"""Reading Meta's usage headers and deciding how long to pause *before* being throttled.

Meta reports utilisation (percent of quota, throttled at 100) in four JSON headers and, when an
account is blocked, ``estimated_time_to_regain_access`` in **minutes**. More calls during a block
extend it, so the client slows down as usage climbs and stops once it is near the limit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

USAGE_HEADERS = (
    "x-business-use-case-usage",
    "x-ad-account-usage",
    "x-fb-ads-insights-throttle",
    "x-app-usage",
)
_PERCENT_KEYS = ("call_count", "total_cputime", "total_time", "acc_id_util_pct", "app_id_util_pct")


@dataclass(frozen=True)
class ThrottlePolicy:
    """When and how long the Meta client pauses between calls.

    Attributes:
        slow_down_at_pct: Utilisation from which calls are spaced out.
        pause_at_pct: Utilisation at which the client stops until the quota recovers.
        max_slow_down_seconds: Pause just below ``pause_at_pct``; grows linearly from 0 at
            ``slow_down_at_pct``.
        pause_seconds: Pause at ``pause_at_pct`` when Meta gives no recovery estimate.
    """

    slow_down_at_pct: float = 75.0
    pause_at_pct: float = 95.0
    max_slow_down_seconds: float = 30.0
    pause_seconds: float = 60.0


@dataclass(frozen=True)
class Usage:
    """The most constrained figures found in a response's usage headers."""

    peak_pct: float = 0.0
    regain_seconds: float = 0.0
    reset_seconds: float = 0.0


def read_usage(headers: Mapping[str, str]) -> Usage:
    """Parse every usage header present; malformed headers are ignored (logged at DEBUG).

    Args:
        headers: Response headers (a case-insensitive mapping such as ``requests``' headers).

    Returns:
        Peak utilisation in percent, and the longest recovery estimates in seconds.
    """
    peak, regain, reset = 0.0, 0.0, 0.0
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            parsed = json.loads(raw)
        except ValueError:
            log.debug("ignoring malformed %s header", name)
            continue
        for entry in _objects(parsed):
            peak = max([peak, *(_number(entry.get(key)) for key in _PERCENT_KEYS)])
            regain = max(regain, _number(entry.get("estimated_time_to_regain_access")) * 60)
            reset = max(reset, _number(entry.get("reset_time_duration")))
    return Usage(peak_pct=peak, regain_seconds=regain, reset_seconds=reset)


def pause_seconds(usage: Usage, policy: ThrottlePolicy) -> float:
    """How long to wait before the next call, given the latest usage figures."""
    if usage.regain_seconds > 0:
        return usage.regain_seconds
    if usage.peak_pct >= policy.pause_at_pct:
        return max(usage.reset_seconds, policy.pause_seconds)
    if usage.peak_pct >= policy.slow_down_at_pct:
        span = max(policy.pause_at_pct - policy.slow_down_at_pct, 1e-9)
        share = (usage.peak_pct - policy.slow_down_at_pct) / span
        return policy.max_slow_down_seconds * share
    return 0.0


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object nested in ``value`` (BUC usage is keyed by opaque ids, then lists)."""
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _objects(child)
    elif isinstance(value, list):
        for child in value:
            yield from _objects(child)


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return 0.0
    return 0.0
