"""The scenario and the generator: structure, determinism, purity, invariants."""

from __future__ import annotations

from datetime import date

import pytest
from sandbox_support import EU, SEED, US

from sandbox.meta.generator import account_delivery, daily_metrics
from sandbox.meta.render import money, ratio
from sandbox.meta.scenario import THREADS_FEED, build_scenario

SCENARIO = build_scenario()
START, END = date(2026, 9, 1), date(2026, 10, 31)


def test_scenario_has_three_currencies_and_a_realistic_number_of_ads() -> None:
    currencies = {a.currency: a.timezone_name for a in SCENARIO.accounts}
    assert currencies == {"EUR": "Europe/Berlin", "USD": "America/New_York", "GBP": "Europe/London"}
    assert 30 <= len(SCENARIO.ads) <= 50
    ids = [e.id for e in (*SCENARIO.campaigns, *SCENARIO.adsets, *SCENARIO.ads)]
    assert len(set(ids)) == len(ids)
    assert all(i.isdigit() and len(i) == 18 for i in ids)


def test_campaign_kinds_carry_meta_fields() -> None:
    kinds = {c.kind for c in SCENARIO.campaigns}
    assert kinds == {"advantage_plus", "manual", "legacy_asc"}
    for campaign in SCENARIO.campaigns:
        if campaign.kind == "advantage_plus":
            assert campaign.smart_promotion_type == "GUIDED_CREATION"
            assert campaign.advantage_state_info["advantage_state"] == "ADVANTAGE_PLUS_SALES"
            assert campaign.advantage_state_info["advantage_placement_state"] == "ENABLED"
        elif campaign.kind == "legacy_asc":
            assert campaign.smart_promotion_type == "AUTOMATED_SHOPPING_ADS"
            assert campaign.advantage_state_info is None
        else:
            assert campaign.smart_promotion_type is None


def test_threads_reaches_advantage_plus_ads_from_the_rollout_and_opted_in_ad_sets() -> None:
    rows = [
        row
        for account in SCENARIO.accounts
        for row in account_delivery(SCENARIO, SEED, account.account_id, START, END)
    ]
    threads = [r for r in rows if r.placement == THREADS_FEED]
    assert threads, "Advantage+ ads must receive Threads spend after the rollout"
    assert min(r.day for r in threads) == SCENARIO.threads_rollout == date(2026, 10, 1)
    # Threads reaches Advantage+ ads automatically, and manual ad sets only by explicit opt-in.
    automatic = [r for r in threads if not SCENARIO.adset(r.ad.adset_id).placements]
    assert {SCENARIO.campaign(r.ad.campaign_id).kind for r in automatic} == {"advantage_plus"}
    opted_in = {r.ad.adset_id for r in threads} - {r.ad.adset_id for r in automatic}
    assert all(THREADS_FEED in SCENARIO.adset(a).placements for a in opted_in)
    for row in rows:
        adset = SCENARIO.adset(row.ad.adset_id)
        if adset.placements:  # manual ad sets deliver only where they target
            assert row.placement in adset.placements


def test_same_seed_same_numbers_other_seed_other_numbers() -> None:
    ad = SCENARIO.ads_of(EU)[0]
    day = date(2026, 10, 3)
    placement = ad.placements_on(day)[0]
    assert daily_metrics(SEED, day, ad, placement) == daily_metrics(SEED, day, ad, placement)
    first = account_delivery(SCENARIO, 1, US, START, END)
    second = account_delivery(SCENARIO, 2, US, START, END)
    assert [r.metrics for r in first] != [r.metrics for r in second]


def test_any_range_equals_the_union_of_its_parts() -> None:
    whole = account_delivery(SCENARIO, SEED, EU, date(2026, 9, 20), date(2026, 10, 10))
    left = account_delivery(SCENARIO, SEED, EU, date(2026, 9, 20), date(2026, 9, 30))
    right = account_delivery(SCENARIO, SEED, EU, date(2026, 10, 1), date(2026, 10, 10))
    assert whole == left + right


def test_metric_invariants() -> None:
    rows = account_delivery(SCENARIO, SEED, EU, START, END)
    assert rows
    for row in rows:
        m = row.metrics
        assert m.impressions > 0 or m.spend_cents > 0
        assert 0 <= m.link_clicks <= m.clicks
        for counts in (m.purchases, m.purchase_value_cents):
            assert 0 <= counts.d1_click <= counts.d7_click <= counts.d28_click
            assert counts.default == counts.d7_click + counts.d1_view
        assert (m.purchases.d1_view == 0) == (m.purchase_value_cents.d1_view == 0)
    # ads start on their own dates: nothing before the campaign starts
    assert all(row.day >= SCENARIO.campaign(row.ad.campaign_id).start for row in rows)


@pytest.mark.parametrize(
    ("cents", "text"),
    [(4187, "41.87"), (533950, "5339.5"), (1200, "12"), (5, "0.05"), (0, "0"), (-250, "-2.5")],
)
def test_money_is_rendered_like_meta(cents: int, text: str) -> None:
    assert money(cents) == text


def test_ratio_has_at_most_six_decimals() -> None:
    assert ratio(14997, 4187) == "3.581801"
    assert ratio(3, 1) == "3"
