"""Meta's click-through change inside a pulled window: a new definition of new days, never a
restatement, and the marts exact against the stand-in's truth on both sides of it.

The stand-in changes the definition on CHANGE (SANDBOX_META_ENGAGE_THROUGH_FROM): from that
report day on, click-through counts link clicks only and 1-day non-link-click purchases are
engage-through (``1d_ev``). The window is pulled twice, once before the change day and once
after it, with final conversions at every pull (SANDBOX_META_RESTATEMENT_DAYS=0), so any
restated row could only come from the change being mistaken for a restatement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from creator_window import query
from dbt_cli import build_selected
from stand_in_home import load_pulls, stand_in_home

from devtools.reconcile import reconcile_placements
from sandbox.meta.scenario import build_scenario
from sandbox.meta.truth import ad_truth
from socialmart import pipeline
from socialmart.settings import Settings

pytestmark = pytest.mark.e2e

SEED = 5
CHANGE = date(2026, 10, 5)
WINDOW = pipeline.Window(date(2026, 10, 1), date(2026, 10, 8))
# Evening of Oct 4 UTC is still Oct 4 in every account's zone: before the change day.
FIRST_PULL = "2026-10-04T20:00:00+00:00"
SECOND_PULL = "2026-10-12T12:00:00+00:00"
CHANGED = build_scenario(engage_through_from=CHANGE)
OLD_DEFINITION = build_scenario(engage_through_from=date(2099, 1, 1))
BUILT = (
    "+fct_conversion_restatements +fct_ad_performance_daily +fct_placement_performance_daily"
    " +dim_ads +dim_campaigns +dim_ad_accounts"
)
WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view", "1d_ev")


@pytest.fixture(scope="module")
def changed_env() -> Iterator[pytest.MonkeyPatch]:
    """The module's environment: the stand-in's change day and final conversions."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANDBOX_META_ENGAGE_THROUGH_FROM", CHANGE.isoformat())
        patch.setenv("SANDBOX_META_RESTATEMENT_DAYS", "0")
        yield patch


@pytest.fixture(scope="module")
def warehouse(
    changed_env: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Two Meta pulls of WINDOW (before and after CHANGE), built by dbt."""
    home = tmp_path_factory.mktemp("engage-through-home")
    with pytest.MonkeyPatch.context() as patch:
        with stand_in_home(patch, home, SEED) as settings:
            pulls = (("pull-1", FIRST_PULL), ("pull-2", SECOND_PULL))
            load_pulls(settings, patch, WINDOW, pulls, sources=("meta", "fx"))
        build_selected(settings, BUILT, home / "dbt-target")
    return settings


def _truth(scenario) -> dict[tuple, dict]:
    return {
        (r["account_id"], r["ad_id"], date.fromisoformat(r["date"])): r
        for r in ad_truth(SEED, WINDOW.start, WINDOW.end, scenario=scenario)
    }


def test_both_pulls_were_loaded(warehouse: Settings) -> None:
    pulls = query(
        warehouse,
        "select count(distinct _sync_id), min(date_start), max(date_start)"
        " from raw.meta__ad_insights",
    )
    # The second pull found nothing new to store: every day kept its numbers.
    assert pulls == [(1, WINDOW.start, WINDOW.end)]
    loads = query(
        warehouse,
        "select count(distinct run_id) from raw._loads where source = 'meta'"
        " and stream = 'ad_insights'",
    )
    assert loads == [(2,)]


def test_the_change_inside_the_window_restates_nothing(warehouse: Settings) -> None:
    rows = query(
        warehouse,
        "select attribution_window, count(*), count(*) filter (where is_restated),"
        " max(version_count), count(distinct report_date)"
        " from marts.fct_conversion_restatements where platform = 'meta'"
        " group by 1 order by 1",
    )
    assert {r[0] for r in rows} == {"default", *WINDOWS}
    for window, compared, restated, versions, days in rows:
        assert compared > 50 and days == 8, window
        assert restated == 0 and versions == 1, window


def test_restatement_rows_carry_each_days_own_definition(warehouse: Settings) -> None:
    truth = _truth(CHANGED)
    mart = query(
        warehouse,
        "select ad_account_id, ad_id, report_date, attribution_window, first_purchases,"
        " latest_purchases, first_purchase_value, latest_purchase_value"
        " from marts.fct_conversion_restatements where platform = 'meta'",
    )
    assert len(mart) == len(truth) * (len(WINDOWS) + 1)
    for account, ad, day, window, first, latest, first_value, latest_value in mart:
        row = truth[(account, ad, day)]
        suffix = "" if window == "default" else f"_{window}"
        assert first == latest == row[f"purchases{suffix}"]
        assert first_value == latest_value == row[f"purchase_value{suffix}"]


def test_ad_mart_shows_the_drop_at_the_change_day(warehouse: Settings) -> None:
    truth, old = _truth(CHANGED), _truth(OLD_DEFINITION)
    columns = [f"{m}_{w}" for w in WINDOWS for m in ("purchases", "purchase_value")]
    mart = query(
        warehouse,
        f"select ad_account_id, ad_id, report_date, purchases, purchase_value,"
        f" {', '.join(columns)} from marts.fct_ad_performance_daily where platform = 'meta'",
    )
    assert {(r[0], r[1], r[2]) for r in mart} == set(truth)
    for account, ad, day, *numbers in mart:
        row = truth[(account, ad, day)]
        assert numbers == [row[c] for c in ("purchases", "purchase_value", *columns)]
    # Per day, against the same delivery under the old definition: equal before the change
    # day, fewer click-through and more engage-through purchases from it on.
    daily: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for key, row in truth.items():
        before = old[key]
        daily[key[2]][0] += row["purchases_7d_click"]
        daily[key[2]][1] += row["purchases_1d_ev"]
        daily[key[2]][2] += before["purchases_7d_click"]
        daily[key[2]][3] += before["purchases_1d_ev"]
    for day, (click, engaged, old_click, old_engaged) in sorted(daily.items()):
        if day < CHANGE:
            assert (click, engaged) == (old_click, old_engaged), day
        else:
            assert click < old_click and engaged > old_engaged, day


def test_placements_reconcile_exactly_across_the_change_day(
    warehouse: Settings, tmp_path: Path
) -> None:
    # reconcile_placements reads a published-style file (marts in the main schema).
    published = tmp_path / "marts.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute(f"attach '{warehouse.warehouse_path}' as wh (read_only)")
        con.execute(
            "create table fct_placement_performance_daily as"
            " select * from wh.marts.fct_placement_performance_daily"
        )
    # The truth's default scenario reads SANDBOX_META_ENGAGE_THROUGH_FROM, like the server.
    verdict = reconcile_placements(published, SEED, WINDOW.start, WINDOW.end, ("meta",))
    assert verdict.ok, verdict.mismatches[:5]
    assert verdict.compared_rows > 100
