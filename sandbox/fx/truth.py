"""Ground truth of the ECB stand-in, from the generator (never from the server).

``published_rates`` is what the file says; ``rate_on`` and ``convert`` state the reporting
rules the warehouse must follow: a day without a publication uses the latest earlier
published rate of the currency, for at most ``carry_forward_days`` days; conversion goes via
EUR (``amount * to_per_eur / from_per_eur``), computed exactly and rounded once to cents,
half away from zero.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sandbox.fx.generator import rate
from sandbox.fx.scenario import FxScenario, build_fx_scenario, business_days

EURO = "EUR"
CENT = Decimal("0.01")


def published_rates(
    seed: int, start: date, end: date, scenario: FxScenario | None = None
) -> list[dict[str, str]]:
    """Every number in the file for ``start..end``: ``{"date", "currency", "rate"}`` strings.

    ``N/A`` cells are absent (no rate was published).
    """
    scenario = scenario or build_fx_scenario()
    first, last = max(start, scenario.first_day), min(end, scenario.last_day)
    rows = []
    for day in business_days(first, last) if first <= last else []:
        for currency in scenario.currencies:
            value = rate(seed, currency, day)
            if value is not None:
                rows.append(
                    {"date": day.isoformat(), "currency": currency.code, "rate": str(value)}
                )
    return rows


def rate_on(
    seed: int,
    currency: str,
    day: date,
    carry_forward_days: int,
    scenario: FxScenario | None = None,
) -> Decimal | None:
    """Units of ``currency`` per EUR that apply to calendar day ``day`` (None: no rate)."""
    if currency == EURO:
        return Decimal(1)
    scenario = scenario or build_fx_scenario()
    quoted = scenario.currency(currency)
    for back in range(carry_forward_days + 1):
        published_on = day - timedelta(days=back)
        if scenario.first_day <= published_on <= scenario.last_day:
            value = rate(seed, quoted, published_on)
            if value is not None:
                return value
    return None


def convert(
    seed: int,
    amount: Decimal,
    from_currency: str,
    to_currency: str,
    day: date,
    carry_forward_days: int,
    scenario: FxScenario | None = None,
) -> Decimal | None:
    """``amount`` in ``from_currency`` on ``day`` expressed in ``to_currency``, to the cent."""
    from_rate = rate_on(seed, from_currency, day, carry_forward_days, scenario)
    to_rate = rate_on(seed, to_currency, day, carry_forward_days, scenario)
    if from_rate is None or to_rate is None:
        return None
    return (amount * to_rate / from_rate).quantize(CENT, rounding=ROUND_HALF_UP)
