"""`socialmart metrics`: MetricFlow's answers equal SQL written by hand over the published marts."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from socialmart import metrics
from socialmart.cli import main
from socialmart.settings import Settings


@pytest.fixture(scope="module")
def layer(published_settings: Settings) -> metrics.SemanticLayer:
    return metrics.layer(published_settings)


def _sql(settings: Settings, query: str) -> list[tuple]:
    with duckdb.connect(str(settings.published_marts_path), read_only=True) as con:
        return con.execute(query).fetchall()


def _rows(answer: metrics.Answer, *columns: str) -> list[tuple]:
    index = [answer.columns.index(c) for c in columns]
    return sorted(tuple(row[i] for i in index) for row in answer.rows)


def _assert_same(got: list[tuple], expected: list[tuple]) -> None:
    """Keys and amounts (decimals) exactly; ratios (doubles) to 1e-12."""
    assert len(got) == len(expected) and got
    for got_row, expected_row in zip(got, expected, strict=True):
        for value, wanted in zip(got_row, expected_row, strict=True):
            if isinstance(value, float) and wanted is not None:
                assert math.isclose(value, wanted, rel_tol=1e-12), (got_row, expected_row)
            else:
                assert value == wanted, (got_row, expected_row)


def test_spend_revenue_roas_cpa_by_platform_and_week(layer, published_settings):
    answer = layer.ask(["spend", "revenue", "roas", "cpa"], ["platform", "week"])

    assert answer.metrics == ["spend", "revenue", "roas", "cpa"]
    got = _rows(answer, "ad_day__platform", "metric_time__week", "spend", "revenue", "roas", "cpa")
    expected = _sql(
        published_settings,
        """
        select platform, cast(date_trunc('week', report_date) as date), sum(spend_reporting),
            sum(purchase_value_reporting) filter (where revenue_attribution = 'ad_attributed'),
            sum(purchase_value_reporting) filter (where revenue_attribution = 'ad_attributed')
              / sum(spend_reporting) filter (where revenue_attribution = 'ad_attributed'),
            sum(spend_reporting) / sum(purchases)
        from fct_ad_performance_daily group by all order by all
        """,
    )
    assert [row[1].date() for row in got] == [row[1] for row in expected]
    _assert_same([r[:1] + r[2:] for r in got], [r[:1] + r[2:] for r in expected])
    assert all(isinstance(row[2], Decimal) for row in got)  # amounts stay exact


def test_roas_and_placement_share_by_placement_within_campaign(layer, published_settings):
    answer = layer.ask(["roas", "placement_share"], ["campaign", "placement"])

    assert answer.metrics == ["placement_roas", "placement_spend", "placement_share"]
    got = _rows(
        answer,
        "placement_day__campaign",
        "campaign_name",
        "placement_day__publisher_platform",
        "placement_spend",
        "placement_roas",
        "placement_share",
    )
    expected = _sql(
        published_settings,
        """
        select f.campaign_id, c.campaign_name, f.publisher_platform, sum(f.spend_reporting),
            sum(f.purchase_value_reporting) / sum(f.spend_reporting),
            sum(f.spend_reporting)
              / sum(sum(f.spend_reporting)) over (partition by f.platform, f.campaign_id)
        from fct_placement_performance_daily as f
        join dim_campaigns as c using (platform, campaign_id)
        group by f.platform, f.campaign_id, c.campaign_name, f.publisher_platform
        order by all
        """,
    )
    _assert_same(got, expected)
    assert any(row[2] == "threads" and row[5] > 0 for row in got)


def test_creator_spend_and_roas_by_creator(layer, published_settings):
    answer = layer.ask(["spend", "roas"], ["creator"])

    got = _rows(answer, "creator", "creator__display_name", "creator_spend", "creator_roas")
    expected = _sql(
        published_settings,
        """
        select creator_id, c.display_name, sum(f.paid_spend_reporting),
            sum(f.paid_attributed_revenue_reporting) / sum(f.paid_spend_reporting)
        from fct_creator_performance_daily as f join dim_creators as c using (creator_id)
        group by all having sum(f.paid_spend_reporting) is not null order by all
        """,
    )
    _assert_same([row for row in got if row[2] is not None], expected)


def test_threads_share_of_advantage_plus_spend_by_day_within_dates(layer, published_settings):
    start, end = date(2026, 10, 1), date(2026, 10, 4)
    answer = layer.ask(["threads_spend_share"], ["advantage_plus", "day"], start=start, end=end)

    advantage_plus = "placement_day__is_advantage_plus_campaign"
    got = _rows(answer, advantage_plus, "metric_time__day", "threads_spend_share")
    expected = _sql(
        published_settings,
        f"""
        select is_advantage_plus_campaign, report_date,
            sum(case when publisher_platform = 'threads' then spend_reporting else 0 end)
              / sum(spend_reporting)
        from fct_placement_performance_daily
        where report_date between '{start}' and '{end}' group by all order by all
        """,
    )
    assert [(r[0], r[1].date()) for r in got] == [(r[0], r[1]) for r in expected]
    _assert_same([(r[0], r[2]) for r in got], [(r[0], r[2]) for r in expected])
    assert max(r[2] for r in got if r[0]) > 0  # Threads took Advantage+ spend from 10-01


def test_the_command_prints_the_answer_and_refuses_unknown_words(
    published_settings, monkeypatch, capsys
):
    monkeypatch.setenv("SOCIALMART_HOME", str(published_settings.home))

    assert main(["metrics", "query", "spend,roas", "--by", "placement", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split(",") == [
        "placement_day__platform",
        "placement_day__publisher_platform",
        "placement_spend",
        "placement_roas",
    ]
    assert {line.split(",")[1] for line in lines[1:]} >= {"facebook", "instagram", "threads"}

    assert main(["metrics", "query", "spend", "--by", "placement", "--by", "creator"]) == 1
    assert main(["metrics", "query", "spend", "--by", "colour"]) == 1
    assert "cannot group these metrics by 'colour'" in capsys.readouterr().err
