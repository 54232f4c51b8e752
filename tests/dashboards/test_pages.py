"""The Advantage+, Creators and Cross-platform pages and the shared filters, with AppTest."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from dashboard_marts import write_every_mart, write_marts
from streamlit.testing.v1 import AppTest

from socialmart.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "dashboards" / "app.py")
ADVANTAGE_PLUS = "views/advantage_plus.py"
CREATORS = "views/creators.py"
PERFORMANCE = "views/performance.py"


def _open(page: str, query_params: dict | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params.update(query_params or {})
    app.run()
    if page != ADVANTAGE_PLUS:
        app.switch_page(page).run()
    _no_exception(app)
    return app


def _no_exception(app: AppTest) -> None:
    assert not app.exception, [exception.message for exception in app.exception]


def _metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


@pytest.fixture
def published(socialmart_home: Path) -> Path:
    return write_every_mart(socialmart_home / "published" / "marts.duckdb")


@pytest.mark.parametrize("page", [ADVANTAGE_PLUS, CREATORS, PERFORMANCE])
def test_pages_explain_that_nothing_is_published(socialmart_home: Path, page: str) -> None:
    app = _open(page)

    assert any("make demo" in info.value for info in app.info)
    assert not app.metric
    assert not app.sidebar.date_input  # no filters without data


@pytest.mark.parametrize(
    ("page", "table"),
    [(CREATORS, "fct_creator_performance_daily"), (PERFORMANCE, "fct_ad_performance_daily")],
)
def test_pages_name_the_mart_an_old_file_lacks(socialmart_home: Path, page: str, table: str):
    write_marts(socialmart_home / "published" / "marts.duckdb")

    (info,) = _open(page).info

    assert f"no `{table}` table" in info.value


def test_advantage_plus_lists_threads_without_opt_in_first(published: Path) -> None:
    app = _open(ADVANTAGE_PLUS)

    assert [title.value for title in app.title] == ["Advantage+ placement split"]
    campaigns = next(df.value for df in app.dataframe if "threads_without_opt_in" in df.value)
    assert campaigns["campaign_name"].tolist() == ["Campaign A", "Campaign B"]
    assert _metrics(app) == {
        "Spend (EUR)": "200.00",
        "Threads spend (EUR)": "10.00",
        "Threads share": "5.0%",
        "Threads first spend": "2026-10-02",
        "ROAS": "1.40",
    }
    assert "Threads without opt-in" in app.warning[0].value
    charts = app.get("vega_lite_chart")
    assert len(charts) == 2  # daily share and ROAS per placement


def test_advantage_plus_other_campaign_and_url(published: Path) -> None:
    app = _open(ADVANTAGE_PLUS)

    app.selectbox(key="choice_campaign").set_value("B").run()

    assert _metrics(app)["Threads first spend"] == "never"
    assert _metrics(app)["Spend (USD)"] == "50.00"
    assert not app.warning
    assert app.query_params["campaign"] == "B"
    reopened = _open(ADVANTAGE_PLUS, {"campaign": "B"})
    assert _metrics(reopened)["Spend (USD)"] == "50.00"


def test_advantage_plus_explains_a_filter_without_meta(published: Path) -> None:
    app = _open(ADVANTAGE_PLUS, {"platform": "tiktok"})

    assert "Advantage+ is a Meta campaign type" in app.info[0].value
    assert not app.metric


def test_advantage_plus_empty_selection_explains_itself(published: Path) -> None:
    app = _open(ADVANTAGE_PLUS, {"account": "tt1"})

    assert "No Advantage+ campaign spend for the selected filters" in app.info[0].value


def test_creators_leaderboard_ranking_and_drill_down(published: Path) -> None:
    app = _open(CREATORS)

    assert _metrics(app) == {
        "Top creator by Creator-driven revenue": "Ana",
        "Top creator's creator-driven revenue (EUR)": "120.00",
        "Top creator's ROI": "1.00",
    }
    assert "1 creator-days have no FX rate" in app.warning[0].value
    board = next(df.value for df in app.dataframe if "display_name" in df.value)
    assert board["display_name"].tolist() == ["Ana", "Bo", "newface"]
    days = app.dataframe[-1].value
    assert days["report_date"].tolist() == [date(2026, 10, 1), date(2026, 10, 2)]

    app.radio(key="choice_rank").set_value("creator_roi").run()
    assert _metrics(app)["Top creator by ROI"] == "Bo"
    assert len(app.dataframe[-1].value) == 2  # the drill-down keeps the creator it showed
    app.selectbox(key="choice_creator").set_value("tiktok_username:newface").run()
    assert app.dataframe[-1].value["report_date"].tolist() == [date(2026, 10, 2)]
    assert app.query_params["creator"] == "tiktok_username:newface"


def test_cross_platform_reporting_and_account_currency(published: Path) -> None:
    app = _open(PERFORMANCE)

    assert _metrics(app) == {
        "Spend (EUR)": "25.00",
        "Revenue (EUR)": "50.00",
        "ROAS (EUR)": "2.00",
        "CPA (EUR)": "8.33",
    }
    assert "1 rows have no FX rate" in app.warning[0].value

    app.radio(key="choice_currency").set_value("account").run()
    metrics = _metrics(app)
    assert metrics["Spend (EUR)"] == "10.00"
    assert metrics["Spend (USD)"] == "17.60"
    assert metrics["CPA (USD)"] == "8.80"
    assert not app.warning

    app.radio(key="choice_level").set_value("campaign").run()
    table = app.dataframe[0].value
    assert table["campaign_name"].tolist() == ["Campaign c1", "Campaign c2", "Campaign t1"]
    assert app.query_params["level"] == "campaign"


def test_filters_come_from_the_url_and_carry_across_pages(published: Path) -> None:
    app = _open(PERFORMANCE, {"platform": "tiktok", "start": "2026-10-02"})

    assert _metrics(app)["Spend (EUR)"] == "5.00"
    assert app.sidebar.date_input[0].value == (date(2026, 10, 2), date(2026, 10, 3))

    app.switch_page(ADVANTAGE_PLUS).run()
    assert "Advantage+ is a Meta campaign type" in app.info[0].value
    assert app.query_params["platform"] == "tiktok"
    assert app.query_params["start"] == "2026-10-02"

    app.multiselect(key="filter_platforms").set_value([]).run()
    assert _metrics(app)["Threads spend (EUR)"] == "10.00"
    assert "platform" not in app.query_params


def test_url_values_outside_the_data_are_clamped_or_ignored(published: Path) -> None:
    app = _open(PERFORMANCE, {"start": "2020-01-01", "end": "not-a-date", "account": "nope"})

    assert app.sidebar.date_input[0].value == (date(2026, 10, 1), date(2026, 10, 3))
    assert app.multiselect(key="filter_accounts").value == []
    assert _metrics(app)["Spend (EUR)"] == "25.00"
