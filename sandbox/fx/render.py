"""The ECB historical CSV (``eurofxref-hist.csv``) exactly as the ECB lays it out.

Header ``Date,USD,JPY,...,`` and one row per business day, newest first, each line ending
with a comma (an empty last column); ``N/A`` where a currency has no rate that day.
"""

from __future__ import annotations

from sandbox.fx.generator import rate
from sandbox.fx.scenario import FxScenario, business_days

NOT_AVAILABLE = "N/A"


def render_history_csv(seed: int, scenario: FxScenario) -> str:
    """The whole history file for ``scenario``'s days, newest first."""
    lines = ["Date," + ",".join(scenario.codes) + ","]
    for day in reversed(business_days(scenario.first_day, scenario.last_day)):
        cells = []
        for currency in scenario.currencies:
            value = rate(seed, currency, day)
            cells.append(NOT_AVAILABLE if value is None else str(value))
        lines.append(f"{day.isoformat()}," + ",".join(cells) + ",")
    return "\n".join(lines) + "\n"
