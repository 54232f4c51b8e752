"""Reporting-currency conversion in dbt against the ECB stand-in's ground truth."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest

from expectations.gate import GateFailed, enforce, run_gate
from sandbox.fx.scenario import build_fx_scenario
from sandbox.fx.truth import convert, published_rates, rate_on
from socialmart import transform
from socialmart.settings import SANDBOX_DEFAULT_SEED, Settings, load_settings

MART = "marts.fct_placement_performance_daily"
# The mart, its parents (the FX rates among them) and their tests: what the assertions read.
MART_AND_PARENTS = "+fct_placement_performance_daily"
SEED = SANDBOX_DEFAULT_SEED
CARRY = 7
MONEY_WORDS = ("spend", "value", "revenue", "gmv", "commission", "amount")


def _rows(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _assert_mart_matches_truth(settings: Settings, reporting: str) -> int:
    rows = _rows(
        settings,
        f"select report_date, account_currency, spend, purchase_value, reporting_currency, "
        f"spend_reporting, purchase_value_reporting from {MART}",
    )
    for day, currency, spend, value, row_reporting, spend_rep, value_rep in rows:
        assert row_reporting == reporting
        assert spend_rep == convert(SEED, spend, currency, reporting, day, CARRY)
        assert value_rep == convert(SEED, value, currency, reporting, day, CARRY)
    return len(rows)


def test_reporting_amounts_equal_the_truth_in_eur(built_settings: Settings) -> None:
    assert _assert_mart_matches_truth(built_settings, "EUR") == 10
    usd = _rows(
        built_settings,
        f"select spend, spend_reporting from {MART} where account_currency = 'USD'",
    )
    rate = rate_on(SEED, "USD", date(2026, 6, 1), CARRY)
    assert usd == [(Decimal("99.99"), (Decimal("99.99") / rate).quantize(Decimal("0.01")))]
    assert _rows(
        built_settings,
        f"select count(*) from {MART} where spend <> spend_reporting and account_currency = 'EUR'",
    ) == [(0,)]


def test_every_calendar_day_has_a_rate_for_every_published_currency(
    built_settings: Settings,
) -> None:
    scenario = build_fx_scenario()
    ((first, last),) = _rows(
        built_settings, 'select min("date"), max("date") from raw.fx__ecb_rates'
    )
    # Days whose look-back stays inside the loaded publications (the unit tests cover the edges).
    days = [first + timedelta(days=n) for n in range(CARRY, (last - first).days + 1)]
    expected = {
        (day, code): rate_on(SEED, code, day, CARRY)
        for day in days
        for code in (*scenario.codes, "EUR")
        if rate_on(SEED, code, day, CARRY) is not None
    }
    got = _rows(
        built_settings,
        "select rate_date, currency, rate_per_eur from intermediate.int_fx_eur_rates_daily",
    )
    assert {(day, code): rate for day, code, rate in got if day in days} == expected
    # RUB is suspended (N/A) before the fixture days: no rate is invented for it.
    assert not any(code == "RUB" for _, code, _ in got)


def test_mixed_currencies_in_one_account_block_the_gate(
    copied_settings: Settings, copy_raw_placement_rows: Callable[..., None]
) -> None:
    copy_raw_placement_rows("'EUR' as account_currency, '403' as ad_id", "ad_id = '401'")
    # A mart test failing is the gate's to block (the mart's own single_currency_per_group).
    transform.build(copied_settings, "run-mixed", select=MART_AND_PARENTS)
    outcome = run_gate(copied_settings, "run-mixed")
    with pytest.raises(GateFailed, match="single_currency_per_group"):
        enforce(outcome)


def test_an_invalid_reporting_currency_is_refused(
    copied_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORTING_CURRENCY", "EUR'; drop table x; --")
    with pytest.raises(transform.TransformError, match="ISO 4217"):
        transform.build(load_settings(), "run-bad-currency")


def test_every_mart_with_money_declares_its_currency_test(copied_settings: Settings) -> None:
    manifest = json.loads(transform.parse_manifest(copied_settings).read_text())
    tested = {
        node["attached_node"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") == "single_currency_per_group"
    }
    marts = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    ]
    assert marts
    for node in marts:
        if any(word in column for column in node["columns"] for word in MONEY_WORDS):
            assert node["unique_id"] in tested, f"{node['name']} sums money: add the test"


def test_a_currency_switch_rebuilds_rows_beyond_the_incremental_window(
    copied_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day six weeks later moves the incremental window past the June rows; switching
    REPORTING_CURRENCY then needs a full refresh, and the build does one by itself."""
    later = date(2026, 7, 15)
    with duckdb.connect(str(copied_settings.warehouse_path)) as con:
        con.execute(
            "insert into raw.meta__ad_insights_placement "
            f"select * replace (date '{later}' as date_start, '403' as ad_id) "
            "from raw.meta__ad_insights_placement where ad_id = '401'"
        )
        con.executemany(
            "insert into raw.fx__ecb_rates values ('ecb', ?, ?, ?, 'run-fx2', "
            "'2026-07-15 16:30:00+00', 'ecb_eurofxref', md5(? || ? || ?), false)",
            [
                [row["date"], row["currency"], row["rate"]] * 2
                for row in published_rates(SEED, later - timedelta(days=3), later)
            ],
        )
    transform.build(copied_settings, "run-eur-later", select=MART_AND_PARENTS)
    assert transform.currency_switch(copied_settings) is None

    monkeypatch.setenv("REPORTING_CURRENCY", "GBP")
    settings = load_settings()
    assert "holds amounts in EUR" in transform.currency_switch(settings)
    # The whole project: the switch must convert every mart, or the next build switches again.
    transform.build(settings, "run-gbp-switch")
    assert _assert_mart_matches_truth(settings, "GBP") == 11
    transform.build(settings, "run-gbp-daily", select="fct_placement_performance_daily")
    builds = _rows(
        settings, "select run_id, full_refresh from audit.dbt_builds order by started_at"
    )
    assert builds[-3:] == [
        ("run-eur-later", False),
        ("run-gbp-switch", True),
        ("run-gbp-daily", False),
    ]


# After the switch test, which also builds in GBP: dbt re-parses nothing in between.
def test_other_reporting_currency_and_weekend_days(
    copied_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    sunday = "2026-05-31"
    with duckdb.connect(str(copied_settings.warehouse_path)) as con:
        con.execute(
            "insert into raw.meta__ad_insights_placement "
            f"select * replace (date '{sunday}' as date_start, '402' as ad_id, "
            "'1234.56' as spend) from raw.meta__ad_insights_placement where ad_id = '401'"
        )
    monkeypatch.setenv("REPORTING_CURRENCY", "gbp")
    settings = load_settings()
    transform.build(settings, "run-gbp", select=MART_AND_PARENTS)
    assert _assert_mart_matches_truth(settings, "GBP") == 11
    # Sunday converts with Friday's rates.
    (published,) = _rows(
        settings,
        "select published_date from intermediate.int_fx_eur_rates_daily "
        f"where currency = 'USD' and rate_date = date '{sunday}'",
    )[0]
    assert published == date(2026, 5, 29)
