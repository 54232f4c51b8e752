"""The default scenario holds one placement share jump: from Monday 2026-10-26 Advantage+
automation in the first account moves budget to Instagram Reels, so the demo's last week
shows the drift warning, alert and badge (rpt_placement_share_changes, threshold 0.10)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest

from sandbox.meta.scenario import REELS_PUSH_FROM, build_scenario
from sandbox.meta.truth import placement_truth

THRESHOLD = 0.10  # dbt var placement_share_change_threshold


def _weekly_jumps(seed: int, start: date, end: date) -> list[tuple]:
    spend: dict[tuple, dict[tuple, float]] = defaultdict(lambda: defaultdict(float))
    for row in placement_truth(seed, start, end):
        day = date.fromisoformat(row["date"])
        week = day - timedelta(days=day.weekday())
        placement = (row["publisher_platform"], row["platform_position"])
        spend[(row["campaign_id"], week)][placement] += float(row["spend"])
    jumps = []
    for (campaign, week), placements in spend.items():
        before = spend.get((campaign, week - timedelta(days=7)))
        if not before:
            continue
        for placement in set(before) | set(placements):
            old = before.get(placement, 0) / sum(before.values())
            new = placements.get(placement, 0) / sum(placements.values())
            if abs(new - old) > THRESHOLD:
                jumps.append((campaign, week, placement, round(old, 2), round(new, 2)))
    return jumps


@pytest.mark.parametrize("seed", [42, 7])
def test_one_reels_jump_in_the_demo_window(seed: int) -> None:
    (jump,) = _weekly_jumps(seed, date(2026, 9, 7), date(2026, 10, 31))
    campaign, week, placement, old, new = jump
    assert (week, placement) == (REELS_PUSH_FROM, ("instagram", "instagram_reels"))
    assert new - old > 0.15
    pushed = {ad.campaign_id for ad in build_scenario().ads if ad.placement_push}
    assert pushed == {campaign}
