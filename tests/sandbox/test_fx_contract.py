"""The ECB stand-in serves the historical CSV exactly in the ECB's layout."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import requests
from sandbox_support import SEED

from sandbox.fx.api import HISTORY_PATH
from sandbox.fx.render import render_history_csv
from sandbox.fx.scenario import build_fx_scenario, easter_sunday, is_business_day
from sandbox.fx.truth import convert, published_rates, rate_on
from sandbox.server import RunningSandbox

HOST = "www.ecb.europa.eu"


def _lines() -> list[str]:
    return render_history_csv(SEED, build_fx_scenario()).splitlines()


def test_layout_matches_the_ecb_file() -> None:
    lines = _lines()
    header = lines[0].split(",")
    assert header[0] == "Date" and header[-1] == ""  # trailing empty column
    assert header[1:4] == ["USD", "JPY", "CZK"]
    widths = {line.count(",") for line in lines}
    assert widths == {len(header) - 1}
    days = [date.fromisoformat(line.split(",", 1)[0]) for line in lines[1:]]
    assert days == sorted(days, reverse=True)  # newest first
    assert all(line.endswith(",") for line in lines)
    assert "N/A" in lines[1]  # RUB is suspended
    assert lines[1].split(",")[1] == "1.0388"  # USD: four decimals, units per EUR


def test_business_days_only() -> None:
    days = {line.split(",", 1)[0] for line in _lines()[1:]}
    assert "2026-05-30" not in days and "2026-05-31" not in days  # weekend
    for holiday in ("2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-12-25"):
        assert holiday not in days
    assert "2026-12-31" in days and "2026-06-01" in days
    assert easter_sunday(2027) == date(2027, 3, 28)
    assert not is_business_day(date(2027, 3, 26)) and is_business_day(date(2027, 3, 24))


def test_served_file_equals_the_truth(sandbox: RunningSandbox) -> None:
    response = requests.get(f"{sandbox.base_url}/{HOST}{HISTORY_PATH}", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    reader = csv.reader(io.StringIO(response.text))
    header = next(reader)
    served = [
        {"date": row[0], "currency": code, "rate": value}
        for row in reader
        for code, value in zip(header[1:-1], row[1:-1], strict=True)
        if value != "N/A"
    ]
    scenario = build_fx_scenario()
    truth = published_rates(SEED, scenario.first_day, scenario.last_day)
    key = lambda row: (row["date"], row["currency"])  # noqa: E731
    assert sorted(served, key=key) == sorted(truth, key=key)


def test_other_paths_are_html_404(sandbox: RunningSandbox) -> None:
    response = requests.get(f"{sandbox.base_url}/{HOST}/stats/nope.csv", timeout=10)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")


def test_truth_carries_rates_forward_and_converts_exactly() -> None:
    friday, sunday = date(2026, 5, 29), date(2026, 5, 31)
    assert rate_on(SEED, "USD", sunday, 7) == rate_on(SEED, "USD", friday, 7)
    assert rate_on(SEED, "USD", sunday, 1) is None  # Friday is two days back
    assert rate_on(SEED, "EUR", sunday, 0) == 1
    usd, gbp = rate_on(SEED, "USD", friday, 0), rate_on(SEED, "GBP", friday, 0)
    expected = (Decimal("100.00") * gbp / usd).quantize(Decimal("0.01"))
    assert convert(SEED, Decimal("100.00"), "USD", "GBP", friday, 0) == expected
    assert convert(SEED, Decimal("0.005"), "EUR", "EUR", friday, 0) == Decimal("0.01")
