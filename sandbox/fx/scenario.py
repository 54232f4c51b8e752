"""The currencies the ECB stand-in publishes and the days it publishes on.

The ECB publishes reference rates on TARGET business days only: no rates on weekends, New
Year's Day, Good Friday, Easter Monday, 1 May, 25 and 26 December. Rates are units of the
currency per 1 EUR, each currency with its own number of decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Currency:
    """One quoted currency.

    Attributes:
        code: ISO 4217 code (a column of the CSV).
        base: Central rate in units per EUR, in minor rate units (``decimals`` places).
        decimals: Decimal places the ECB quotes the currency with.
        suspended_from: First day published as ``N/A`` for good (like RUB since March 2022).
        gap_every: Every n-th business day (by ordinal) is ``N/A``; 0 = never.
    """

    code: str
    base: int
    decimals: int
    suspended_from: date | None = None
    gap_every: int = 0


@dataclass(frozen=True)
class FxScenario:
    """The file's currencies (in column order) and the business days it covers."""

    currencies: tuple[Currency, ...]
    first_day: date
    last_day: date

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(currency.code for currency in self.currencies)

    def currency(self, code: str) -> Currency:
        """The currency called ``code``.

        Raises:
            KeyError: The stand-in does not quote it.
        """
        for currency in self.currencies:
            if currency.code == code:
                return currency
        raise KeyError(f"the ECB stand-in does not quote {code}")


def build_fx_scenario() -> FxScenario:
    """The default scenario: the Meta stand-in's currencies (EUR, USD, GBP) and more."""
    return FxScenario(
        currencies=(
            Currency("USD", 10850, 4),
            Currency("JPY", 16250, 2),
            Currency("CZK", 25120, 3),
            Currency("GBP", 85500, 5),
            Currency("PLN", 43100, 4),
            Currency("SEK", 112500, 4),
            Currency("CHF", 9600, 4),
            Currency("ISK", 14930, 2, gap_every=17),
            Currency("RUB", 985000, 4, suspended_from=date(2025, 3, 3)),
            Currency("AUD", 16400, 4),
            Currency("CAD", 14700, 4),
            Currency("KRW", 145210, 2),
        ),
        first_day=date(2023, 1, 2),
        last_day=date(2027, 12, 31),
    )


def easter_sunday(year: int) -> date:
    """Easter Sunday of ``year`` (Gregorian computus)."""
    golden = year % 19
    century, year_of_century = divmod(year, 100)
    leap_c, leap_rem = divmod(century, 4)
    correction = (century + 8) // 25
    moon = (century - correction + 1) // 3
    epact = (19 * golden + century - leap_c - moon + 15) % 30
    y4, y4_rem = divmod(year_of_century, 4)
    weekday = (32 + 2 * leap_rem + 2 * y4 - epact - y4_rem) % 7
    shift = (golden + 11 * epact + 22 * weekday) // 451
    month, day = divmod(epact + weekday - 7 * shift + 114, 31)
    return date(year, month, day + 1)


def target_holidays(year: int) -> frozenset[date]:
    """TARGET2 closing days of ``year`` that fall on weekdays or not."""
    easter = easter_sunday(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter - timedelta(days=2),
            easter + timedelta(days=1),
            date(year, 5, 1),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


def is_business_day(day: date) -> bool:
    """Whether the ECB publishes reference rates on ``day``."""
    return day.weekday() < 5 and day not in target_holidays(day.year)


def business_days(start: date, end: date) -> list[date]:
    """The publication days in ``start..end`` (inclusive), oldest first."""
    days = (start + timedelta(days=offset) for offset in range((end - start).days + 1))
    return [day for day in days if is_business_day(day)]
