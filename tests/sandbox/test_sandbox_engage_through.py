"""The click-through definition change: from a configurable day on, Meta's click-through
windows count link clicks only and other clicks (likes, comments, shares, saves) count as
1-day engage-through, reported under the ``1d_ev`` key.

Sources: Meta's Insights reference lists ``1d_ev`` among ``action_attribution_windows``;
the blog post https://developers.facebook.com/blog/post/2025/10/16/ads-insights-api-metric-availability-updates/
keeps 1d_click, 7d_click, 28d_click, 1d_ev and 1d_view after 2026-01-12; the change itself and
its date (2026-04-06) are third-party (https://www.nextfin.ai/en/news/meta-ad-attribution-social-engagement-metrics-cef5ec6106),
so the stand-in takes the day from ``SANDBOX_META_ENGAGE_THROUGH_FROM``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime

import pytest
import requests
from sandbox_support import EU, SEED, insights_params, walk

from sandbox.meta.restatement import MaturingConversions
from sandbox.meta.scenario import ENGAGE_THROUGH_FROM_DEFAULT, build_scenario
from sandbox.meta.truth import ad_truth, placement_truth
from sandbox.server import serve_in_thread

CHANGE = date(2026, 10, 5)
START, END = date(2026, 10, 1), date(2026, 10, 8)
OLD_EVERYWHERE = build_scenario(engage_through_from=date(2099, 1, 1))
NEW_EVERYWHERE = build_scenario(engage_through_from=date(2000, 1, 1))
CHANGED = build_scenario(engage_through_from=CHANGE)
KEY = ("date", "ad_id", "publisher_platform", "platform_position")


def _by_key(rows: list[dict]) -> dict[tuple, dict]:
    return {tuple(r[k] for k in KEY): r for r in rows}


def _daily(rows: list[dict], measure: str) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for row in rows:
        out[row["date"]] += row[measure]
    return dict(out)


def test_default_change_day_is_the_documented_one() -> None:
    assert ENGAGE_THROUGH_FROM_DEFAULT == date(2026, 4, 6)
    assert build_scenario().engage_through_from == ENGAGE_THROUGH_FROM_DEFAULT


def test_each_day_follows_the_definition_of_its_report_day() -> None:
    changed = _by_key(placement_truth(SEED, START, END, scenario=CHANGED))
    old = _by_key(placement_truth(SEED, START, END, scenario=OLD_EVERYWHERE))
    new = _by_key(placement_truth(SEED, START, END, scenario=NEW_EVERYWHERE))
    assert changed.keys() == old.keys() == new.keys()
    for key, row in changed.items():
        assert row == (old if date.fromisoformat(key[0]) < CHANGE else new)[key]


def test_the_change_moves_non_link_click_purchases_out_of_click_through() -> None:
    old = placement_truth(SEED, START, END, scenario=OLD_EVERYWHERE)
    new = _by_key(placement_truth(SEED, START, END, scenario=NEW_EVERYWHERE))
    moved = 0
    for before in old:
        after = new[tuple(before[k] for k in KEY)]
        for measure in ("purchases", "purchase_value"):
            # Spend, delivery and view-through do not change; click-through only loses.
            assert before[f"{measure}_1d_view"] == after[f"{measure}_1d_view"]
            lost_1d = before[f"{measure}_1d_click"] - after[f"{measure}_1d_click"]
            lost_7d = before[f"{measure}_7d_click"] - after[f"{measure}_7d_click"]
            assert 0 <= lost_1d <= lost_7d
            assert lost_7d <= before[f"{measure}_28d_click"] - after[f"{measure}_28d_click"]
            # Non-link clicks of the first day move to engage-through; later ones drop out.
            assert after[f"{measure}_1d_ev"] - before[f"{measure}_1d_ev"] == lost_1d
            # The headline (ad set setting: 7-day click + 1-day view) loses them too.
            assert before[measure] - after[measure] == lost_7d
        assert before["spend"] == after["spend"] and before["clicks"] == after["clicks"]
        moved += before["purchases_7d_click"] - after["purchases_7d_click"]
    assert moved > 20, "too few non-link-click purchases to show the change"


def test_click_through_purchases_drop_at_the_change_day() -> None:
    rows = ad_truth(SEED, START, END, scenario=CHANGED)
    click = _daily(rows, "purchases_7d_click")
    engaged = _daily(rows, "purchases_1d_ev")
    before = [d for d in click if date.fromisoformat(d) < CHANGE]
    after = [d for d in click if date.fromisoformat(d) >= CHANGE]
    # Compared with the same days under the old definition (same delivery, same buyers).
    old = ad_truth(SEED, START, END, scenario=OLD_EVERYWHERE)
    old_click, old_engaged = _daily(old, "purchases_7d_click"), _daily(old, "purchases_1d_ev")
    assert all(click[d] == old_click[d] and engaged[d] == old_engaged[d] for d in before)
    assert all(click[d] < old_click[d] and engaged[d] > old_engaged[d] for d in after)


def test_restatements_scale_engage_through_like_every_window() -> None:
    model = MaturingConversions(horizon_days=4)
    moment = datetime.fromisoformat("2026-10-06T12:00:00+00:00")
    final = placement_truth(SEED, CHANGE, CHANGE, scenario=CHANGED)
    early = placement_truth(
        SEED, CHANGE, CHANGE, scenario=CHANGED, as_of=moment, restatement_days=4
    )
    num, den = model.share(CHANGE, moment, "Europe/Berlin")
    assert (num, den) == (2, 5)
    eu_final = [r for r in final if r["account_id"] == EU]
    eu_early = [r for r in early if r["account_id"] == EU]
    assert sum(r["purchases_1d_ev"] for r in eu_final) > 0
    assert [r["purchases_1d_ev"] * num // den for r in eu_final] == [
        r["purchases_1d_ev"] for r in eu_early
    ]


@pytest.fixture(scope="module")
def changed_graph(monkeypatch_module: pytest.MonkeyPatch) -> Iterator[str]:
    """The stand-in serving with the change on CHANGE and final numbers at every pull."""
    monkeypatch_module.setenv("SANDBOX_META_ENGAGE_THROUGH_FROM", CHANGE.isoformat())
    monkeypatch_module.setenv("SANDBOX_META_RESTATEMENT_DAYS", "0")
    with serve_in_thread(seed=SEED) as running:
        yield f"{running.meta_base_url}/v27.0"


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _omni(entries: list[dict], window: str) -> str:
    return next((e[window] for e in entries if e["action_type"] == "omni_purchase"), "0")


def test_the_server_serves_1d_ev_from_the_configured_day(changed_graph: str) -> None:
    params = insights_params(START.isoformat(), END.isoformat(), limit="500")
    rows, _ = walk(f"{changed_graph}/act_{EU}/insights", params)
    served = {
        (r["date_start"], r["ad_id"], r["publisher_platform"], r["platform_position"]): (
            int(_omni(r.get("actions", []), "1d_ev")),
            int(_omni(r.get("actions", []), "7d_click")),
        )
        for r in rows
    }
    truth = {
        key: (row["purchases_1d_ev"], row["purchases_7d_click"])
        for key, row in _by_key(placement_truth(SEED, START, END)).items()
        if row["account_id"] == EU
    }
    # The truth's default scenario reads the same setting as the server.
    assert served == truth
    assert truth != {
        key: (row["purchases_1d_ev"], row["purchases_7d_click"])
        for key, row in _by_key(
            placement_truth(SEED, START, END, scenario=build_scenario())
        ).items()
        if row["account_id"] == EU
    }


def test_a_malformed_change_day_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from socialmart.settings import load_settings

    monkeypatch.setenv("SANDBOX_META_ENGAGE_THROUGH_FROM", "April 6")
    with pytest.raises(ValueError, match="SANDBOX_META_ENGAGE_THROUGH_FROM"):
        load_settings()


def test_link_click_actions_carry_a_zero_engage_through_key(changed_graph: str) -> None:
    params = insights_params("2026-10-06", "2026-10-06", limit="500")
    rows = requests.get(f"{changed_graph}/act_{EU}/insights", params=params, timeout=10).json()
    links = [
        e for r in rows["data"] for e in r.get("actions", []) if e["action_type"] == "link_click"
    ]
    assert links and all(e["1d_ev"] == "0" and e["1d_view"] == "0" for e in links)
