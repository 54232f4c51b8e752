"""Daily reference rates as a pure function of (seed, currency, day), integers only.

A rate is the currency's central rate, plus a slow triangular drift (about 4 % either way
over a year), plus a daily wobble (up to 1 %) from a hash, so every run and machine gets the
same digits without floating point.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from sandbox.fx.scenario import Currency, is_business_day

_DRIFT_PERIOD_DAYS = 360
_DRIFT_PER_MILLE = 40
_WOBBLE_PER_MILLE = 10


def _unit_hash(seed: int, currency: str, day: date) -> int:
    """A number in [0, 10000) fixed by the arguments."""
    digest = hashlib.sha256(f"{seed}:{currency}:{day.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10_000


def is_published(currency: Currency, day: date) -> bool:
    """Whether the file has a number (not ``N/A``) for ``currency`` on business day ``day``."""
    if currency.suspended_from is not None and day >= currency.suspended_from:
        return False
    return not (currency.gap_every and day.toordinal() % currency.gap_every == 0)


def rate(seed: int, currency: Currency, day: date) -> Decimal | None:
    """The reference rate (units per EUR) published for ``day``; None for ``N/A`` or no file row.

    Args:
        seed: Data seed of the sandbox.
        currency: The quoted currency.
        day: Any calendar day.

    Returns:
        The rate with the currency's decimals, or None when nothing is published.
    """
    if not is_business_day(day) or not is_published(currency, day):
        return None
    phase = day.toordinal() % _DRIFT_PERIOD_DAYS
    triangle = abs(2 * phase - _DRIFT_PERIOD_DAYS) - _DRIFT_PERIOD_DAYS // 2  # -180..180
    drift = currency.base * _DRIFT_PER_MILLE * triangle // (1000 * (_DRIFT_PERIOD_DAYS // 2))
    wobble_unit = _unit_hash(seed, currency.code, day) - 5_000  # -5000..4999
    wobble = currency.base * _WOBBLE_PER_MILLE * wobble_unit // (1000 * 5_000)
    return Decimal(currency.base + drift + wobble).scaleb(-currency.decimals)
