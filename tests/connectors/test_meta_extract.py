"""Meta extract (placement stream): spool output, going async when refused, fatal cleanup,
no token anywhere."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
import responses
from connector_testkit import META_API, TOKEN, fixture_json
from responses import matchers

from connectors.common.errors import FatalApiError
from connectors.common.land import load_spool
from connectors.common.spool import MANIFEST_NAME, read_manifest
from connectors.meta.client import MetaClient
from connectors.meta.extract import extract_streams, list_accounts
from connectors.meta.streams import AD_INSIGHTS_PLACEMENT
from socialmart.settings import Settings

INSIGHTS = f"{META_API}/act_1234567890/insights"
RUN = "6044775548468"
JUNE_1, JUNE_2 = date(2026, 6, 1), date(2026, 6, 2)


def _range(since: date, until: date) -> list[Any]:
    time_range = json.dumps({"since": since.isoformat(), "until": until.isoformat()})
    return [matchers.query_param_matcher({"time_range": time_range}, strict_match=False)]


def _row(day: date, platform: str = "facebook") -> dict[str, str]:
    return {
        "account_id": "1234567890",
        "ad_id": "301",
        "date_start": day.isoformat(),
        "date_stop": day.isoformat(),
        "publisher_platform": platform,
        "platform_position": "feed",
        "spend": "1.00",
    }


def extract_insights(
    settings: Settings, start: date, end: date, run_id: str, client: MetaClient
) -> list[Path]:
    """Every account the settings name (or the token sees), placement stream only."""
    return [
        path
        for account in list_accounts(settings, client)
        for path in extract_streams((AD_INSIGHTS_PLACEMENT,))(
            settings, account, start, end, run_id, client=client
        )
    ]


def _async_job(rows: list[dict[str, Any]], status: dict[str, Any] | None = None) -> None:
    """Mock one report run: created, polled once, results on one page."""
    responses.post(INSIGHTS, json={"report_run_id": RUN})
    done = {"id": RUN, "async_status": "Job Completed", "async_percent_completion": 100}
    responses.get(f"{META_API}/{RUN}", json=status or done)
    responses.get(f"{META_API}/{RUN}/insights", json={"data": rows})


def _unit(settings: Settings, account: str = "1234567890") -> Path:
    return settings.spool_dir / "run-1" / "meta" / "ad_insights_placement" / account


@responses.activate
def test_request_parameters(settings: Settings, meta_client: MetaClient) -> None:
    responses.get(INSIGHTS, json={"data": []})
    extract_insights(settings, JUNE_1, JUNE_2, "run-1", client=meta_client)
    params = responses.calls[0].request.params
    assert params["level"] == "ad"
    assert params["time_increment"] == "1"
    assert params["breakdowns"] == "publisher_platform,platform_position"
    assert json.loads(params["time_range"]) == {"since": "2026-06-01", "until": "2026-06-02"}
    assert json.loads(params["action_attribution_windows"]) == [
        "1d_click",
        "7d_click",
        "28d_click",
        "1d_ev",
        "1d_view",
    ]
    assert params["limit"] == "500"
    fields = params["fields"].split(",")
    assert {"ad_id", "spend", "actions", "action_values", "account_currency"} <= set(fields)
    assert "date_start" not in fields


@responses.activate
def test_pages_land_in_the_spool_with_a_manifest(
    settings: Settings, meta_client: MetaClient, caplog: pytest.LogCaptureFixture
) -> None:
    first = fixture_json("meta/insights_page1.json")
    responses.get(INSIGHTS, json=first, match=_range(JUNE_1, JUNE_2))
    responses.get(
        INSIGHTS,
        json=fixture_json("meta/insights_page2.json"),
        match=[matchers.query_param_matcher({"after": "MQZDZD"}, strict_match=False)],
    )
    with caplog.at_level(logging.DEBUG):
        paths = extract_insights(settings, JUNE_1, JUNE_2, "run-1", client=meta_client)
    assert paths == [_unit(settings) / MANIFEST_NAME]
    manifest = read_manifest(paths[0])
    assert (manifest.window_start, manifest.window_end) == (JUNE_1, JUNE_2)
    assert (manifest.row_count, manifest.request_count) == (3, 2)
    assert manifest.files == ("page-00001.json", "page-00002.json")
    page1 = json.loads((_unit(settings) / "page-00001.json").read_text())
    assert page1 == first["data"]
    for path in _unit(settings).iterdir():
        assert TOKEN not in path.read_text(), path.name
    assert TOKEN not in caplog.text
    assert "access_token=***" in caplog.text  # the next link was logged, redacted


@responses.activate
def test_accounts_are_listed_when_not_configured(
    settings: Settings, meta_client: MetaClient
) -> None:
    responses.get(f"{META_API}/me/adaccounts", json=fixture_json("meta/adaccounts.json"))
    responses.get(INSIGHTS, json={"data": [_row(JUNE_1)]})
    responses.get(f"{META_API}/act_2222222222/insights", json={"data": []})
    settings = replace(settings, meta=replace(settings.meta, ad_account_ids=()))
    paths = extract_insights(settings, JUNE_1, JUNE_1, "run-1", client=meta_client)
    assert [read_manifest(p).account_id for p in paths] == ["1234567890", "2222222222"]
    assert [read_manifest(p).row_count for p in paths] == [1, 0]


@responses.activate
def test_too_much_data_goes_async_for_the_same_range(
    settings: Settings, meta_client: MetaClient
) -> None:
    june_3 = date(2026, 6, 3)
    too_much = fixture_json("meta/error_too_much_data.json")
    responses.get(INSIGHTS, status=400, json=too_much, match=_range(JUNE_1, june_3))
    _async_job([_row(JUNE_1), _row(JUNE_2), _row(june_3)])
    [path] = extract_insights(settings, JUNE_1, june_3, "run-1", client=meta_client)
    manifest = read_manifest(path)
    assert (manifest.window_start, manifest.window_end) == (JUNE_1, june_3)
    assert manifest.row_count == 3 and manifest.request_count == 4
    created = responses.calls[1].request
    assert created.method == "POST"
    assert json.loads(created.params["time_range"]) == {
        "since": "2026-06-01",
        "until": "2026-06-03",
    }
    assert created.params["breakdowns"] == "publisher_platform,platform_position"


@responses.activate
def test_too_much_data_mid_paging_discards_the_partial_range(
    settings: Settings, meta_client: MetaClient
) -> None:
    next_url = f"{INSIGHTS}?access_token={TOKEN}&after=P2"
    responses.get(
        INSIGHTS,
        json={"data": [_row(JUNE_1, "instagram")], "paging": {"next": next_url}},
        match=_range(JUNE_1, JUNE_2),
    )
    responses.get(
        INSIGHTS,
        status=400,
        json=fixture_json("meta/error_too_much_data.json"),
        match=[matchers.query_param_matcher({"after": "P2"}, strict_match=False)],
    )
    _async_job([_row(JUNE_1), _row(JUNE_2)])
    [path] = extract_insights(settings, JUNE_1, JUNE_2, "run-1", client=meta_client)
    manifest = read_manifest(path)
    assert manifest.row_count == 2
    assert sorted(p.name for p in path.parent.glob("page-*")) == list(manifest.files)
    rows = json.loads((path.parent / manifest.files[0]).read_text())
    assert [r["publisher_platform"] for r in rows] == ["facebook", "facebook"]


@responses.activate
def test_single_day_too_large_even_async_fails_clearly(
    settings: Settings, meta_client: MetaClient
) -> None:
    too_much = fixture_json("meta/error_too_much_data.json")
    responses.get(INSIGHTS, status=400, json=too_much)
    failed = {
        "id": RUN,
        "async_status": "Job Failed",
        "async_percent_completion": 0,
        "error_code": -3,
        "error_subcode": 1504045,
        "error_message": "Your report was too large.",
    }
    _async_job([], failed)
    with pytest.raises(FatalApiError, match="one-day async report") as info:
        extract_insights(settings, JUNE_1, JUNE_1, "run-1", client=meta_client)
    assert "1234567890" in str(info.value) and "Your report was too large" in str(info.value)
    assert not _unit(settings).exists()


@responses.activate
def test_fatal_error_leaves_nothing_loadable(
    settings: Settings, meta_client: MetaClient, caplog: pytest.LogCaptureFixture
) -> None:
    next_url = f"{INSIGHTS}?access_token={TOKEN}&after=P2"
    responses.get(INSIGHTS, json={"data": [_row(JUNE_1)], "paging": {"next": next_url}})
    responses.get(
        INSIGHTS,
        status=400,
        json=fixture_json("meta/error_token_expired.json"),
        match=[matchers.query_param_matcher({"after": "P2"}, strict_match=False)],
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(FatalApiError) as info:
        extract_insights(settings, JUNE_1, JUNE_1, "run-1", client=meta_client)
    assert "META_ACCESS_TOKEN" in str(info.value)
    assert TOKEN not in str(info.value) and TOKEN not in caplog.text
    assert not _unit(settings).exists()
    assert not list(settings.spool_dir.rglob(MANIFEST_NAME))


@responses.activate
def test_extract_then_load_keeps_the_token_out_of_the_warehouse(
    settings: Settings, meta_client: MetaClient
) -> None:
    responses.get(
        INSIGHTS, json=fixture_json("meta/insights_page1.json"), match=_range(JUNE_1, JUNE_2)
    )
    responses.get(
        INSIGHTS,
        json=fixture_json("meta/insights_page2.json"),
        match=[matchers.query_param_matcher({"after": "MQZDZD"}, strict_match=False)],
    )
    extract_insights(settings, JUNE_1, JUNE_2, "run-1", client=meta_client)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        [report] = load_spool(con, settings.spool_dir / "run-1", "run-1")
        assert (report.rows_seen, report.rows_inserted) == (3, 3)
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
        ).fetchall()
        assert {"raw.meta__ad_insights_placement", "raw._loads"} <= {t for (t,) in tables}
        for (table,) in tables:
            dump = json.dumps(con.execute(f"select * from {table}").fetchall(), default=str)
            assert TOKEN not in dump and "access_token" not in dump, table
        spend = con.execute(
            "select publisher_platform, platform_position, spend, "
            "json_extract_string(actions, '$[1].value') "
            "from raw.meta__ad_insights_placement order by date_start, publisher_platform"
        ).fetchall()
    assert spend == [
        ("instagram", "instagram_reels", "41.87", "3"),
        ("threads", "threads_feed", "3.12", None),
        ("facebook", "feed", "7.40", None),
    ]
