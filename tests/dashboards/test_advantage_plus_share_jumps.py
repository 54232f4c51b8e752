"""A placement share jump in the newest week (``rpt_placement_share_changes.is_latest_week``,
the mart gate's warning) is a badge on the Advantage+ page; older jumps are history."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
from dashboard_marts import write_every_mart
from streamlit.testing.v1 import AppTest

from dashboards.queries import advantage_plus
from socialmart.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "dashboards" / "app.py")
CHANGES = """
create table rpt_placement_share_changes (
    platform varchar, ad_account_id varchar, campaign_id varchar, account_currency varchar,
    publisher_platform varchar, platform_position varchar, spend decimal(18, 2),
    campaign_spend decimal(18, 2), previous_spend_share decimal(18, 6),
    spend_share decimal(18, 6), spend_share_change decimal(18, 6), week_start_date date,
    previous_week_start_date date{latest}
)
"""
ROWS = [  # Threads jumps in the newest week; Facebook's older drop is history
    ("meta", "111", "A", "EUR", "threads", "threads_feed", "25.00", "100.00", "0.02", "0.25",
     "0.23", "2026-09-28", "2026-09-21", True),
    ("meta", "111", "A", "EUR", "facebook", "feed", "40.00", "100.00", "0.60", "0.40",
     "-0.20", "2026-09-21", "2026-09-14", False),
]  # fmt: skip


def _publish(path: Path, *, with_latest: bool = True) -> None:
    write_every_mart(path)
    latest = ", is_latest_week boolean" if with_latest else ""
    rows = ROWS if with_latest else [row[:-1] for row in ROWS]
    with duckdb.connect(str(path)) as con:
        con.execute(CHANGES.format(latest=latest))
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"insert into rpt_placement_share_changes values ({marks})", rows)


def test_only_the_newest_weeks_jumps_are_listed(marts_path: Path) -> None:
    _publish(marts_path)
    jumps = advantage_plus.latest_share_jumps(marts_path)
    assert jumps["publisher_platform"].tolist() == ["threads"]
    assert jumps["spend_share"].tolist() == [Decimal("0.250000")]


def test_a_publication_before_the_column_lists_none(marts_path: Path) -> None:
    _publish(marts_path, with_latest=False)
    assert advantage_plus.latest_share_jumps(marts_path).empty


def test_page_shows_the_jump_as_a_badge(marts_path: Path, socialmart_home: Path) -> None:
    _publish(marts_path)
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception, [e.message for e in app.exception]
    badges = [w.value for w in app.warning if "Share jump" in w.value]
    assert badges == [
        "**Share jump, week of 2026-09-28:** Campaign A moved threads / threads_feed from "
        "2.0% to 25.0% of its spend."
    ]
