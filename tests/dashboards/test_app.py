"""The spend-by-placement-platform page and the app's shared filters, rendered headless with
Streamlit's AppTest (through the app's navigation, as readers open it)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from dashboard_marts import write_marts
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Radio

from dashboards.charts import PLATFORM_COLORS
from socialmart.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "dashboards" / "app.py")
SPEND_PAGE = "views/spend.py"
PUBLISHED_AT = datetime(2026, 11, 1, 4, 5, tzinfo=UTC)


def _run() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.switch_page(SPEND_PAGE).run()
    assert not app.exception, [exception.message for exception in app.exception]
    return app


def _table(app: AppTest, first_column: str) -> pd.DataFrame:
    (frame,) = [df.value for df in app.dataframe if df.value.columns[0] == first_column]
    return frame


def _radio(app: AppTest, label: str) -> Radio:
    (radio,) = [radio for radio in app.radio if radio.label == label]
    return radio


def _chart_specs(app: AppTest) -> list[dict]:
    return [json.loads(element.proto.spec) for element in app.get("vega_lite_chart")]


def _chart_rows(app: AppTest) -> pa.Table:
    (chart,) = app.get("vega_lite_chart")
    (dataset,) = chart.proto.datasets
    return pa.ipc.open_stream(dataset.data.data).read_all()


@pytest.fixture
def published(socialmart_home: Path) -> Path:
    return write_marts(
        socialmart_home / "published" / "marts.duckdb",
        publications=[("run-20261101", PUBLISHED_AT, "fct_placement_performance_daily", 10)],
    )


def test_empty_state_explains_how_to_get_data(socialmart_home: Path) -> None:
    app = _run()

    assert [title.value for title in app.title] == ["Spend by placement platform"]
    (info,) = app.info
    assert "No marts have been published yet" in info.value
    assert "make demo" in info.value
    assert str(socialmart_home / "published" / "marts.duckdb") in info.value
    assert not app.metric
    assert not _chart_specs(app)


def test_file_without_rows_explains_itself(socialmart_home: Path) -> None:
    write_marts(socialmart_home / "published" / "marts.duckdb", rows=[])

    (info,) = _run().info

    assert "no rows yet" in info.value


def test_renders_totals_per_currency_and_publication(published: Path) -> None:
    app = _run()

    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics == {"Spend (EUR)": "1,000,006.64", "Spend (USD)": "11.00"}
    assert any(
        "2026-11-01 04:05" in caption.value and "run-20261101" in caption.value
        for caption in app.caption
    )
    totals = _table(app, "account_currency")
    assert totals["account_currency"].tolist() == ["EUR", "USD"]
    assert _radio(app, "Currency").options == ["EUR", "USD"]
    (published_tables,) = [df.value for df in app.dataframe if df.value.index.name == "table"]
    assert published_tables["rows"].to_dict() == {"fct_placement_performance_daily": 10}


def test_threads_is_its_own_coloured_series(published: Path) -> None:
    app = _run()

    (spec,) = _chart_specs(app)
    scale = spec["encoding"]["color"]["scale"]
    assert "threads" in scale["domain"]
    threads_color = scale["range"][scale["domain"].index("threads")]
    assert threads_color == PLATFORM_COLORS["threads"]
    assert len(set(scale["range"])) == len(scale["domain"])
    rows = _chart_rows(app).to_pandas()
    threads = rows[rows["publisher_platform"] == "threads"]
    assert sorted(threads["spend"]) == [0.3, 0.7]  # EUR, the first currency
    platforms = _table(app, "publisher_platform")
    assert "threads" in platforms["publisher_platform"].tolist()


def test_lines_keep_small_platforms_readable(published: Path) -> None:
    app = _run()
    (stacked,) = _chart_specs(app)

    _radio(app, "Chart").set_value("Lines").run()

    (lines,) = _chart_specs(app)
    assert stacked["mark"]["type"] == "bar"
    assert lines["mark"]["type"] == "line"
    assert lines["encoding"]["color"]["scale"] == stacked["encoding"]["color"]["scale"]
    assert lines["encoding"]["y"]["stack"] is None


def test_currency_switch_and_account_filter(published: Path) -> None:
    app = _run()

    _radio(app, "Currency").set_value("USD").run()
    assert any(header.value == "Daily spend by platform (USD)" for header in app.subheader)
    usd_platforms = _table(app, "publisher_platform")
    assert str(usd_platforms["spend"].sum()) == "11.00"

    app.multiselect(key="filter_accounts").set_value(["111"]).run()
    assert {metric.label: metric.value for metric in app.metric} == {"Spend (EUR)": "3.30"}
    assert [radio.label for radio in app.radio] == ["Chart"]  # one currency: no choice


def test_date_range_filter(published: Path) -> None:
    app = _run()
    first, _ = app.sidebar.date_input[0].value

    app.sidebar.date_input[0].set_value((first, first)).run()

    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics == {"Spend (EUR)": "1,000,001.01", "Spend (USD)": "5.55"}


def test_old_file_without_publication_record(socialmart_home: Path) -> None:
    write_marts(socialmart_home / "published" / "marts.duckdb", publications=None)

    app = _run()

    assert any("no publication record" in caption.value for caption in app.caption)
    assert app.metric


def test_a_new_publication_shows_on_the_next_rerun(socialmart_home: Path) -> None:
    app = _run()
    assert app.info

    write_marts(socialmart_home / "published" / "marts.duckdb")
    app.run()

    assert not app.info
    assert app.metric
