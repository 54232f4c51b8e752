"""How served conversion numbers relate to the final ones at pull time.

Meta restates conversions for up to 28 days after a day is first reported. The insights
endpoint passes every row through a :class:`RestatementModel` with the pull time, so the
ground truth can state both what a pull at a given time saw and the final numbers.

:class:`MaturingConversions` is the stand-in's model: purchases and purchase values of day
``D`` (account time zone) pulled on local day ``D + age`` show ``(age + 1) / (horizon + 1)``
of their final value (rounded down), and the final value from ``age >= horizon`` on. Spend,
impressions and clicks never change. Days not reached yet by the pull time show the
first-day share, so any date range can still be served.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sandbox.meta.generator import DailyMetrics

#: Meta stops restating after 28 days.
MAX_HORIZON_DAYS = 28
DEFAULT_HORIZON_DAYS = 7


class RestatementModel(Protocol):
    """Maps a day's final metrics to what the API shows when pulled at ``pulled_at``."""

    def as_pulled(
        self, final: DailyMetrics, day: date, pulled_at: datetime, timezone_name: str
    ) -> DailyMetrics:
        """The metrics served for ``day`` (in ``timezone_name``) at ``pulled_at``."""
        ...


class FinalValues:
    """Serves final numbers at any pull time (no restatement)."""

    def as_pulled(
        self, final: DailyMetrics, day: date, pulled_at: datetime, timezone_name: str
    ) -> DailyMetrics:
        """Return ``final`` unchanged."""
        return final


class MaturingConversions:
    """Conversions grow linearly over ``horizon_days`` after the day, then stay final.

    Args:
        horizon_days: Days after which a day's numbers no longer change (0-28; 0 = final
            from the first pull).
    """

    def __init__(self, horizon_days: int = DEFAULT_HORIZON_DAYS) -> None:
        if not 0 <= horizon_days <= MAX_HORIZON_DAYS:
            raise ValueError(f"restatement horizon must be 0..{MAX_HORIZON_DAYS} days")
        self.horizon_days = horizon_days

    def share(self, day: date, pulled_at: datetime, timezone_name: str) -> tuple[int, int]:
        """``(numerator, denominator)`` of the final conversions visible at ``pulled_at``."""
        local_today = pulled_at.astimezone(ZoneInfo(timezone_name)).date()
        age = max(0, (local_today - day).days)
        if age >= self.horizon_days:
            return 1, 1
        return age + 1, self.horizon_days + 1

    def as_pulled(
        self, final: DailyMetrics, day: date, pulled_at: datetime, timezone_name: str
    ) -> DailyMetrics:
        """``final`` with purchases and values scaled down to the share reported so far."""
        num, den = self.share(day, pulled_at, timezone_name)
        if num == den:
            return final
        return replace(
            final,
            purchases=final.purchases.scaled(num, den),
            purchase_value_cents=final.purchase_value_cents.scaled(num, den),
        )


def model_for(horizon_days: int) -> RestatementModel:
    """The model for a horizon: :class:`FinalValues` for 0, else :class:`MaturingConversions`."""
    return FinalValues() if horizon_days == 0 else MaturingConversions(horizon_days)
