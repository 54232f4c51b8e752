"""The Advantage+ page shows the Threads spend without opt-in itself, not the flagged campaigns'
spend (``threads_spend_without_opt_in`` of rpt_advantage_plus_placement_split, and the same rule
on the daily placement rows)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dashboard_marts import write_every_mart
from streamlit.testing.v1 import AppTest

from dashboards import reader
from dashboards.queries import advantage_plus
from socialmart.settings import PROJECT_ROOT

FIRST, LAST = date(2026, 10, 1), date(2026, 10, 3)
ALL = reader.Selection(FIRST, LAST)
# The entry point draws the filters, then runs the Advantage+ page (the home page).
APP = str(PROJECT_ROOT / "dashboards" / "app.py")


@pytest.fixture
def marts(marts_path: Path) -> Path:
    """The pages' hand-checkable marts, plus Threads inclusion: campaign A's 10.00 of Threads
    spend came without opt-in, a further 5.00 from an ad set that names Threads."""
    write_every_mart(marts_path)
    with duckdb.connect(str(marts_path)) as con:
        con.execute(
            "alter table fct_placement_performance_daily add column threads_inclusion varchar;"
            "update fct_placement_performance_daily set threads_inclusion = 'automatic';"
            "insert into fct_placement_performance_daily values ('meta', '2026-10-02', '111',"
            " 'EUR', 'A', 'threads', 'threads_feed', 5.00, 0, 0, true, 'Campaign A',"
            " 0, 0, 'explicitly_included')"
        )
        con.execute(
            "alter table rpt_advantage_plus_placement_split"
            " add column threads_spend_without_opt_in decimal(18, 2) default 0;"
            "update rpt_advantage_plus_placement_split set threads_spend_without_opt_in = 10.00"
            " where campaign_id = 'A' and publisher_platform = 'threads'"
        )
    return marts_path


def test_campaign_list_has_the_threads_spend_without_opt_in(marts: Path) -> None:
    campaigns = advantage_plus.campaigns(marts, ALL).set_index("campaign_id")
    a, b = campaigns.loc["A"], campaigns.loc["B"]
    assert a["threads_spend"] == Decimal("15.00")
    assert a["threads_spend_without_opt_in"] == Decimal("10.00")
    assert a["spend"] == Decimal("205.00")  # what filtering on the flag alone would give
    assert b["threads_spend_without_opt_in"] == Decimal("0.00")


def test_weekly_split_shows_the_marts_column(marts: Path) -> None:
    weekly = advantage_plus.weekly_split(marts, "A", FIRST, LAST)
    threads = weekly[weekly["publisher_platform"] == "threads"]
    assert threads["threads_spend_without_opt_in"].tolist() == [Decimal("10.00")]
    assert set(
        weekly[weekly["publisher_platform"] != "threads"]["threads_spend_without_opt_in"]
    ) == {Decimal("0.00")}


def test_older_publications_show_it_as_unknown(marts_path: Path) -> None:
    write_every_mart(marts_path)
    campaigns = advantage_plus.campaigns(marts_path, ALL)
    assert campaigns["threads_spend_without_opt_in"].isna().all()
    weekly = advantage_plus.weekly_split(marts_path, "A", FIRST, LAST)
    assert weekly["threads_spend_without_opt_in"].isna().all()


def test_page_shows_the_amount_next_to_the_flag(marts: Path, socialmart_home: Path) -> None:
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception, [e.message for e in app.exception]
    (listing,) = [f.value for f in app.dataframe if "threads_without_opt_in" in f.value]
    assert "threads_spend_without_opt_in" in listing.columns
    assert any("10.00 of Threads spend" in w.value for w in app.warning)
