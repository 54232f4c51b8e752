"""How served conversion numbers relate to the final ones at pull time.

Meta restates conversions for up to 28 days after a day is first reported. The insights
endpoint passes every row through a :class:`RestatementModel` with the pull time, so a
model that matures conversions over the following days can replace :class:`FinalValues`
without touching the generator, the endpoint or the ground truth of final numbers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from sandbox.meta.generator import DailyMetrics


class RestatementModel(Protocol):
    """Maps a day's final metrics to what the API shows when pulled at ``pulled_at``."""

    def as_pulled(self, final: DailyMetrics, day: date, pulled_at: datetime) -> DailyMetrics:
        """The metrics served for ``day`` at ``pulled_at``."""
        ...


class FinalValues:
    """Serves final numbers at any pull time (no restatement)."""

    def as_pulled(self, final: DailyMetrics, day: date, pulled_at: datetime) -> DailyMetrics:
        """Return ``final`` unchanged."""
        return final
