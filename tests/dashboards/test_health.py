"""The data-health page and its queries, on health files written by the real gate and publish."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from connectors.common.land import ensure_raw_table
from connectors.common.streams import get_stream
from dashboards.queries import health
from expectations.gate import run_gate
from socialmart import publish, transform, warehouse
from socialmart.settings import PROJECT_ROOT, Settings

PAGE = str(PROJECT_ROOT / "dashboards" / "views" / "health.py")


def _run() -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not app.exception, [exception.message for exception in app.exception]
    return app


@pytest.fixture
def settings(module_warehouse_settings: Settings) -> Settings:
    """Every test starts without a warehouse; dbt parses the project once per module."""
    return module_warehouse_settings


# The placement mart's not_null tests: the ones write_mart's loosely typed table can pass.
NOT_NULL_TESTS = "fct_placement_performance_daily,test_name:not_null"


@pytest.fixture
def blocked_after_publish(settings: Settings, write_mart, good_rows) -> Path:
    """Run 1 published; run 2's gate failed afterwards; one load recorded."""
    write_mart(good_rows)
    assert run_gate(settings, "run-1").passed
    publish.publish(settings, "run-1")
    with warehouse.connect(settings) as con:
        ensure_raw_table(con, get_stream("meta", "ad_insights_placement"))
        loaded = datetime.now(UTC) - timedelta(hours=5)
        con.execute(
            "insert into raw._loads (run_id, source, stream, account_id, window_start, "
            "window_end, pulled_at, loaded_at, rows_seen, rows_inserted, tombstones_inserted, "
            "rows_quarantined, tombstones_withheld) values "
            "('run-2', 'meta', 'ad_insights_placement', '111', ?, ?, ?, ?, 120, 7, 0, 2, 5)",
            [date(2026, 6, 1), date(2026, 6, 3), loaded, loaded],
        )
        con.execute(
            "insert into raw._schema_drift values ('meta', 'ad_insights_placement', "
            "'engaged_views', 'run-2', ?, 'run-2', ?)",
            [loaded, loaded],
        )
    write_mart([good_rows[0] | {"ad_id": None}])
    # dbt's not_null tests of the mart, as the build runs and records them for the gate
    transform.build(settings, "run-2", select=NOT_NULL_TESTS)
    assert not run_gate(settings, "run-2").passed
    return settings.published_health_path


def test_queries_read_publication_gates_and_freshness(blocked_after_publish: Path) -> None:
    path = blocked_after_publish
    publication = health.last_publication(path)
    assert publication is not None and publication.run_id == "run-1"
    assert publication.row_counts == {"fct_placement_performance_daily": 3}
    history = health.gate_history(path)
    assert history[["run_id", "gate", "passed"]].values.tolist() == [
        ["run-2", "marts", False],
        ["run-1", "marts", True],
    ]
    failures = health.gate_failures(path)
    assert set(failures["run_id"]) == {"run-2"}
    assert "ad_id" in set(failures["column_names"])
    stale = health.gate_failure_after_publication(path)
    assert stale is not None and stale > publication.published_at
    [row] = health.source_freshness(path, datetime.now(UTC)).to_dict("records")
    assert (row["source"], row["stream"], row["last_rows_seen"]) == (
        "meta",
        "ad_insights_placement",
        120,
    )
    assert (row["last_rows_quarantined"], row["last_tombstones_withheld"]) == (2, 5)
    assert 4.9 <= row["hours_since_load"] <= 5.2
    drift = health.schema_drift(path)
    assert drift[["stream", "field"]].values.tolist() == [
        ["ad_insights_placement", "engaged_views"]
    ]
    assert health.restatement_rows(path) is None


def test_page_without_health_file_explains_itself(settings: Settings) -> None:
    app = _run()
    assert [title.value for title in app.title] == ["Data health"]
    assert "No health data yet" in app.info[0].value


def test_page_shows_stale_notice_failures_and_freshness(blocked_after_publish: Path) -> None:
    app = _run()
    [notice] = app.error
    assert "older than the latest gate failure" in notice.value
    assert app.metric[0].label == "Last publish (UTC)"
    gates, freshness, drift, versions = (frame.value for frame in app.dataframe)
    [errors] = (table.value for table in app.table)  # long texts wrap in a plain table
    assert set(versions["setting"]) == {"META_API_VERSION", "INSTAGRAM_API_VERSION"}
    assert drift["field"].tolist() == ["engaged_views"]
    assert any("not stored: declare them" in warning.value for warning in app.warning)
    assert gates["run_id"].tolist() == ["run-2", "run-1"]
    assert [m.value for m in app.markdown if m.value.startswith("**")] == [
        f"**Errors** ({len(errors)})"
    ]
    assert freshness[["source", "stream"]].values.tolist() == [["meta", "ad_insights_placement"]]
    assert any("fct_conversion_restatements" in info.value for info in app.info)


def test_no_notice_once_a_later_run_publishes(
    blocked_after_publish: Path, settings: Settings, write_mart, good_rows
) -> None:
    write_mart([row | {"reporting_currency": "EUR"} for row in good_rows])
    transform.build(settings, "run-3", select=NOT_NULL_TESTS)
    outcome = run_gate(settings, "run-3")
    assert outcome.passed, outcome.summary()
    publish.publish(settings, "run-3")
    assert health.gate_failure_after_publication(blocked_after_publish) is None
    app = _run()
    assert not app.error
    assert "run-3" in app.caption[0].value


def test_page_lists_warnings_of_a_passing_gate(settings: Settings) -> None:
    published_at = datetime(2026, 10, 5, 6, 0, tzinfo=UTC)
    validated_at = published_at - timedelta(minutes=1)
    path = settings.published_health_path
    path.parent.mkdir(parents=True)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table publish_log (run_id varchar, published_at timestamptz,"
            " path varchar, tables bigint, row_counts varchar)"
        )
        con.execute(
            "insert into publish_log values ('run-1', ?, 'marts.duckdb', 1, '{}')", [published_at]
        )
        con.execute(
            "create table gate_validations (run_id varchar, validated_at timestamptz,"
            " gate varchar, passed boolean, error_count bigint, warning_count bigint,"
            " data_docs_path varchar)"
        )
        con.execute(
            "insert into gate_validations values ('run-1', ?, 'marts', true, 0, 1, null)",
            [validated_at],
        )
        con.execute(
            "create table gate_results (validated_at timestamptz, run_id varchar, suite varchar,"
            " severity varchar, expectation_type varchar, column_names varchar,"
            " observed_value varchar, success boolean)"
        )
        con.execute(
            "insert into gate_results values (?, 'run-1', 'marts.fct_x.values', 'warning',"
            " 'expect_column_values_to_be_in_set', 'publisher_platform', 'tiktok', false)",
            [validated_at],
        )

    app = _run()

    assert not app.error  # a warning does not block: no stale-marts notice
    assert any(markdown.value == "**Warnings** (1)" for markdown in app.markdown)
    gates, *_ = (frame.value for frame in app.dataframe)
    [warnings] = (table.value for table in app.table)
    assert gates["warning_count"].tolist() == [1]
    # Long identifiers may break after "_" (zero-width spaces) instead of being cut.
    expectations = [text.replace("\u200b", "") for text in warnings["Expectation"]]
    assert expectations == ["expect_column_values_to_be_in_set"]
